// `tincan discover`: the rooms advertised on the local network. Live (the default) prints a line when
// a room appears ("+") or goes ("-") until Ctrl+C; `--once [s]` listens that long, prints the list
// and exits. One room per line: `[+|-] host:port open|password room` — the room name last, since it
// may contain spaces. Names were checked by the one name rule before they get here, and the browser
// holds a bounded number of rooms, so the output is bounded too.
import { formatHostAddress } from '../../src-shared/address.js';
import type { HeardRoom } from '../../src-main/service/nearby/nearby-discovery.js';
import { CliError, ExitCode } from '../errors.js';
import type { DiscoverConfig } from '../options.js';
import type { Runtime } from '../runtime.js';

export function roomLine(room: HeardRoom): string {
  const where = formatHostAddress({ host: room.address, port: room.port });
  return `${where} ${room.passwordRequired ? 'password' : 'open'} ${room.room}`;
}

export async function discoverCommand(config: DiscoverConfig, rt: Runtime): Promise<number> {
  const nearby = await rt.openNearby().catch((err: unknown) => {
    throw new CliError(`cannot listen for rooms on the local network: ${(err as Error).message}`);
  });
  nearby.browse();

  if (config.onceAfterMs !== null) {
    await new Promise((resolve) => setTimeout(resolve, config.onceAfterMs ?? 0));
    for (const room of nearby.rooms()) rt.stdout.write(`${roomLine(room)}\n`);
    await nearby.close();
    return ExitCode.OK;
  }

  let shown = new Map<string, HeardRoom>();
  const show = (): void => {
    const now = new Map(nearby.rooms().map((r) => [r.key, r]));
    for (const [key, room] of shown) if (now.get(key) !== room) rt.stdout.write(`- ${roomLine(room)}\n`);
    for (const [key, room] of now) if (shown.get(key) !== room) rt.stdout.write(`+ ${roomLine(room)}\n`);
    shown = now;
  };
  nearby.on('changed', show);
  show();
  rt.stderr.write('tincan: watching the local network for rooms (Ctrl+C stops)\n');
  return new Promise<number>((resolve) => {
    const unsubscribe = rt.onStopSignal(() => {
      unsubscribe();
      void nearby.close().finally(() => resolve(ExitCode.OK));
    });
  });
}
