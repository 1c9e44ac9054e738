// Lifetime of members and rooms: inactivity, token expiry, resume, shutdown, emitted events, logs.
import { afterEach, describe, expect, it } from 'vitest';
import { decodeServerEvent, encodeClientControl, Status } from '../../src-shared/protocol/index.js';
import type { ChatServer } from '../../src-main/engine/server/chat-server.js';
import { createLogger } from '../../src-main/engine/log.js';
import { CREATE, handshake, JOIN } from '../support/raw-tcrp.js';
import { UdpPeer } from '../support/raw-udp.js';
import { letTimePass, waitUntil } from '../support/wait.js';
import { CLEAR_SEAT_QUIET_MS, QUICK_HEARTBEATS, SHORT_TIMEOUTS, startServer } from '../support/server.js';

let server: ChatServer;
const peers: UdpPeer[] = [];

async function peer(address = '127.0.0.1'): Promise<UdpPeer> {
  const p = await UdpPeer.open(address);
  peers.push(p);
  return p;
}

afterEach(async () => {
  for (const p of peers.splice(0)) p.close();
  await server?.close();
});

describe('inactivity', () => {
  it('drops a silent member with "timed out" while keep-alives keep the others', async () => {
    server = await startServer({ ...SHORT_TIMEOUTS, inactivityTimeoutMs: 300 });
    const host = await handshake(server.tcpPort, CREATE, 'lobby', 'alice');
    const a = await peer();
    a.sendChat(server.udpPort, 'lobby', host.token, '');
    const bob = await handshake(server.tcpPort, JOIN, 'lobby', 'bob');
    const b = await peer();
    b.sendChat(server.udpPort, 'lobby', bob.token, '');
    expect(await a.nextText()).toBe('* bob joined the room');
    const left = new Promise((r) => server.once('member-left', r));
    // alice keeps sending empty keep-alives; bob goes silent.
    for (let i = 0; i < 6; i++) {
      await letTimePass(100, 'alice keeps alive every 100 ms while bob stays silent');
      a.sendChat(server.udpPort, 'lobby', host.token, '');
    }
    expect(await a.nextText()).toBe('* bob timed out');
    expect(await left).toEqual({ room: 'lobby', name: 'bob', reason: 'timed-out' });
    expect(server.roomList()).toEqual([{ name: 'lobby', members: 1, hasPassword: false }]);
  });

  it('closes the room when the host times out', async () => {
    server = await startServer({ ...SHORT_TIMEOUTS, inactivityTimeoutMs: 300 });
    const host = await handshake(server.tcpPort, CREATE, 'lobby', 'alice');
    const a = await peer();
    a.sendChat(server.udpPort, 'lobby', host.token, '');
    const bob = await handshake(server.tcpPort, JOIN, 'lobby', 'bob', { tincan: true });
    const b = await peer();
    b.sendChat(server.udpPort, 'lobby', bob.token, encodeClientControl({ kind: 'hello' }));
    await b.next(); // MEMBERS
    const closed = new Promise((r) => server.once('room-closed', r));
    for (let i = 0; i < 6; i++) {
      await letTimePass(100, 'bob heartbeats every 100 ms while the host stays silent');
      b.sendChat(server.udpPort, 'lobby', bob.token, encodeClientControl({ kind: 'heartbeat', nonce: i }));
    }
    const events = [];
    for (let i = 0; i < 10; i++) {
      const e = decodeServerEvent(await b.next(), 1);
      events.push(e);
      if (e?.kind === 'closed') break;
    }
    expect(events.at(-1)).toEqual({ kind: 'closed', reason: 2 });
    expect(await closed).toEqual({ room: 'lobby', reason: 'host-timed-out' });
    expect(server.roomList()).toEqual([]);
  });

  it('expires an unused token silently after the token TTL', async () => {
    server = await startServer({ ...SHORT_TIMEOUTS, tokenTtlMs: 200, inactivityTimeoutMs: 5_000 });
    const host = await handshake(server.tcpPort, CREATE, 'lobby', 'alice');
    const a = await peer();
    a.sendChat(server.udpPort, 'lobby', host.token, '');
    const bob = await handshake(server.tcpPort, JOIN, 'lobby', 'bob');
    expect(server.stats().members).toBe(2);
    await waitUntil(() => server.stats().members === 1);
    expect(await a.quiet(50)).toEqual([]); // bob was never announced, so nothing to say
    const b = await peer();
    b.sendChat(server.udpPort, 'lobby', bob.token, 'too late');
    await waitUntil(() => server.stats().dropped['unknown-token'] === 1);
    // The name is free again.
    expect((await handshake(server.tcpPort, JOIN, 'lobby', 'bob')).status).toBe(Status.OK);
  });
});

describe('resume', () => {
  it('replaces the old session of the same member and announces "reconnected"', async () => {
    server = await startServer({ ...SHORT_TIMEOUTS, ...QUICK_HEARTBEATS });
    const host = await handshake(server.tcpPort, CREATE, 'lobby', 'alice');
    const a = await peer();
    a.sendChat(server.udpPort, 'lobby', host.token, '');
    const first = await handshake(server.tcpPort, JOIN, 'lobby', 'bob', { tincan: true });
    const b1 = await peer();
    b1.sendChat(server.udpPort, 'lobby', first.token, encodeClientControl({ kind: 'hello' }));
    expect(await a.nextText()).toBe('* bob joined the room');
    await b1.next(); // MEMBERS
    // Opened in clear, bob's seat is resumed once it went quiet, as after his client lost the server.
    await letTimePass(CLEAR_SEAT_QUIET_MS, "bob's first session silent");

    const second = await handshake(server.tcpPort, JOIN, 'lobby', 'bob', {
      tincan: true,
      resume: first.token.toString(),
    });
    expect(second.status).toBe(Status.OK);
    expect(second.token.equals(first.token)).toBe(false);
    expect(second.info?.resumed).toBe(true);
    expect(first.info?.resumed).toBeUndefined();
    expect(await a.nextText()).toBe('* bob reconnected');
    expect(server.stats().members).toBe(2);
    // The old token is revoked; the new one works from a new socket.
    b1.sendChat(
      server.udpPort,
      'lobby',
      first.token,
      encodeClientControl({ kind: 'chat', id: 1, text: Buffer.from('old') }),
    );
    await waitUntil(() => server.stats().dropped['unknown-token'] === 1);
    const b2 = await peer();
    b2.sendChat(
      server.udpPort,
      'lobby',
      second.token,
      encodeClientControl({ kind: 'chat', id: 2, text: Buffer.from('new') }),
    );
    expect(await a.nextText()).toBe('bob: new');
    expect(await a.quiet(100)).toEqual([]); // no duplicate join
  });

  it('lets a resumed host keep the room; a wrong resume token is just a normal request', async () => {
    server = await startServer(SHORT_TIMEOUTS);
    const host = await handshake(server.tcpPort, CREATE, 'lobby', 'alice', { tincan: true, password: 'pw' });
    // A seat opened in clear is resumed with the room password (the token alone may have been sniffed).
    const again = await handshake(server.tcpPort, CREATE, 'lobby', 'alice', {
      tincan: true,
      resume: host.token.toString(),
      password: 'pw',
    });
    expect(again.status).toBe(Status.OK);
    expect(again.info?.role).toBe('host');
    const bogus = await handshake(server.tcpPort, CREATE, 'lobby', 'alice', { tincan: true, resume: 'A'.repeat(32) });
    expect(bogus.status).toBe(Status.ROOM_EXISTS);
    const otherName = await handshake(server.tcpPort, JOIN, 'lobby', 'mallory', {
      tincan: true,
      resume: again.token.toString(),
      password: 'x',
    });
    expect(otherName.status).toBe(Status.WRONG_PASSWORD);
  });
});

describe('shutdown and observability', () => {
  it('tells every member of every room that the server shuts down', async () => {
    server = await startServer(SHORT_TIMEOUTS);
    const r1 = await handshake(server.tcpPort, CREATE, 'one', 'alice');
    const r2 = await handshake(server.tcpPort, CREATE, 'two', 'bob', { tincan: true });
    const a = await peer();
    const b = await peer();
    a.sendChat(server.udpPort, 'one', r1.token, '');
    b.sendChat(server.udpPort, 'two', r2.token, '');
    await waitUntil(() => server.stats().datagramsIn === 2);
    await server.close();
    expect(await a.nextText()).toBe('* the room closed: the server is shutting down');
    expect(decodeServerEvent(await b.next(), 1)).toEqual({ kind: 'closed', reason: 3 });
  });

  it('emits room and member events and logs one JSON line per event, none per relayed datagram', async () => {
    const lines: string[] = [];
    server = await startServer({
      ...SHORT_TIMEOUTS,
      logger: createLogger({ level: 'info', write: (l) => lines.push(l) }),
    });
    const seen: string[] = [];
    for (const e of ['room-created', 'room-closed', 'member-joined', 'member-left'] as const)
      server.on(e, () => seen.push(e));
    const host = await handshake(server.tcpPort, CREATE, 'lobby', 'alice');
    const bob = await handshake(server.tcpPort, JOIN, 'lobby', 'bob');
    const a = await peer();
    const b = await peer();
    a.sendChat(server.udpPort, 'lobby', host.token, '');
    b.sendChat(server.udpPort, 'lobby', bob.token, '');
    await a.next();
    const before = lines.length;
    for (let i = 0; i < 20; i++) a.sendChat(server.udpPort, 'lobby', host.token, `line ${i}`);
    for (let i = 0; i < 20; i++) await b.next();
    expect(lines.length).toBe(before);
    b.sendChat(server.udpPort, 'lobby', bob.token, '/leave');
    a.sendChat(server.udpPort, 'lobby', host.token, '/close');
    await waitUntil(() => seen.includes('room-closed'));
    expect(seen).toEqual(['room-created', 'member-joined', 'member-joined', 'member-left', 'room-closed']);
    const events = lines.map((l) => JSON.parse(l) as { event: string; level: string; t: string });
    expect(events.every((e) => typeof e.t === 'string' && e.level === 'info')).toBe(true);
    expect(events.map((e) => e.event)).toEqual(
      expect.arrayContaining([
        'server-listening',
        'room-created',
        'handshake-ok',
        'member-joined',
        'member-left',
        'room-closed',
      ]),
    );
  });
});
