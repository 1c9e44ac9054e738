// The table of rooms heard on the link, fed with mDNS responses (announcements, answers to anyone's
// query, goodbyes) and emptied as records expire. Pure: no socket, no timers, the clock injected, so
// every rule is tested with crafted packets. Everything in a response is untrusted: the TXT record
// goes through the strict decoder, the address to dial is the one the packet came from (not the A
// records, which may list Docker or VPN addresses), and the table holds at most `maxEntries` rooms,
// `maxPerSender` of them from one address, so a flood can neither grow memory nor push out real rooms.
import { decodeAdvertTxt, NEARBY_ROOMS_MAX, type NearbyAdvert } from '../../../src-shared/nearby/advert.js';
import { SERVICE_DOMAIN, sameName } from './mdns-records.js';
import type { DnsPacket, DnsRecord } from './mdns-transport.js';

/** One room heard on the link. */
export interface HeardRoom extends NearbyAdvert {
  /** Stable while the room is advertised: instance name and responder, so equal names stay apart. */
  key: string;
  /** The address the announcement came from: the one to dial. */
  address: string;
  port: number;
}

export interface HeardRoomsOptions {
  maxEntries?: number;
  maxPerSender?: number;
  /** Longest TTL believed, so a room that vanished without a goodbye leaves within this long. */
  maxTtlS?: number;
  now?: () => number;
}

export const DEFAULT_MAX_ENTRIES = NEARBY_ROOMS_MAX;
export const DEFAULT_MAX_PER_SENDER = 8;
const DEFAULT_MAX_TTL_S = 300;

interface Entry {
  room: HeardRoom;
  expiresAt: number;
}

export class HeardRooms {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly maxPerSender: number;
  private readonly maxTtlS: number;
  private readonly now: () => number;

  constructor(options: HeardRoomsOptions = {}) {
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.maxPerSender = options.maxPerSender ?? DEFAULT_MAX_PER_SENDER;
    this.maxTtlS = options.maxTtlS ?? DEFAULT_MAX_TTL_S;
    this.now = options.now ?? Date.now;
  }

  /** The rooms heard and not yet expired, in the order first heard. */
  rooms(): HeardRoom[] {
    return [...this.entries.values()].map((e) => e.room);
  }

  /** Reads one response from `sender`; true when the list changed. */
  read(packet: DnsPacket, sender: string): boolean {
    const records = [...(packet.answers ?? []), ...(packet.additionals ?? [])];
    let changed = false;
    for (const pointer of records) {
      if (pointer.type !== 'PTR' || !sameName(pointer.name, SERVICE_DOMAIN) || typeof pointer.data !== 'string')
        continue;
      changed = this.readInstance(pointer.data, pointer.ttl ?? 0, records, sender) || changed;
    }
    return changed;
  }

  /** Drops entries whose records expired; true when the list changed. */
  expire(): boolean {
    const now = this.now();
    let changed = false;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) continue;
      this.entries.delete(key);
      changed = true;
    }
    return changed;
  }

  private readInstance(instance: string, ttl: number, records: DnsRecord[], sender: string): boolean {
    const srv = records.find((rr) => rr.type === 'SRV' && sameName(rr.name, instance));
    const target = srvTarget(srv);
    if (ttl === 0) {
      // A goodbye: drop every entry of that instance from that sender (the SRV may be absent).
      let dropped = false;
      for (const [key, entry] of this.entries) {
        if (sameName(keyInstance(key), instance) && entry.room.address === sender) {
          this.entries.delete(key);
          dropped = true;
        }
      }
      return dropped;
    }
    const port = srvPort(srv);
    const txt = records.find((rr) => rr.type === 'TXT' && sameName(rr.name, instance));
    if (target === null || port === null || !txt || !Array.isArray(txt.data)) return false;
    const advert = decodeAdvertTxt(txt.data.filter((s): s is Uint8Array => s instanceof Uint8Array));
    if (typeof advert === 'string') return false;

    const key = `${instance.toLowerCase()}\n${target.toLowerCase()}`;
    const expiresAt = this.now() + Math.min(ttl, this.maxTtlS) * 1000;
    const existing = this.entries.get(key);
    if (existing) {
      // A multi-homed host is heard on several addresses: keep the first, refresh the rest. Only the
      // first address may change the room (its port, password flag, fingerprint): anyone else could
      // claim the same instance and target to swap the fingerprint a click would pin.
      const same = sameRoom(existing.room, advert, port);
      if (!same && existing.room.address !== sender) return false;
      existing.expiresAt = expiresAt;
      if (same) return false;
      existing.room = { ...advert, key, address: existing.room.address, port };
      return true;
    }
    if (this.entries.size >= this.maxEntries) return false;
    if (this.rooms().filter((r) => r.address === sender).length >= this.maxPerSender) return false;
    this.entries.set(key, { room: { ...advert, key, address: sender, port }, expiresAt });
    return true;
  }
}

function keyInstance(key: string): string {
  return key.slice(0, key.indexOf('\n'));
}

function srvTarget(srv: DnsRecord | undefined): string | null {
  const data = srv?.data as { target?: unknown } | undefined;
  return typeof data?.target === 'string' && data.target.length > 0 ? data.target : null;
}

function srvPort(srv: DnsRecord | undefined): number | null {
  const data = srv?.data as { port?: unknown } | undefined;
  const port = data?.port;
  return typeof port === 'number' && Number.isInteger(port) && port > 0 && port <= 65535 ? port : null;
}

function sameRoom(room: HeardRoom, advert: NearbyAdvert, port: number): boolean {
  return (
    room.room === advert.room &&
    room.passwordRequired === advert.passwordRequired &&
    room.fingerprint === advert.fingerprint &&
    room.port === port
  );
}
