// The relay as shard processes behind one port (ShardedChatServer): real child processes, each a
// ChatServer on its socket of a SO_REUSEPORT group, TCP routed by room in the primary. Spec-only
// peers (raw TCRP + UDP) chat in rooms owned by different shards; a shard that dies is replaced.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Status, encodeRequestPayload } from '../../src-shared/protocol/index.js';
import type { ServerOptions } from '../../src-main/engine/server/options.js';
import { ShardedChatServer } from '../../src-main/engine/server/sharded-server.js';
import { loadUdpBatch } from '../../src-main/engine/server/udp-batch.js';
import { CREATE, handshake, JOIN, rawExchange, requestFrame } from '../support/raw-tcrp.js';
import { UdpPeer } from '../support/raw-udp.js';
import { roomsByShard, roomsOnShard } from '../support/room-shards.js';
import { LIFTED_LIMITS } from '../support/server.js';
import { letTimePass, waitUntil } from '../support/wait.js';

const native = process.platform === 'linux' && loadUdpBatch() !== null;
const SHARDS = 2;

async function chatLine(peer: UdpPeer, text: string, timeoutMs = 3_000): Promise<string> {
  for (;;) {
    const line = await peer.nextText(timeoutMs);
    if (line.endsWith(text)) return line;
  }
}

describe.skipIf(!native)('ShardedChatServer (shard processes behind one port)', () => {
  const peers: UdpPeer[] = [];
  const sockets: Socket[] = [];
  let server: ShardedChatServer | null = null;

  afterEach(async () => {
    for (const p of peers.splice(0)) p.close();
    for (const s of sockets.splice(0)) s.destroy();
    await server?.close();
    server = null;
  });

  async function enter(
    port: number,
    op: number,
    room: string,
    name: string,
  ): Promise<{ peer: UdpPeer; token: Buffer }> {
    const peer = await UdpPeer.open();
    peers.push(peer);
    const session = await handshake(port, op, room, name, { portAfter: peer.port });
    expect(session.status).toBe(Status.OK);
    return { peer, token: session.token };
  }

  /**
   * As enter(), waiting up to `timeoutMs` for the reply: a request held while its shard restarts
   * waits for a whole process start, which on a loaded machine can pass handshake()'s 3 s.
   */
  async function enterPatiently(
    port: number,
    op: number,
    room: string,
    name: string,
    timeoutMs: number,
  ): Promise<{ peer: UdpPeer; token: Buffer }> {
    const peer = await UdpPeer.open();
    peers.push(peer);
    const session = await handshake(port, op, room, name, { portAfter: peer.port, timeoutMs });
    expect(session.status).toBe(Status.OK);
    return { peer, token: session.token };
  }

  async function pair(
    port: number,
    room: string,
    hostReplyWithinMs?: number,
  ): Promise<{ host: { peer: UdpPeer; token: Buffer }; guest: { peer: UdpPeer; token: Buffer } }> {
    const host =
      hostReplyWithinMs === undefined
        ? await enter(port, CREATE, room, 'host')
        : await enterPatiently(port, CREATE, room, 'host', hostReplyWithinMs);
    const guest = await enter(port, JOIN, room, 'guest');
    guest.peer.sendChat(port, room, guest.token, `hi ${room}`);
    expect(await chatLine(host.peer, `hi ${room}`)).toBe(`guest: hi ${room}`);
    host.peer.sendChat(port, room, host.token, `yo ${room}`);
    expect(await chatLine(guest.peer, `yo ${room}`)).toBe(`host: yo ${room}`);
    return { host, guest };
  }

  it('relays rooms owned by different shard processes through one address, and adds up their stats', async () => {
    server = new ShardedChatServer({ host: '127.0.0.1', port: 0 }, { shards: SHARDS });
    const created: string[] = [];
    server.on('room-created', (e: { room: string }) => created.push(e.room));
    const address = await server.listen();
    expect(address.udpPort).toBe(address.tcpPort);
    expect(new Set(server.shardPids).size).toBe(SHARDS);
    const rooms = roomsByShard('lobby', SHARDS);
    for (const room of rooms) await pair(address.tcpPort, room);
    const stats = await server.stats();
    expect(stats.rooms).toBe(2);
    expect(stats.members).toBe(4);
    expect(stats.shards.map((s) => s.rooms)).toEqual([1, 1]);
    expect(stats.shards.every((s) => s.cpuMicros > 0 && s.rssBytes > 0)).toBe(true);
    expect(stats.sendPath).toBe('sendmmsg');
    await waitUntil(() => created.length === 2);
    expect(
      server
        .roomList()
        .map((r) => r.name)
        .sort(),
    ).toEqual([...rooms].sort());
    // Closing tells every room, in every shard, that the server is going away.
    const closing = server.close();
    for (const p of peers) expect(await chatLine(p, 'the server is shutting down')).toMatch(/shutting down/);
    await closing;
  }, 30_000);

  it('a request cut after its room name and then half-closed still reaches its shard whole (across processes)', async () => {
    server = new ShardedChatServer({ host: '127.0.0.1', port: 0 }, { shards: SHARDS });
    const { tcpPort: port } = await server.listen();
    for (const room of roomsByShard('split', SHARDS)) {
      const frame = Buffer.from(
        requestFrame({
          operation: CREATE,
          room: room,
          payload: encodeRequestPayload({ username: 'slow', password: '', dialect: 0, resume: null }),
        }),
      );
      const cut = 32 + Buffer.byteLength(room); // the primary routes here; the payload follows later
      const { frames } = await rawExchange({
        port: port,
        chunks: [frame.subarray(0, cut), frame.subarray(cut, cut + 3), frame.subarray(cut + 3)],
        chunkDelayMs: 60,
        endAfterWrite: true, // and the client half-closes: the reply must still come
      });
      expect(frames[0]?.payload[0]).toBe(Status.OK);
      expect(frames[1]?.payload.length).toBeGreaterThan(0); // the token
    }
    expect((await server.stats()).shards.map((s) => s.rooms)).toEqual([1, 1]);
  }, 30_000);

  it('24 requests at once, each cut after its room name with the rest 0-3 ms later, all reach their shard whole', async () => {
    const { sharded, port } = await startSharded();
    // The rest of each request arrives while its connection is routed and sent to a shard (whether it
    // lands in the sub-millisecond window that stopping the reads guards is up to the scheduler).
    const names = Array.from({ length: 24 }, (_, i) => `hand-${i}`);
    const results = await Promise.all(
      names.map(async (room, i) => {
        const frame = Buffer.from(
          requestFrame({
            operation: CREATE,
            room: room,
            payload: encodeRequestPayload({ username: 'u', password: '', dialect: 0, resume: null }),
          }),
        );
        const cut = 32 + Buffer.byteLength(room);
        const { frames } = await rawExchange({
          port: port,
          chunks: [frame.subarray(0, cut), frame.subarray(cut)],
          chunkDelayMs: i % 4,
        });
        return frames[0]?.payload[0];
      }),
    );
    expect(results).toEqual(names.map(() => Status.OK));
    const stats = await sharded.stats();
    expect(stats.rooms).toBe(names.length);
    expect(stats.shards.every((s) => s.rooms > 0)).toBe(true);
  }, 30_000);

  /** Starts the server under test with these options; `closed` collects the rooms it reports closed. */
  async function startSharded(
    options: Partial<ServerOptions> = {},
  ): Promise<{ sharded: ShardedChatServer; port: number; closed: string[] }> {
    // Every request comes from 127.0.0.1: lift the per-IP abuse limits (tested in test/hostile).
    const started = new ShardedChatServer(
      { host: '127.0.0.1', port: 0, ...LIFTED_LIMITS, ...options },
      { shards: SHARDS },
    );
    server = started;
    const closed: string[] = [];
    started.on('room-closed', (e: { room: string }) => closed.push(e.room));
    const { tcpPort: port } = await started.listen();
    return { sharded: started, port, closed };
  }

  /** A connection that sends a CREATE's header and room name (enough to be routed) and then waits. */
  async function stalled(port: number, room: string): Promise<Socket> {
    const frame = Buffer.from(
      requestFrame({
        operation: CREATE,
        room: room,
        payload: encodeRequestPayload({ username: 'slow', password: '', dialect: 0, resume: null }),
      }),
    );
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(frame.subarray(0, 32 + Buffer.byteLength(room) + 2));
    return socket;
  }

  it('counts connections per IP across all shards, and forgets them when the shard closes them', async () => {
    const sharded = new ShardedChatServer({ host: '127.0.0.1', port: 0, maxConnectionsPerIp: 2 }, { shards: SHARDS });
    server = sharded;
    const { tcpPort: port } = await sharded.listen();
    const [room0, room1] = roomsByShard('held', SHARDS) as [string, string];
    // One open connection in each shard: each shard alone is under the cap of 2, the server is at it.
    const held = [await stalled(port, room0), await stalled(port, room1)];
    await waitUntil(() => sharded.routedConnections === 2);
    const [other] = roomsByShard('third', SHARDS);
    const refused = await handshake(port, CREATE, other as string, 'third');
    expect(refused.status).toBe(Status.SERVER_FULL);
    // Once the shards report those connections closed, the IP may connect again.
    for (const s of held) s.destroy();
    let status = -1;
    for (let i = 0; i < 50 && status !== Status.OK; i++) {
      status = (await handshake(port, CREATE, other as string, 'third')).status;
      if (status !== Status.OK) await letTimePass(50, 'retry until the shards report the connections closed');
    }
    expect(status).toBe(Status.OK);
  }, 30_000);

  it('forgets a connection that was reset while it waited for a restarting shard', async () => {
    const { sharded, port, closed } = await startSharded({ maxConnectionsPerIp: 1 });
    const [room0] = roomsByShard('wait', SHARDS) as [string];
    await enter(port, CREATE, room0, 'host');
    const dead = sharded.shardPids[0] as number;
    process.kill(dead, 'SIGKILL');
    await waitUntil(() => closed.includes(room0), { timeoutMs: 10_000 });
    // Routed to shard 0 while it starts again, then reset by the client before it is handed over.
    const gone = await stalled(port, room0);
    await letTimePass(50, 'let the primary route the stalled connection to the restarting shard');
    gone.resetAndDestroy();
    await waitUntil(() => (sharded.shardPids[0] ?? 0) > 0 && sharded.shardPids[0] !== dead, { timeoutMs: 10_000 });
    // The reset connection was never counted (per-IP cap of 1): this IP may still connect.
    expect((await handshake(port, CREATE, room0, 'again')).status).toBe(Status.OK);
    await waitUntil(() => sharded.routedConnections === 0, { timeoutMs: 5_000 });
  }, 30_000);

  it('caps rooms across all shards: a new name is refused once they add up to the cap, existing names answer as before', async () => {
    const { sharded, port, closed } = await startSharded({ maxRooms: 2 });
    const [room0, room1] = roomsByShard('cap', SHARDS) as [string, string];
    const host0 = await enter(port, CREATE, room0, 'host');
    await enter(port, CREATE, room1, 'host');
    await waitUntil(() => sharded.roomList().length === 2);
    // Each shard holds one room, under the cap of 2 on its own; the server holds two.
    for (const name of roomsByShard('late', SHARDS)) {
      expect((await handshake(port, CREATE, name, 'late')).status).toBe(Status.SERVER_FULL);
    }
    expect((await handshake(port, CREATE, room1, 'again')).status).toBe(Status.ROOM_EXISTS);
    expect((await handshake(port, JOIN, room1, 'guest')).status).toBe(Status.OK);
    // A room closes: there is space again.
    host0.peer.sendChat(port, room0, host0.token, '/close');
    await waitUntil(() => closed.includes(room0), { timeoutMs: 5_000 });
    const [fresh] = roomsByShard('fresh', SHARDS);
    expect((await handshake(port, CREATE, fresh as string, 'next')).status).toBe(Status.OK);
  }, 30_000);

  it('gives an IP one set of per-IP budgets across all shards, as a single server does', async () => {
    // Budgets that do not refill during the test: 3 creates and 4 room answers per IP in all.
    const { port } = await startSharded({
      createBurstPerIp: 3,
      createsPerIpPerMinute: 0.0001,
      refusalBurstPerIp: 4,
      refusalsPerIpPerSecond: 0.0001,
    });
    // Three names on each shard, tried alternately: one shard alone would allow 3 of its own.
    const [a, b] = [0, 1].map((shard) => roomsOnShard(`cr${shard}`, shard, 3));
    const names = (a as string[]).flatMap((name, i) => [name, (b as string[])[i] as string]);
    const statuses: number[] = [];
    for (const name of names) statuses.push((await handshake(port, CREATE, name, 'flood')).status);
    expect(statuses.filter((s) => s === Status.OK)).toHaveLength(3);
    expect(statuses.slice(3).every((s) => s === Status.RATE_LIMITED)).toBe(true);
    // Answers that tell about rooms: 4 in all, whichever shard owns the room asked about.
    const missing = [0, 1].map((shard) => roomsOnShard(`no${shard}`, shard, 4));
    const probes = (missing[0] as string[]).flatMap((name, i) => [name, (missing[1] as string[])[i] as string]);
    const answers: number[] = [];
    for (const name of probes) answers.push((await handshake(port, JOIN, name, 'probe')).status);
    expect(answers).toEqual([...Array(4).fill(Status.NO_SUCH_ROOM), ...Array(4).fill(Status.RATE_LIMITED)]);
  }, 30_000);

  it('lists the rooms of every shard with their members and password, as ChatServer does', async () => {
    const { sharded, port } = await startSharded();
    let joined = 0;
    sharded.on('member-joined', () => joined++);
    const [locked, open] = roomsByShard('list', SHARDS) as [string, string];
    const enterWith = async (op: number, room: string, name: string, password: string): Promise<void> => {
      const peer = await UdpPeer.open();
      peers.push(peer);
      const session = await handshake(port, op, room, name, { password, portAfter: peer.port });
      expect(session.status).toBe(Status.OK);
    };
    await enterWith(CREATE, locked, 'host', 'secret');
    await enterWith(JOIN, locked, 'guest', 'secret');
    await enterWith(CREATE, open, 'solo', '');
    await waitUntil(() => joined === 3, { timeoutMs: 5_000 });
    const expected = [
      { name: locked, members: 2, hasPassword: true },
      { name: open, members: 1, hasPassword: false },
    ];
    const byName = (a: { name: string }, b: { name: string }): number => a.name.localeCompare(b.name);
    expect(sharded.roomList().sort(byName)).toEqual(expected.sort(byName));
    expect((await sharded.roomsNow()).sort(byName)).toEqual(expected);
  }, 30_000);

  it('replaces a shard that dies: its rooms are gone, new rooms on it work, the other shard is untouched', async () => {
    const { sharded, port, closed } = await startSharded();
    const [room0, room1] = roomsByShard('before', SHARDS) as [string, string];
    await pair(port, room0);
    const survivor = await pair(port, room1);
    await waitUntil(() => sharded.roomList().length === 2);
    const dead = sharded.shardPids[0] as number;
    process.kill(dead, 'SIGKILL');
    await waitUntil(() => closed.includes(room0), { timeoutMs: 10_000 });
    // Right away, while the replacement starts: the request is held until it is ready, then served.
    const [again] = roomsByShard('after', SHARDS);
    await pair(port, again as string, 15_000);
    expect(sharded.shardPids[0]).not.toBe(dead);
    expect(sharded.shardPids[0]).toBeGreaterThan(0);
    // Shard 1 kept its room and members.
    survivor.guest.peer.sendChat(port, room1, survivor.guest.token, 'still here');
    expect(await chatLine(survivor.host.peer, 'still here')).toBe('guest: still here');
  }, 30_000);
});
