// `host` and `serve` with advertising on: every room of the server is announced on the local network
// (mDNS) while it exists and withdrawn with a goodbye when it goes. The server has no room events, so
// its list is read twice a second; a room appears on other screens within about two seconds.
// Advertising never stops a server: when it cannot start, one line on stderr says why.
import type { NearbyDiscovery, Advertisement } from '../src-main/service/nearby/nearby-discovery.js';
import type { Runtime, ServerPort } from './runtime.js';

const SYNC_EVERY_MS = 500;
/** A `serve` with thousands of rooms must not flood the LAN: the first rooms are advertised, no more. */
export const MAX_ADVERTISED_ROOMS = 32;

/** Starts advertising the server's rooms; resolves with the function that stops it (goodbyes sent). */
/** `bindHost`: where the server listens; one IPv4 address keeps the adverts on that interface. */
export async function advertiseRooms(
  server: ServerPort,
  port: number,
  bindHost: string,
  rt: Runtime,
): Promise<() => Promise<void>> {
  let nearby: NearbyDiscovery;
  try {
    nearby = await rt.openNearby();
  } catch (err) {
    rt.stderr.write(`tincan: not advertising on the local network: ${describe(err)}\n`);
    return async () => {};
  }
  const advertised = new Map<string, Promise<Advertisement | null>>();
  let stopped = false;

  const sync = (): void => {
    const rooms = server.roomList().slice(0, MAX_ADVERTISED_ROOMS);
    const names = new Set(rooms.map((r) => r.name));
    for (const [name, pending] of advertised) {
      if (names.has(name)) continue;
      advertised.delete(name);
      void pending.then((ad) => ad?.withdraw());
    }
    for (const room of rooms) {
      if (advertised.has(room.name)) continue;
      const advert = { room: room.name, passwordRequired: room.hasPassword, fingerprint: server.fingerprint ?? null };
      advertised.set(
        room.name,
        nearby.advertise(advert, port, bindHost).then(
          (ad) => {
            // The label may carry " #2" when the name was taken: say under which name others see it.
            rt.stderr.write(`tincan: "${room.name}" is listed on the local network as "${ad.label}"\n`);
            return ad;
          },
          (err: unknown) => {
            rt.stderr.write(`tincan: could not advertise "${room.name}": ${describe(err)}\n`);
            return null;
          },
        ),
      );
    }
  };
  sync();
  const timer = setInterval(sync, SYNC_EVERY_MS);
  timer.unref();

  return async () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    await Promise.allSettled(advertised.values());
    await nearby.close();
  };
}

function describe(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') return 'UDP port 5353 is taken by a program that does not share it';
  if (code === 'EACCES') return 'the system refused UDP port 5353';
  return err instanceof Error ? err.message : String(err);
}
