// The rooms of a sharded server as the primary knows them: each shard reports every room event with
// the room's state right after it (shard-messages.ts), and a shard that dies takes its rooms along.
// A member counts from its join announcement on, as the events tell it (a single ChatServer counts
// it from its admission, before its first datagram).
import type { RoomSummary } from './chat-server.js';

export class ShardRooms {
  private readonly byShard: Map<string, RoomSummary>[];

  constructor(shards: number) {
    this.byShard = Array.from({ length: shards }, () => new Map<string, RoomSummary>());
  }

  /** The room `name` of that shard now stands as `summary`, or is gone (null). */
  update(shard: number, name: string, summary: RoomSummary | null): void {
    const rooms = this.byShard[shard];
    if (rooms === undefined) return;
    if (summary === null) rooms.delete(name);
    else rooms.set(name, summary);
  }

  /** Forgets every room of a shard that died; returns their names. */
  dropShard(shard: number): string[] {
    const rooms = this.byShard[shard];
    if (rooms === undefined) return [];
    const names = [...rooms.keys()];
    rooms.clear();
    return names;
  }

  get size(): number {
    return this.byShard.reduce((n, rooms) => n + rooms.size, 0);
  }

  has(name: string): boolean {
    return this.byShard.some((rooms) => rooms.has(name));
  }

  list(): RoomSummary[] {
    return this.byShard.flatMap((rooms) => [...rooms.values()].map((room) => ({ ...room })));
  }
}
