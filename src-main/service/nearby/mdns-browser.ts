// The browser for `_tincan._tcp`: asks the link now and then (backing off), feeds every response it
// hears into the bounded HeardRooms table and expires entries once a second.
import { EventEmitter } from 'node:events';
import type { RemoteInfo } from 'node:dgram';
import { HeardRooms, type HeardRoom, type HeardRoomsOptions } from './heard-rooms.js';
import { SERVICE_DOMAIN } from './mdns-records.js';
import type { DnsPacket, MdnsTransport } from './mdns-transport.js';

export type { HeardRoom } from './heard-rooms.js';

/** Queries at 0, 1, 3, 7 … s, then every minute (RFC 6762 §5.2: intervals at least double). */
const FIRST_QUERY_GAP_MS = 1000;
const MAX_QUERY_GAP_MS = 60_000;
const EXPIRE_EVERY_MS = 1000;

export interface BrowserEvents {
  changed: [];
}

export class MdnsBrowser extends EventEmitter<BrowserEvents> {
  private readonly table: HeardRooms;
  private queryTimer: NodeJS.Timeout | null = null;
  private expireTimer: NodeJS.Timeout | null = null;
  private readonly onResponse = (packet: DnsPacket, from: RemoteInfo): void => {
    if (this.table.read(packet, from.address)) this.emit('changed');
  };

  constructor(
    private readonly transport: MdnsTransport,
    options: HeardRoomsOptions = {},
  ) {
    super();
    this.table = new HeardRooms(options);
  }

  start(): void {
    if (this.expireTimer) return;
    this.transport.on('response', this.onResponse);
    this.expireTimer = setInterval(() => {
      if (this.table.expire()) this.emit('changed');
    }, EXPIRE_EVERY_MS);
    this.expireTimer.unref();
    this.query(FIRST_QUERY_GAP_MS);
  }

  stop(): void {
    this.transport.off('response', this.onResponse);
    if (this.queryTimer) clearTimeout(this.queryTimer);
    if (this.expireTimer) clearInterval(this.expireTimer);
    this.queryTimer = this.expireTimer = null;
  }

  rooms(): HeardRoom[] {
    return this.table.rooms();
  }

  private query(nextGapMs: number): void {
    void this.transport.send({ type: 'query', questions: [{ name: SERVICE_DOMAIN, type: 'PTR' }] });
    this.queryTimer = setTimeout(() => this.query(Math.min(nextGapMs * 2, MAX_QUERY_GAP_MS)), nextGapMs);
    this.queryTimer.unref();
  }
}
