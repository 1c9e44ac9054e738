// The stats request of a sharded server: asks every shard that takes messages for its counters and
// rooms (one request id each, answered over IPC), and adds the counters up.
import type { ChildProcess } from 'node:child_process';
import type { ServerStats } from './chat-server.js';
import type { ShardStatsReply, ToShard } from './shard-messages.js';

/** How long a shard may take to answer. */
const STATS_TIMEOUT_MS = 5_000;

export interface ShardStats extends ServerStats {
  /** Per shard: CPU time used so far (µs) and RSS, in shard order. */
  shards: { cpuMicros: number; rssBytes: number; rooms: number; members: number }[];
}

export class ShardStatsRequests {
  private lastId = 0;
  private readonly waiting = new Map<number, (reply: ShardStatsReply) => void>();

  /** Every shard's answer, in the order given; rejects if one does not answer in time. */
  ask(shards: { index: number; child: ChildProcess }[]): Promise<ShardStatsReply[]> {
    return Promise.all(
      shards.map(
        ({ index, child }) =>
          new Promise<ShardStatsReply>((resolve, reject) => {
            const id = ++this.lastId;
            const timer = setTimeout(() => {
              this.waiting.delete(id);
              reject(new Error(`shard ${index} did not answer`));
            }, STATS_TIMEOUT_MS);
            this.waiting.set(id, (reply) => {
              clearTimeout(timer);
              this.waiting.delete(id);
              resolve(reply);
            });
            child.send({ type: 'stats', id } satisfies ToShard);
          }),
      ),
    );
  }

  /** A shard's answer; one nobody waits for any more (timed out) is dropped. */
  answer(reply: ShardStatsReply): void {
    this.waiting.get(reply.id)?.(reply);
  }
}

/** The shards' counters added up, and each shard's own CPU, memory, rooms and members. */
export function mergeShardStats(replies: ShardStatsReply[]): ShardStats {
  const sum = (pick: (s: ServerStats) => number): number => replies.reduce((n, r) => n + pick(r.stats), 0);
  const merge = (pick: (s: ServerStats) => Record<string, number>): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const r of replies) for (const [k, v] of Object.entries(pick(r.stats))) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const first = replies[0]?.stats;
  return {
    rooms: sum((s) => s.rooms),
    members: sum((s) => s.members),
    datagramsIn: sum((s) => s.datagramsIn),
    datagramsRelayed: sum((s) => s.datagramsRelayed),
    chatResends: sum((s) => s.chatResends),
    dropped: merge((s) => s.dropped),
    handshakes: merge((s) => s.handshakes),
    sendPath: first?.sendPath ?? 'dgram',
    receivePath: first?.receivePath ?? 'dgram',
    udpSent: sum((s) => s.udpSent),
    udpFailed: sum((s) => s.udpFailed),
    shards: replies.map((r) => ({
      cpuMicros: r.cpuMicros,
      rssBytes: r.rssBytes,
      rooms: r.stats.rooms,
      members: r.stats.members,
    })),
  };
}
