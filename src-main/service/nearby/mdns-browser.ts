// The browser for `_tincan._tcp`: asks the link now and then, reads every response (announcements,
// answers to anyone's query, goodbyes) into a bounded table and drops entries when their records
// expire. Everything in a response is untrusted: the TXT record goes through the strict decoder, the
// address to dial is the one the packet came from (not the A records, which may list Docker or VPN
// addresses), and the table holds at most `maxEntries` rooms, `maxPerSender` of them from one address,
// so a flood of junk announcements can neither grow memory nor push out the real rooms.
import { EventEmitter } from 'node:events';
import type { RemoteInfo } from 'node:dgram';
import { decodeAdvertTxt, NEARBY_ROOMS_MAX, type NearbyAdvert } from '../../../src-shared/nearby/advert.js';
import { SERVICE_DOMAIN, sameName } from './mdns-records.js';
import type { DnsPacket, DnsRecord, MdnsTransport } from './mdns-transport.js';

/** One room heard on the link. */
export interface HeardRoom extends NearbyAdvert {
  /** Stable while the room is advertised: instance name and responder, so equal names stay apart. */
  key: string;
  /** The address the announcement came from: the one to dial. */
  address: string;
  port: number;
}

export interface BrowserOptions {
  maxEntries?: number;
  maxPerSender?: number;
  /** Longest TTL believed, so a room that vanished without a goodbye leaves within this long. */
  maxTtlS?: number;
  now?: () => number;
}

export const DEFAULT_MAX_ENTRIES = NEARBY_ROOMS_MAX;
export const DEFAULT_MAX_PER_SENDER = 8;
const DEFAULT_MAX_TTL_S = 300;
/** Queries at 0, 1, 3, 7 … s, then every minute (RFC 6762 §5.2: intervals at least double). */
const FIRST_QUERY_GAP_MS = 1000;
const MAX_QUERY_GAP_MS = 60_000;
const EXPIRE_EVERY_MS = 1000;

interface Entry {
  room: HeardRoom;
  expiresAt: number;
}

export interface BrowserEvents {
  changed: [];
}

export class MdnsBrowser extends EventEmitter<BrowserEvents> {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly maxPerSender: number;
  private readonly maxTtlS: number;
  private readonly now: () => number;
  private queryTimer: NodeJS.Timeout | null = null;
  private expireTimer: NodeJS.Timeout | null = null;
  private readonly onResponse = (packet: DnsPacket, from: RemoteInfo): void => this.read(packet, from.address);

  constructor(
    private readonly transport: MdnsTransport,
    options: BrowserOptions = {},
  ) {
    super();
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.maxPerSender = options.maxPerSender ?? DEFAULT_MAX_PER_SENDER;
    this.maxTtlS = options.maxTtlS ?? DEFAULT_MAX_TTL_S;
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.expireTimer) return;
    this.transport.on('response', this.onResponse);
    this.expireTimer = setInterval(() => this.expire(), EXPIRE_EVERY_MS);
    this.expireTimer.unref();
    this.query(FIRST_QUERY_GAP_MS);
  }

  stop(): void {
    this.transport.off('response', this.onResponse);
    if (this.queryTimer) clearTimeout(this.queryTimer);
    if (this.expireTimer) clearInterval(this.expireTimer);
    this.queryTimer = this.expireTimer = null;
  }

  /** The rooms heard and not yet expired, in the order first heard. */
  rooms(): HeardRoom[] {
    return [...this.entries.values()].map((e) => e.room);
  }

  /** Reads one response from `sender` (exposed so a test can feed crafted packets). */
  read(packet: DnsPacket, sender: string): void {
    const records = [...(packet.answers ?? []), ...(packet.additionals ?? [])];
    let changed = false;
    for (const pointer of records) {
      if (pointer.type !== 'PTR' || !sameName(pointer.name, SERVICE_DOMAIN) || typeof pointer.data !== 'string')
        continue;
      changed = this.readInstance(pointer, records, sender) || changed;
    }
    if (changed) this.emit('changed');
  }

  /** Drops entries whose records expired; exposed for tests that drive the clock. */
  expire(): void {
    const now = this.now();
    let changed = false;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) continue;
      this.entries.delete(key);
      changed = true;
    }
    if (changed) this.emit('changed');
  }

  private readInstance(pointer: DnsRecord, records: DnsRecord[], sender: string): boolean {
    const instance = pointer.data as string;
    const srv = records.find((rr) => rr.type === 'SRV' && sameName(rr.name, instance));
    const target = srvTarget(srv);
    const ttl = pointer.ttl ?? 0;
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
      // A multi-homed host is heard on several addresses: keep the first, refresh the rest.
      const same = sameRoom(existing.room, advert, port);
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

  private query(nextGapMs: number): void {
    void this.transport.send({ type: 'query', questions: [{ name: SERVICE_DOMAIN, type: 'PTR' }] });
    this.queryTimer = setTimeout(() => this.query(Math.min(nextGapMs * 2, MAX_QUERY_GAP_MS)), nextGapMs);
    this.queryTimer.unref();
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
