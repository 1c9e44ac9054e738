// The policy caps of a single ChatServer, applied across the shards of a sharded server by its
// primary (a shard alone sees only its own connections and rooms): connections per IP and rooms.
import { Operation, Status, TCRP_HEADER_BYTES } from '../../../src-shared/protocol/index.js';
import { IpCounts } from './ip-counts.js';
import type { ShardRefusal } from './shard-messages.js';
import type { ShardRooms } from './shard-rooms.js';

export interface ShardCapsOptions {
  maxConnectionsPerIp: number;
  maxRooms: number;
}

export class ShardCaps {
  /**
   * Connections handed to a shard and not yet closed there, by id: the per-IP cap counts them, as a
   * single ChatServer counts its connections.
   */
  private readonly routed = new Map<number, { ip: string; shard: number }>();
  private readonly routedPerIp = new IpCounts();
  private lastId = 0;

  constructor(
    private readonly options: ShardCapsOptions,
    private readonly rooms: ShardRooms,
    /** Connections from an IP still sending their header to the primary. */
    private readonly pendingFrom: (ip: string) => number,
  ) {}

  /**
   * Connections per IP: counted until the shard reports them closed, plus those still sending their
   * header. Rooms: a CREATE of a new name once every shard's rooms add up to the cap. Each shard still
   * applies its own caps too, and the pending-handshake cap stays a per-process bound. Creates racing
   * in different shards can pass the room cap by at most the handshakes in flight at that moment.
   */
  refusal(ip: string, head: Buffer): ShardRefusal | null {
    if (this.routedPerIp.of(ip) + this.pendingFrom(ip) >= this.options.maxConnectionsPerIp) {
      return { status: Status.SERVER_FULL, reason: 'per-IP connection cap reached' };
    }
    const roomLength = head[0] ?? 0;
    if (head[1] === Operation.CREATE && head.length >= TCRP_HEADER_BYTES + roomLength) {
      const room = head.toString('utf8', TCRP_HEADER_BYTES, TCRP_HEADER_BYTES + roomLength);
      // An existing name is the shard's to answer (ROOM_EXISTS), as without shards.
      if (this.rooms.size >= this.options.maxRooms && !this.rooms.has(room)) {
        return { status: Status.SERVER_FULL, reason: 'room cap reached' };
      }
    }
    return null;
  }

  /** A connection handed to a shard; returns the id the shard reports its close with. */
  track(ip: string, shard: number): number {
    const id = ++this.lastId;
    this.routed.set(id, { ip, shard });
    this.routedPerIp.add(ip);
    return id;
  }

  untrack(id: number): void {
    const conn = this.routed.get(id);
    if (conn === undefined) return;
    this.routed.delete(id);
    this.routedPerIp.remove(conn.ip);
  }

  /** A shard died: its connections died with it, and will never be reported closed. */
  forgetShard(shard: number): void {
    for (const [id, conn] of this.routed) if (conn.shard === shard) this.untrack(id);
  }

  /** Connections handed to shards and not yet reported closed (what the per-IP cap counts). */
  get routedConnections(): number {
    return this.routed.size;
  }
}
