// Nearby rooms for the app: lists the user's hosted rooms on the local network while they are open
// (unless the user turned a room's toggle off) and keeps the list of rooms others advertise. The
// mDNS socket opens on first use; if it cannot, the state says why and hosting goes on regardless.
import type { NearbyRoom, NearbyState, RoomId, RoomView } from '../../src-shared/ipc/contract.js';
import { unmappableBindReason } from '../../src-shared/reach/mappable-bind.js';
import type { Logger } from './logger.js';
import type { Advertisement, HeardRoom, NearbyDiscovery } from './nearby/nearby-discovery.js';

export type OpenDiscovery = () => Promise<NearbyDiscovery>;

interface Listing {
  /** What was advertised: a change (new port, password added) re-advertises. */
  signature: string;
  ad: Promise<Advertisement | null>;
}

function toNearbyRoom(heard: HeardRoom): NearbyRoom {
  return {
    id: heard.key,
    room: heard.room,
    host: heard.address,
    port: heard.port,
    passwordRequired: heard.passwordRequired,
    fingerprint: heard.fingerprint,
  };
}

/**
 * Whether others on the LAN can reach a server bound to `bindHost` at the IPv4 address its
 * announcements come from: the rule a router mapping needs too (a LAN IPv4 address or all interfaces).
 */
export function reachableFromLan(bindHost: string): boolean {
  return unmappableBindReason(bindHost) === null;
}

function describeOpenFailure(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') return 'Another program holds the local-network discovery port (UDP 5353).';
  if (code === 'EACCES') return 'This system does not allow the app to use local-network discovery (UDP 5353).';
  return `Local-network discovery is not available: ${err instanceof Error ? err.message : String(err)}`;
}

export class NearbyRooms {
  private discovery: Promise<NearbyDiscovery | null> | null = null;
  /** The discovery once open, for the synchronous state(). */
  private opened: NearbyDiscovery | null = null;
  private problem: string | null = null;
  private readonly unlisted = new Set<RoomId>();
  private readonly lanUnreachable = new Set<RoomId>();
  private readonly listings = new Map<RoomId, Listing>();
  private readonly views = new Map<RoomId, RoomView>();
  private readonly binds = new Map<RoomId, string | null>();
  private closed = false;

  constructor(
    private readonly open: OpenDiscovery | null,
    private readonly emit: (state: NearbyState) => void,
    private readonly log: Logger,
  ) {
    if (!open) this.problem = 'Local-network discovery is off in this build.';
  }

  state(): NearbyState {
    return {
      rooms: this.heard(),
      problem: this.problem,
      unlisted: [...this.unlisted],
      lanUnreachable: [...this.lanUnreachable],
    };
  }

  /** Starts browsing (first call) and resolves with the state once the socket is open or failed. */
  async browse(): Promise<NearbyState> {
    const discovery = await this.ensure();
    discovery?.browse();
    return this.state();
  }

  /**
   * A room's view changed: list it while it is hosted, open, not turned off and reachable from the
   * LAN. `bindHost`: the address a hosted room's server listens on (null for a joined room).
   */
  viewChanged(view: RoomView, bindHost: string | null): void {
    this.views.set(view.id, view);
    this.binds.set(view.id, bindHost);
    const reachable = bindHost !== null && reachableFromLan(bindHost);
    if (view.hosted && reachable === this.lanUnreachable.has(view.id)) {
      if (reachable) this.lanUnreachable.delete(view.id);
      else this.lanUnreachable.add(view.id);
      this.changed();
    }
    const wanted =
      view.hosted && reachable && view.state === 'connected' && view.share !== null && !this.unlisted.has(view.id);
    const signature = wanted ? `${view.room}\n${view.share?.port}\n${view.passwordProtected}` : '';
    const current = this.listings.get(view.id);
    if (current?.signature === signature) return;
    if (current) this.withdraw(view.id);
    if (!wanted || this.closed) return;
    // The host certificate's fingerprint goes out too, so a member can pin it from the list.
    const advert = {
      room: view.room,
      passwordRequired: view.passwordProtected,
      fingerprint: view.share?.fingerprint ?? null,
    };
    const port = view.share?.port ?? 0;
    const ad = this.ensure().then(async (discovery) => {
      if (!discovery) return null;
      try {
        return await discovery.advertise(advert, port, this.binds.get(view.id) ?? null);
      } catch (err) {
        this.log.warn('nearby-advertise-failed', { room: view.room, error: (err as Error).message });
        return null;
      }
    });
    this.listings.set(view.id, { signature, ad });
  }

  roomGone(roomId: RoomId): void {
    this.withdraw(roomId);
    this.views.delete(roomId);
    this.binds.delete(roomId);
    this.unlisted.delete(roomId);
    if (this.lanUnreachable.delete(roomId)) this.changed();
  }

  /** The per-room toggle. */
  setListed(roomId: RoomId, listed: boolean): NearbyState {
    if (listed) this.unlisted.delete(roomId);
    else this.unlisted.add(roomId);
    const view = this.views.get(roomId);
    if (view) this.viewChanged(view, this.binds.get(roomId) ?? null);
    this.changed();
    return this.state();
  }

  /** Goodbyes for every listed room, then the socket closes. */
  async close(): Promise<void> {
    this.closed = true;
    const discovery = await this.discovery;
    await discovery?.close();
  }

  private withdraw(roomId: RoomId): void {
    const listing = this.listings.get(roomId);
    if (!listing) return;
    this.listings.delete(roomId);
    void listing.ad.then((ad) => ad?.withdraw());
  }

  private ensure(): Promise<NearbyDiscovery | null> {
    if (!this.open) return Promise.resolve(null);
    this.discovery ??= this.open().then(
      (discovery) => {
        this.opened = discovery;
        discovery.on('changed', () => this.changed());
        return discovery;
      },
      (err: unknown) => {
        this.problem = describeOpenFailure(err);
        this.log.warn('nearby-unavailable', { error: (err as Error).message });
        this.changed();
        return null;
      },
    );
    return this.discovery;
  }

  private heard(): NearbyRoom[] {
    return this.opened?.rooms().map(toNearbyRoom) ?? [];
  }

  private changed(): void {
    this.emit(this.state());
  }
}
