// Room names chosen by shard, for tests that need one room on each shard of a sharded server.
import { roomShard } from '../../src-main/engine/server/room-shard.js';

/** One room name per shard (index = the shard that owns it), `${prefix}-${i}` for the first i that fits. */
export function roomsByShard(prefix: string, shards: number): string[] {
  const found: (string | undefined)[] = Array.from({ length: shards }, () => undefined);
  for (let i = 0; found.includes(undefined); i++) {
    // roomShard reads the first 8 bytes only: a longer prefix would make every name land alike.
    if (i > 10_000) throw new Error(`no name per shard with prefix "${prefix}" (keep it under 7 bytes)`);
    found[roomShard(Buffer.from(`${prefix}-${i}`), shards)] ??= `${prefix}-${i}`;
  }
  return found as string[];
}

/** `count` room names that shard `shard` of `shards` owns, `${prefix}-${i}` for the first i that fit. */
export function roomsOnShard(prefix: string, shard: number, count: number, shards = 2): string[] {
  const found: string[] = [];
  for (let i = 0; found.length < count; i++) {
    if (i > 10_000) throw new Error(`too few names on shard ${shard} with prefix "${prefix}" (keep it under 7 bytes)`);
    if (roomShard(Buffer.from(`${prefix}-${i}`), shards) === shard) found.push(`${prefix}-${i}`);
  }
  return found;
}
