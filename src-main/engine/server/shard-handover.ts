// Handing routed connections to their shard process: at once when it takes connections, held (in a
// bounded queue) while it starts or restarts, and never left half-sent when it dies.
import type { Socket } from 'node:net';
import type { Logger } from '../log.js';
import { normaliseIp } from './ip.js';
import type { ShardCaps } from './shard-caps.js';
import type { ToShard } from './shard-messages.js';
import { detachForHandOver } from './shard-router.js';
import type { ShardSupervisor } from './shard-supervisor.js';

interface Held {
  socket: Socket;
  head: Buffer;
  acceptedAt: number;
}

export class ShardHandover {
  /** Per shard: routed while it was (re)starting, handed over once it is ready. */
  private readonly waiting: Held[][];
  /** Per shard: sent and not yet taken by the child (its ACK); destroyed if the child dies first. */
  private readonly inFlight: Set<Socket>[];
  private closed = false;

  constructor(
    shards: number,
    /** Bound on each shard's queue (waiting + in flight). */
    private readonly maxPending: number,
    private readonly supervisor: ShardSupervisor,
    private readonly caps: ShardCaps,
    private readonly log: Logger,
  ) {
    this.waiting = Array.from({ length: shards }, () => []);
    this.inFlight = Array.from({ length: shards }, () => new Set());
  }

  /** Hands a routed connection to its shard, or holds it (bounded) while that shard starts. */
  route(socket: Socket, head: Buffer, index: number, acceptedAt: number): void {
    const waiting = this.waiting[index];
    const inFlight = this.inFlight[index];
    // Gone while it waited (a reset): there is nothing to hand over, and nothing to count.
    if (waiting === undefined || inFlight === undefined || this.closed || socket.destroyed) {
      socket.destroy();
      return;
    }
    const child = this.supervisor.reachable(index);
    if (child === null) {
      if (waiting.length + inFlight.size >= this.maxPending) {
        socket.destroy();
        return;
      }
      const held = { socket, head, acceptedAt };
      waiting.push(held);
      // A client that gives up while the shard starts frees its place in the queue.
      socket.once('close', () => {
        const at = waiting.indexOf(held);
        if (at >= 0) waiting.splice(at, 1);
      });
      return;
    }
    if (inFlight.size >= this.maxPending) {
      socket.destroy(); // the shard is not taking them: do not queue without bound
      return;
    }
    inFlight.add(socket);
    // A socket that waited here kept reading into its (paused) stream: take that too, then stop.
    const whole = detachForHandOver(socket, head);
    const ip = normaliseIp(socket.remoteAddress ?? '');
    const refuse = this.caps.refusal(ip, whole);
    const id = this.caps.track(ip, index);
    const message: ToShard = {
      type: 'conn',
      id,
      head: whole.toString('base64'),
      elapsedMs: Date.now() - acceptedAt,
      refuse,
    };
    child.send(message, socket, (err) => {
      inFlight.delete(socket);
      if (err) {
        this.log.warn('handover-failed', { shard: index, err });
        this.caps.untrack(id);
        socket.destroy();
      }
    });
  }

  /** The shard takes connections again: what waited for it goes now. */
  shardReady(index: number): void {
    for (const held of this.waiting[index]?.splice(0) ?? []) this.route(held.socket, held.head, index, held.acceptedAt);
  }

  /** The shard died: sockets sent but never taken would stay open here for good. */
  shardExited(index: number): void {
    const inFlight = this.inFlight[index];
    if (inFlight === undefined) return;
    for (const socket of inFlight) socket.destroy();
    inFlight.clear();
  }

  /** Shutdown: closes every connection still waiting for its shard; later ones are closed at once. */
  close(): void {
    this.closed = true;
    for (const queue of this.waiting) for (const held of queue.splice(0)) held.socket.destroy();
  }
}
