// The primary's half of a relay spread over shards (docs/MULTICORE.md): it accepts TCP, reads just
// enough of each TCRP request to know the room — the 32-byte header and the room name — and hands
// the connection, with those bytes, to the shard that owns the room: the shard whose UDP socket the
// kernel's steering program gives that room's datagrams (roomShard). The shard runs the handshake.
import type { Socket } from 'node:net';
import { ROOM_NAME_MAX_BYTES, TCRP_HEADER_BYTES } from '../../../src-shared/protocol/index.js';
import { IpCounts } from './ip-counts.js';
import { normaliseIp } from './ip.js';
import { roomShard } from './room-shard.js';

export interface ShardRouterOptions {
  shards: number;
  /** The handshake deadline; a connection that has not sent its room by then goes to shard 0, which answers it timed out. */
  handshakeTimeoutMs: number;
  /** Connections still sending their header at once, in all and per remote IP; more are closed at accept. */
  maxPending: number;
  maxPendingPerIp: number;
}

/**
 * Receives a paused socket, the bytes read from it, the owning shard and the time since accept. The
 * socket keeps an error listener (a reset must not go unhandled) until its new owner has it. To send
 * it to another process, take what it buffered since and stop its reads first (detachForHandOver).
 */
export type HandOver = (socket: Socket, head: Buffer, shard: number, elapsedMs: number) => void;

/** Appends whatever the paused socket's stream has buffered to `head`. */
function takeBuffered(socket: Socket, head: Buffer): Buffer {
  for (let more = socket.read() as Buffer | null; more !== null; more = socket.read() as Buffer | null)
    head = Buffer.concat([head, more]);
  return head;
}

/**
 * Right before a socket is sent to another process: takes what its stream buffered, then stops its
 * reads at the kernel, not just its events. Node's pause() keeps reading, and the parent's copy
 * drops whatever it reads once sent, while the rest of the request may still be on its way; what
 * stays in the kernel is read by the new owner. Returns the complete head. Synchronous, so nothing
 * is read in between.
 */
export function detachForHandOver(socket: Socket, head: Buffer): Buffer {
  const all = takeBuffered(socket, head);
  // eslint-disable-next-line no-restricted-syntax -- a Node internal: net.Socket keeps its libuv handle (readStop) private
  const handle = (socket as unknown as { _handle?: { reading?: boolean; readStop?: () => number } })._handle;
  if (handle?.readStop) {
    handle.reading = false;
    handle.readStop();
  }
  return all;
}

const ignoreError = (): void => {};

export class ShardRouter {
  private readonly open = new Set<Socket>();
  private readonly perIp = new IpCounts();
  /** Connections closed at accept because the pending caps were reached. */
  refused = 0;

  constructor(
    private readonly options: ShardRouterOptions,
    private readonly handOver: HandOver,
  ) {}

  get pending(): number {
    return this.open.size;
  }

  /** Connections from this (normalised) IP still sending their header. */
  pendingFrom(ip: string): number {
    return this.perIp.of(ip);
  }

  /** Closes every connection still sending its header (shutdown). */
  closeAll(): void {
    for (const socket of this.open) socket.destroy();
  }

  accept(socket: Socket): void {
    const ip = normaliseIp(socket.remoteAddress ?? '');
    const fromIp = this.perIp.of(ip);
    if (this.open.size >= this.options.maxPending || fromIp >= this.options.maxPendingPerIp) {
      this.refused++;
      socket.destroy();
      return;
    }
    this.open.add(socket);
    this.perIp.add(ip);
    const acceptedAt = Date.now();
    let head: Buffer = Buffer.alloc(0);
    let done = false;
    const finish = (shard: number | null): void => {
      if (done) return;
      done = true;
      this.open.delete(socket);
      this.perIp.remove(ip);
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onClose);
      socket.off('error', onError);
      socket.on('error', ignoreError);
      if (shard === null) return; // closed before it said anything useful
      socket.pause();
      // Whatever the stream read ahead belongs to the request too.
      this.handOver(socket, takeBuffered(socket, head), shard, Date.now() - acceptedAt);
    };
    const onData = (chunk: Buffer): void => {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const roomLength = head[0] as number;
      // A request no shard could accept is still answered by one (with the status the spec names).
      if (roomLength === 0 || roomLength > ROOM_NAME_MAX_BYTES) return finish(0);
      const need = TCRP_HEADER_BYTES + roomLength;
      if (head.length >= need) finish(roomShard(head.subarray(TCRP_HEADER_BYTES, need), this.options.shards));
    };
    // The client stopped sending before its room name: shard 0 answers the short request.
    const onEnd = (): void => finish(0);
    const onError = (): void => {
      finish(null);
      socket.destroy();
    };
    const onClose = (): void => finish(null);
    // Silent past the deadline: shard 0 answers HANDSHAKE_TIMEOUT at once.
    const timer = setTimeout(() => finish(0), this.options.handshakeTimeoutMs);
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('error', onError);
    socket.on('close', onClose);
  }
}
