// Nearby rooms on the local network, for the app service and the CLI alike: one mDNS socket, the
// advertiser of our rooms and the browser of everyone's, opened together and closed together (the
// goodbyes go out before the socket closes).
import { isIPv4 } from 'node:net';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { encodeAdvertTxt, type NearbyAdvert } from '../../../src-shared/nearby/advert.js';
import { MdnsAdvertiser, type Advertisement } from './mdns-advertiser.js';
import type { HeardRoom, HeardRoomsOptions } from './heard-rooms.js';
import { MdnsBrowser } from './mdns-browser.js';
import { MdnsTransport } from './mdns-transport.js';

export type { Advertisement } from './mdns-advertiser.js';
export type { HeardRoom } from './heard-rooms.js';

export interface DiscoveryOptions {
  /** Shown beside the room name in the instance label; default: this computer's short name. */
  hostId?: string;
  browser?: HeardRoomsOptions;
}

export interface DiscoveryEvents {
  /** The list of heard rooms changed. */
  changed: [];
}

/** The computer's name up to the first dot ("alice-laptop"), which people recognise. */
export function defaultHostId(): string {
  return hostname().split('.')[0] || 'tincan';
}

export class NearbyDiscovery extends EventEmitter<DiscoveryEvents> {
  private browsing = false;

  private constructor(
    private readonly transport: MdnsTransport,
    private readonly advertiser: MdnsAdvertiser,
    private readonly browser: MdnsBrowser,
  ) {
    super();
    browser.on('changed', () => this.emit('changed'));
  }

  /** Opens the mDNS socket; rejects with the system's error when UDP 5353 cannot be bound. */
  static async open(options: DiscoveryOptions = {}): Promise<NearbyDiscovery> {
    const transport = await MdnsTransport.open();
    const advertiser = new MdnsAdvertiser(transport, options.hostId ?? defaultHostId());
    return new NearbyDiscovery(transport, advertiser, new MdnsBrowser(transport, options.browser));
  }

  /**
   * Advertises one room served on `port` (its server bound to `bindHost`: one address keeps the
   * advert on that interface); resolves once it has a name on the link.
   */
  advertise(advert: NearbyAdvert, port: number, bindHost: string | null = null): Promise<Advertisement> {
    return this.advertiser.publish(advert.room, port, encodeAdvertTxt(advert), advertScope(bindHost));
  }

  /** Starts listening for rooms (idempotent). */
  browse(): void {
    if (this.browsing) return;
    this.browsing = true;
    this.browser.start();
  }

  rooms(): HeardRoom[] {
    return this.browser.rooms();
  }

  /** Goodbyes for our rooms, then the socket closes. */
  async close(): Promise<void> {
    this.browser.stop();
    await this.advertiser.close();
    await this.transport.close();
  }
}

/** The interface a room bound to `bindHost` is reachable on: one IPv4 address, or null for all. */
export function advertScope(bindHost: string | null): string | null {
  if (bindHost === null || bindHost === '0.0.0.0' || bindHost === '::' || bindHost === '') return null;
  return isIPv4(bindHost) ? bindHost : null;
}
