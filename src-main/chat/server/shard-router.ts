// The primary's half of a relay spread over shards (docs/MULTICORE.md): it accepts TCP, reads just
// enough of each TCRP request to know the room — the 32-byte header and the room name — and hands
// the connection, with those bytes, to the shard that owns the room: the shard whose UDP socket the
// kernel's steering program gives that room's datagrams (roomShard). The shard runs the handshake.
import type { Socket } from 'node:net';
import { ROOM_NAME_MAX_BYTES, TCRP_HEADER_BYTES } from '../../../src-shared/protocol/index.js';
import { roomShard } from './room-shard.js';

export interface ShardRouterOptions {
  shards: number;
  /** The handshake deadline; a connection that has not sent its room by then goes to shard 0, which answers it timed out. */
  handshakeTimeoutMs: number;
  /** Connections still sending their header at once; more are closed at accept. */
  maxPending: number;
}

/** Receives a paused socket, the bytes read from it, the owning shard and the time since accept. */
export type HandOver = (socket: Socket, head: Buffer, shard: number, elapsedMs: number) => void;

/**
 * Stops the socket's reads at the kernel, not just its events: a socket handed to another process
 * drops whatever its old handle reads in the meantime, and the rest of the request may still be on
 * its way. What stays in the kernel is read by the new owner. (Node's own pause() keeps reading.)
 */
function stopReading(socket: Socket): void {
  const handle = (socket as unknown as { _handle?: { reading?: boolean; readStop?: () => number } })._handle;
  if (handle?.readStop) {
    handle.reading = false; // what net.Socket checks before starting reads again (resume())
    handle.readStop();
  }
}

export class ShardRouter {
  private pendingCount = 0;
  /** Connections closed at accept because maxPending were still sending headers. */
  refused = 0;

  constructor(
    private readonly options: ShardRouterOptions,
    private readonly handOver: HandOver,
  ) {}

  get pending(): number {
    return this.pendingCount;
  }

  accept(socket: Socket): void {
    if (this.pendingCount >= this.options.maxPending) {
      this.refused++;
      socket.destroy();
      return;
    }
    this.pendingCount++;
    const acceptedAt = Date.now();
    let head: Buffer = Buffer.alloc(0);
    let done = false;
    const finish = (shard: number | null): void => {
      if (done) return;
      done = true;
      this.pendingCount--;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      if (shard === null) return; // closed before it said anything useful
      socket.pause();
      stopReading(socket);
      // Whatever the stream read ahead belongs to the request too.
      for (let more = socket.read() as Buffer | null; more !== null; more = socket.read() as Buffer | null) head = Buffer.concat([head, more]);
      this.handOver(socket, head, shard, Date.now() - acceptedAt);
    };
    const onData = (chunk: Buffer): void => {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const roomLength = head[0] as number;
      // A request no shard could accept is still answered by one (with the status the spec names).
      if (roomLength === 0 || roomLength > ROOM_NAME_MAX_BYTES) return finish(0);
      const need = TCRP_HEADER_BYTES + roomLength;
      if (head.length >= need) finish(roomShard(head.subarray(TCRP_HEADER_BYTES, need), this.options.shards));
    };
    const onError = (): void => {
      finish(null);
      socket.destroy();
    };
    const onClose = (): void => finish(null);
    // Silent past the deadline: shard 0 answers HANDSHAKE_TIMEOUT at once.
    const timer = setTimeout(() => finish(0), this.options.handshakeTimeoutMs);
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
  }
}
