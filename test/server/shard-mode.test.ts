// Shard mode end to end on loopback, in one process: a SO_REUSEPORT group of two UDP sockets, two
// ChatServers each adopting one socket, and the primary's ShardRouter handing every TCP connection
// to the shard that owns its room. Real handshakes and real datagrams: each room must live on the
// one shard whose socket receives its datagrams, and clients see one address for everything.
import { createServer, type Server } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Status } from '../../src-shared/protocol/index.js';
import { ChatServer } from '../../src-main/engine/server/chat-server.js';
import { ShardRouter } from '../../src-main/engine/server/shard-router.js';
import { loadUdpBatch, type UdpBatch } from '../../src-main/engine/server/udp-batch.js';
import { CREATE, handshake, JOIN, rawExchange, requestFrame } from '../support/raw-tcrp.js';
import { UdpPeer } from '../support/raw-udp.js';
import { roomsByShard } from '../support/room-shards.js';

const batch = process.platform === 'linux' ? loadUdpBatch() : null;
const SHARDS = 2;
const TIMEOUT_MS = 400;

async function chatLine(peer: UdpPeer, text: string): Promise<string> {
  for (;;) {
    const line = await peer.nextText();
    if (line.endsWith(text)) return line; // notices (joined…) come first
  }
}

describe.skipIf(batch === null)('relay shards behind one port (ShardRouter + ChatServer shard mode)', () => {
  let primary: Server;
  let shards: ChatServer[];
  let router: ShardRouter;
  let port: number;
  const peers: UdpPeer[] = [];

  beforeEach(async () => {
    primary = createServer({ allowHalfOpen: true });
    await new Promise<void>((resolve) => primary.listen(0, '127.0.0.1', resolve));
    port = (primary.address() as { port: number }).port;
    const fds = (batch as UdpBatch).openReusePortGroup('127.0.0.1', port, SHARDS, false);
    shards = fds.map(
      (fd) =>
        new ChatServer({
          host: '127.0.0.1',
          handshakeTimeoutMs: TIMEOUT_MS,
          shard: { udpFd: fd, udpType: 'udp4', tcpPort: port },
        }),
    );
    for (const s of shards) expect(await s.listen()).toEqual({ host: '127.0.0.1', tcpPort: port, udpPort: port });
    router = new ShardRouter(
      { shards: SHARDS, handshakeTimeoutMs: TIMEOUT_MS, maxPending: 64, maxPendingPerIp: 64 },
      (socket, head, shard, elapsed) => (shards[shard] as ChatServer).adoptConnection(socket, head, elapsed),
    );
    primary.on('connection', (socket) => router.accept(socket));
  });

  afterEach(async () => {
    for (const p of peers.splice(0)) p.close();
    await new Promise<void>((resolve) => primary.close(() => resolve()));
    await Promise.all(shards.map((s) => s.close()));
  });

  async function enter(op: number, room: string, name: string): Promise<{ peer: UdpPeer; token: Buffer }> {
    const peer = await UdpPeer.open();
    peers.push(peer);
    const session = await handshake(port, op, room, name, { portAfter: peer.port });
    expect(session.status).toBe(Status.OK);
    return { peer, token: session.token };
  }

  it('keeps each room on the shard that receives its datagrams, and chat flows through the one port', async () => {
    const rooms = roomsByShard('room', SHARDS);
    for (const room of rooms) {
      const host = await enter(CREATE, room, 'host');
      const guest = await enter(JOIN, room, 'guest');
      guest.peer.sendChat(port, room, guest.token, `hello in ${room}`);
      expect(await chatLine(host.peer, `hello in ${room}`)).toBe(`guest: hello in ${room}`);
      host.peer.sendChat(port, room, host.token, `welcome to ${room}`);
      expect(await chatLine(guest.peer, `welcome to ${room}`)).toBe(`host: welcome to ${room}`);
    }
    // One room on each shard, none twice.
    expect(shards.map((s) => s.stats().rooms)).toEqual([1, 1]);
    expect(shards.map((s) => s.roomList().map((r) => r.name))).toEqual(rooms.map((r) => [r]));
  });

  it('a room name is unique across shards: creating it again reaches the same shard and is refused', async () => {
    const [room] = roomsByShard('room', SHARDS);
    await enter(CREATE, room as string, 'first');
    const again = await handshake(port, CREATE, room as string, 'second');
    expect(again.status).toBe(Status.ROOM_EXISTS);
  });

  it('answers a malformed header and a silent client from a shard, as the single server does', async () => {
    const bad = Buffer.from(requestFrame({ operation: CREATE, room: 'x', payload: 'name' }));
    bad[0] = 0; // room size 0
    const malformed = await rawExchange({ port: port, chunks: [bad] });
    expect(malformed.frames[0]?.payload[0]).toBe(Status.BAD_REQUEST);
    const silent = await rawExchange({ port: port, chunks: [Buffer.from([5, 1])], timeoutMs: TIMEOUT_MS * 4 });
    expect(silent.frames[0]?.payload[0]).toBe(Status.HANDSHAKE_TIMEOUT);
    expect(router.pending).toBe(0);
  });

  it('a request split into small pieces is routed once its room name is complete', async () => {
    const [, room] = roomsByShard('room', SHARDS);
    const peer = await UdpPeer.open();
    peers.push(peer);
    const frame = Buffer.from(requestFrame({ operation: CREATE, room: room as string, payload: 'slow' }));
    const pieces = Array.from({ length: frame.length }, (_, i) => frame.subarray(i, i + 1));
    const { frames } = await rawExchange({ port: port, chunks: pieces, chunkDelayMs: 1 });
    expect(frames[0]?.payload[0]).toBe(Status.OK);
    expect(shards.map((s) => s.stats().rooms)).toEqual([0, 1]);
  });
});
