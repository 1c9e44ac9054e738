// The in-process parts of a sharded server's primary: its list of the shards' rooms, the caps it
// applies across shards, and the merge of the shards' stats.
import { describe, expect, it } from 'vitest';
import { Status } from '../../src-shared/protocol/index.js';
import type { ServerStats } from '../../src-main/engine/server/chat-server.js';
import { ShardCaps } from '../../src-main/engine/server/shard-caps.js';
import type { ShardStatsReply } from '../../src-main/engine/server/shard-messages.js';
import { ShardRooms } from '../../src-main/engine/server/shard-rooms.js';
import { mergeShardStats } from '../../src-main/engine/server/shard-stats.js';
import { CREATE, JOIN, requestFrame } from '../support/raw-tcrp.js';

const head = (op: number, room: string): Buffer =>
  Buffer.from(requestFrame({ operation: op, room, payload: { username: 'u' } }));

describe('ShardRooms', () => {
  it('keeps each room as its shard last reported it, and drops a dead shard’s rooms', () => {
    const rooms = new ShardRooms(2);
    rooms.update(0, 'a', { name: 'a', members: 1, hasPassword: true });
    rooms.update(1, 'b', { name: 'b', members: 1, hasPassword: false });
    rooms.update(0, 'a', { name: 'a', members: 3, hasPassword: true });
    expect(rooms.list()).toEqual([
      { name: 'a', members: 3, hasPassword: true },
      { name: 'b', members: 1, hasPassword: false },
    ]);
    expect(rooms.size).toBe(2);
    expect(rooms.has('b')).toBe(true);
    rooms.update(1, 'b', null);
    expect(rooms.has('b')).toBe(false);
    expect(rooms.dropShard(0)).toEqual(['a']);
    expect(rooms.size).toBe(0);
    // A shard index out of range changes nothing.
    rooms.update(5, 'c', { name: 'c', members: 1, hasPassword: false });
    expect(rooms.list()).toEqual([]);
  });
});

describe('ShardCaps', () => {
  it('counts an IP’s routed and pending connections against the per-IP cap until they close', () => {
    const pending = new Map<string, number>([['10.0.0.1', 1]]);
    const caps = new ShardCaps(
      { maxConnectionsPerIp: 2, maxRooms: 10 },
      new ShardRooms(2),
      (ip) => pending.get(ip) ?? 0,
    );
    expect(caps.refusal('10.0.0.1', head(JOIN, 'x'))).toBeNull();
    const id = caps.track('10.0.0.1', 1);
    expect(caps.routedConnections).toBe(1);
    expect(caps.refusal('10.0.0.1', head(JOIN, 'x'))).toEqual({
      status: Status.SERVER_FULL,
      reason: 'per-IP connection cap reached',
    });
    expect(caps.refusal('10.0.0.2', head(JOIN, 'x'))).toBeNull();
    caps.untrack(id);
    caps.untrack(id); // a second report changes nothing
    expect(caps.refusal('10.0.0.1', head(JOIN, 'x'))).toBeNull();
    // A dead shard's connections are forgotten at once.
    caps.track('10.0.0.1', 0);
    caps.track('10.0.0.3', 1);
    caps.forgetShard(0);
    expect(caps.routedConnections).toBe(1);
  });

  it('refuses a CREATE of a new name once the shards’ rooms add up to the cap, not an existing name', () => {
    const rooms = new ShardRooms(2);
    const caps = new ShardCaps({ maxConnectionsPerIp: 64, maxRooms: 2 }, rooms, () => 0);
    rooms.update(0, 'a', { name: 'a', members: 1, hasPassword: false });
    expect(caps.refusal('10.0.0.1', head(CREATE, 'new'))).toBeNull();
    rooms.update(1, 'b', { name: 'b', members: 1, hasPassword: false });
    expect(caps.refusal('10.0.0.1', head(CREATE, 'new'))).toEqual({
      status: Status.SERVER_FULL,
      reason: 'room cap reached',
    });
    expect(caps.refusal('10.0.0.1', head(CREATE, 'b'))).toBeNull(); // the shard answers ROOM_EXISTS
    expect(caps.refusal('10.0.0.1', head(JOIN, 'new'))).toBeNull();
  });
});

describe('mergeShardStats', () => {
  const stats = (n: number): ServerStats => ({
    rooms: n,
    members: 2 * n,
    datagramsIn: 10 * n,
    datagramsRelayed: 20 * n,
    chatResends: n,
    dropped: { 'rate-limited': n },
    handshakes: { OK: n, ...(n > 1 ? { ROOM_EXISTS: 1 } : {}) },
    sendPath: 'sendmmsg',
    receivePath: 'recvmmsg',
    udpSent: 5 * n,
    udpFailed: n - 1,
  });
  const reply = (n: number): ShardStatsReply => ({
    type: 'stats',
    id: n,
    stats: stats(n),
    rooms: [],
    cpuMicros: 100 * n,
    rssBytes: 1000 * n,
  });

  it('adds the counters up and keeps each shard’s own figures in shard order', () => {
    expect(mergeShardStats([reply(1), reply(2)])).toEqual({
      rooms: 3,
      members: 6,
      datagramsIn: 30,
      datagramsRelayed: 60,
      chatResends: 3,
      dropped: { 'rate-limited': 3 },
      handshakes: { OK: 3, ROOM_EXISTS: 1 },
      sendPath: 'sendmmsg',
      receivePath: 'recvmmsg',
      udpSent: 15,
      udpFailed: 1,
      shards: [
        { cpuMicros: 100, rssBytes: 1000, rooms: 1, members: 2 },
        { cpuMicros: 200, rssBytes: 2000, rooms: 2, members: 4 },
      ],
    });
  });

  it('reports nothing counted when no shard answered', () => {
    const none = mergeShardStats([]);
    expect(none.rooms).toBe(0);
    expect(none.sendPath).toBe('dgram');
    expect(none.shards).toEqual([]);
  });
});
