// The guards each side of a sharded server runs on what arrives over IPC (shard-messages.ts).
import { describe, expect, it } from 'vitest';
import { Status } from '../../src-shared/protocol/index.js';
import { isFromShard, isToShard, type FromShard, type ToShard } from '../../src-main/engine/server/shard-messages.js';

const stats = {
  rooms: 1,
  members: 2,
  datagramsIn: 0,
  datagramsRelayed: 0,
  chatResends: 0,
  dropped: {},
  handshakes: {},
  sendPath: 'sendmmsg',
  receivePath: 'recvmmsg',
  udpSent: 0,
  udpFailed: 0,
} as const;

describe('isToShard', () => {
  it('accepts every message the primary sends', () => {
    const sent: ToShard[] = [
      { type: 'conn', id: 1, head: 'AAEC', elapsedMs: 3, refuse: null },
      {
        type: 'conn',
        id: 2,
        head: '',
        elapsedMs: 0,
        refuse: { status: Status.SERVER_FULL, reason: 'room cap reached' },
      },
      { type: 'stats', id: 7 },
      { type: 'close' },
    ];
    for (const msg of sent) expect(isToShard(msg)).toBe(true);
  });

  it('refuses what is not one of them', () => {
    for (const msg of [
      null,
      'close',
      { type: 'shutdown' },
      { type: 'conn', id: '1', head: '', elapsedMs: 0, refuse: null },
      { type: 'conn', id: 1, head: '', elapsedMs: 0 },
      { type: 'conn', id: 1, head: '', elapsedMs: 0, refuse: { status: 'full' } },
      { type: 'stats' },
    ]) {
      expect(isToShard(msg)).toBe(false);
    }
  });
});

describe('isFromShard', () => {
  it('accepts every message a shard sends', () => {
    const sent: FromShard[] = [
      { type: 'ready', address: { host: '127.0.0.1', tcpPort: 7777, udpPort: 7777 } },
      { type: 'failed', message: 'EADDRINUSE' },
      {
        type: 'event',
        event: 'room-created',
        detail: { room: 'lobby' },
        room: { name: 'lobby', members: 1, hasPassword: true },
      },
      { type: 'event', event: 'room-closed', detail: { room: 'lobby', reason: 'by-host' }, room: null },
      {
        type: 'event',
        event: 'member-joined',
        detail: { room: 'lobby', name: 'bob' },
        room: { name: 'lobby', members: 2, hasPassword: false },
      },
      {
        type: 'event',
        event: 'member-left',
        detail: { room: 'lobby', name: 'bob', reason: 'left' },
        room: { name: 'lobby', members: 1, hasPassword: false },
      },
      { type: 'conn-closed', id: 4 },
      {
        type: 'stats',
        id: 9,
        stats,
        rooms: [{ name: 'lobby', members: 2, hasPassword: false }],
        cpuMicros: 10,
        rssBytes: 20,
      },
    ];
    for (const msg of sent) expect(isFromShard(msg)).toBe(true);
  });

  it('refuses unknown types, unknown events and rooms without their fields', () => {
    for (const msg of [
      undefined,
      { type: 'hello' },
      { type: 'ready' },
      { type: 'event', event: 'room-renamed', detail: { room: 'a' }, room: null },
      { type: 'event', event: 'member-joined', detail: { room: 'a' }, room: null },
      { type: 'event', event: 'room-created', detail: { room: 'a' }, room: { name: 'a', members: 1 } },
      { type: 'conn-closed' },
      { type: 'stats', id: 1, stats, rooms: [{ name: 'a' }], cpuMicros: 0, rssBytes: 0 },
    ]) {
      expect(isFromShard(msg)).toBe(false);
    }
  });
});
