// UDP chat through a real server: relay in both dialects, commands, notices, drops, endpoints.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeServerEvent, encodeClientControl, Status } from '../../src-shared/protocol/index.js';
import type { ChatServer } from '../../src-main/engine/server/chat-server.js';
import { CREATE, handshake, JOIN } from '../support/raw-tcrp.js';
import { UdpPeer } from '../support/raw-udp.js';
import { SHORT_TIMEOUTS, startServer } from '../support/server.js';
import { waitUntil } from '../support/wait.js';

let server: ChatServer;
const peers: UdpPeer[] = [];

async function peer(address = '127.0.0.1'): Promise<UdpPeer> {
  const p = await UdpPeer.open(address);
  peers.push(p);
  return p;
}

interface InRoom {
  name: string;
  token: Buffer;
  peer: UdpPeer;
}

/** One entry per name, in order: typed as a tuple so `const [alice, bob] = …` needs no `!`. */
type MembersOf<N extends readonly string[]> = { [K in keyof N]: InRoom };

/** Creates `room` as `host`, joins `others`, and makes every endpoint known (in order). */
async function roomWith<const N extends readonly string[]>(
  room: string,
  names: N,
  tincan: boolean[] = [],
): Promise<MembersOf<N>> {
  const out: InRoom[] = [];
  for (const [i, name] of names.entries()) {
    const s = await handshake(server.tcpPort, i === 0 ? CREATE : JOIN, room, name, { tincan: tincan[i] ?? false });
    expect(s.status).toBe(Status.OK);
    const p = await peer();
    p.sendChat(server.udpPort, room, s.token, ''); // keep-alive makes the endpoint known
    out.push({ name, token: s.token, peer: p });
    await waitUntil(() => server.stats().datagramsIn >= i + 1);
  }
  // Drain join notices so each test starts from a quiet queue.
  await waitUntil(() => out.every((m, k) => m.peer.received.length >= out.length - 1 - k), {
    what: 'every join notice arrived',
  });
  for (const m of out) await m.peer.quiet(0);
  return out as MembersOf<N>; // one entry per name, in order
}

beforeEach(async () => {
  server = await startServer(SHORT_TIMEOUTS);
});

afterEach(async () => {
  for (const p of peers.splice(0)) p.close();
  await server.close();
});

describe('plain dialect', () => {
  it('announces joins once the endpoint is known and relays chat both ways as "name: text"', async () => {
    const host = await handshake(server.tcpPort, CREATE, 'lobby', 'alice');
    const a = await peer();
    a.sendChat(server.udpPort, 'lobby', host.token, '');
    const bob = await handshake(server.tcpPort, JOIN, 'lobby', 'bob');
    expect(await a.quiet(100)).toEqual([]); // not announced at the handshake
    const b = await peer();
    b.sendChat(server.udpPort, 'lobby', bob.token, 'hello alice');
    expect(await a.nextText()).toBe('* bob joined the room');
    expect(await a.nextText()).toBe('bob: hello alice');
    a.sendChat(server.udpPort, 'lobby', host.token, 'hi bob');
    expect(await b.nextText()).toBe('alice: hi bob');
    // Nobody gets their own message back.
    expect(await a.quiet(100)).toEqual([]);
    expect(await b.quiet(0)).toEqual([]);
    expect(server.stats().datagramsRelayed).toBe(2);
  });

  it('relays 1- to 4-byte UTF-8 intact and truncates long text on a character boundary', async () => {
    const name = 'n'.repeat(32); // prefix "nnn…: " is 34 bytes
    const [ann, ben] = await roomWith('u', [name, 'ben']);
    const text = 'a é € 😀';
    ann.peer.sendChat(server.udpPort, 'u', ann.token, text);
    expect(await ben.peer.nextText()).toBe(`${name}: ${text}`);
    // 4061 bytes of text (the most a 1-byte room and 32-byte token leave) + 34 > 4094: cut to whole emoji.
    const long = 'a' + '😀'.repeat(1015);
    ann.peer.sendChat(server.udpPort, 'u', ann.token, long);
    const got = await ben.peer.next();
    expect(got.length).toBe(34 + 1 + 4 * 1014);
    expect(got.toString('utf8')).toBe(`${name}: a${'😀'.repeat(1014)}`);
  });

  it('drops invalid UTF-8, oversize datagrams and unknown tokens without answering', async () => {
    const [alice, bob] = await roomWith('lobby', ['alice', 'bob']);
    alice.peer.sendChat(server.udpPort, 'lobby', alice.token, Buffer.from([0x68, 0xc3, 0x28]));
    const big = Buffer.alloc(4097 - 2 - 5 - 32, 0x61);
    alice.peer.sendChat(server.udpPort, 'lobby', alice.token, big.subarray(0, 4096 - 2 - 5 - 32)); // exactly 4096: fine
    expect((await bob.peer.nextText()).length).toBe(7 + 4096 - 39);
    const over = Buffer.concat([Buffer.from([5, 32]), Buffer.from('lobby'), alice.token, big]);
    expect(over.length).toBe(4097);
    alice.peer.sendRaw(over, server.udpPort);
    const stranger = await peer();
    stranger.sendChat(server.udpPort, 'lobby', Buffer.alloc(32, 0x41), 'let me in');
    stranger.sendRaw(Buffer.from([1]), server.udpPort);
    stranger.sendRaw(Buffer.from([5, 200, 1, 2]), server.udpPort);
    await waitUntil(() => server.stats().datagramsIn >= 2 + 3 + 3);
    expect(await bob.peer.quiet(150)).toEqual([]);
    expect(await alice.peer.quiet(0)).toEqual([]);
    expect(await stranger.quiet(0)).toEqual([]);
    const dropped = server.stats().dropped;
    expect(dropped['bad-utf8']).toBe(1);
    expect(dropped['too-large']).toBe(1);
    expect(dropped['unknown-token']).toBe(1);
    expect(dropped['too-short']).toBe(1);
    expect(dropped['truncated']).toBe(1);
  });

  it('drops a valid token sent for another room', async () => {
    const [alice] = await roomWith('one', ['alice']);
    const [bob] = await roomWith('two', ['bob']);
    alice.peer.sendChat(server.udpPort, 'two', alice.token, 'sneaky');
    await waitUntil(() => server.stats().dropped['wrong-room'] === 1);
    expect(await bob.peer.quiet(100)).toEqual([]);
  });

  it('drops a token used from another IP (127.0.0.2) and never answers it', async () => {
    const [alice, bob] = await roomWith('lobby', ['alice', 'bob']);
    const thief = await peer('127.0.0.2');
    thief.sendChat(server.udpPort, 'lobby', bob.token, 'I am bob');
    await waitUntil(() => server.stats().dropped['wrong-ip'] === 1);
    expect(await alice.peer.quiet(100)).toEqual([]);
    expect(await thief.quiet(0)).toEqual([]);
  });

  it('moves the endpoint when the port changes from the same IP', async () => {
    const [alice, bob] = await roomWith('lobby', ['alice', 'bob']);
    const moved = await peer();
    moved.sendChat(server.udpPort, 'lobby', bob.token, 'new port');
    expect(await alice.peer.nextText()).toBe('bob: new port');
    alice.peer.sendChat(server.udpPort, 'lobby', alice.token, 'where are you');
    expect(await moved.nextText()).toBe('alice: where are you');
    expect(await bob.peer.quiet(100)).toEqual([]);
  });

  it('learns the UDP port from 2 bytes after the request', async () => {
    const host = await handshake(server.tcpPort, CREATE, 'lobby', 'alice');
    const a = await peer();
    a.sendChat(server.udpPort, 'lobby', host.token, '');
    const b = await peer();
    const bob = await handshake(server.tcpPort, JOIN, 'lobby', 'bob', { portAfter: b.port });
    expect(bob.status).toBe(Status.OK);
    expect(await a.nextText()).toBe('* bob joined the room');
    a.sendChat(server.udpPort, 'lobby', host.token, 'hi bob');
    expect(await b.nextText()).toBe('alice: hi bob'); // bob has not sent a single datagram
  });

  it('/leave removes a member and /close (host) closes the room for everyone', async () => {
    const [alice, bob, carol] = await roomWith('lobby', ['alice', 'bob', 'carol']);
    bob.peer.sendChat(server.udpPort, 'lobby', bob.token, '/leave\n');
    expect(await alice.peer.nextText()).toBe('* bob left the room');
    expect(await carol.peer.nextText()).toBe('* bob left the room');
    bob.peer.sendChat(server.udpPort, 'lobby', bob.token, 'still here?');
    await waitUntil(() => server.stats().dropped['unknown-token'] === 1);
    carol.peer.sendChat(server.udpPort, 'lobby', carol.token, '/close'); // not the host: ignored
    await waitUntil(() => server.stats().dropped['not-host'] === 1);
    alice.peer.sendChat(server.udpPort, 'lobby', alice.token, '/close');
    expect(await carol.peer.nextText()).toBe('* the host closed the room');
    expect(await alice.peer.nextText()).toBe('* the host closed the room');
    expect(server.roomList()).toEqual([]);
    // Tokens are revoked and the name is free again.
    alice.peer.sendChat(server.udpPort, 'lobby', alice.token, 'anyone?');
    await waitUntil(() => server.stats().dropped['unknown-token'] === 2);
    expect((await handshake(server.tcpPort, CREATE, 'lobby', 'zoe')).status).toBe(Status.OK);
  });

  it('closes the room when the host leaves', async () => {
    const [alice, bob] = await roomWith('lobby', ['alice', 'bob']);
    const closed = new Promise((r) => server.once('room-closed', r));
    alice.peer.sendChat(server.udpPort, 'lobby', alice.token, '/leave');
    expect(await bob.peer.nextText()).toBe('* the room closed: the host left');
    expect(await closed).toEqual({ room: 'lobby', reason: 'host-left' });
    expect(await alice.peer.quiet(100)).toEqual([]);
  });

  it('rate-limits a flooding member', async () => {
    await server.close();
    server = await startServer({ ...SHORT_TIMEOUTS, maxMessagesPerSecond: 5 }); // burst 20
    const [alice, bob] = await roomWith('lobby', ['alice', 'bob']);
    for (let i = 0; i < 40; i++) alice.peer.sendChat(server.udpPort, 'lobby', alice.token, `m${i}`);
    await waitUntil(() => server.stats().datagramsIn >= 42);
    const got = await bob.peer.quiet(200);
    expect(got.length).toBeGreaterThanOrEqual(20);
    expect(got.length).toBeLessThan(30);
    expect(server.stats().dropped['rate-limited']).toBe(40 - got.length);
  });
});

describe('tincan dialect', () => {
  it('relays CHAT events with seq, ACKs the sender, and mixes with plain members', async () => {
    const [alice, bob, carol] = await roomWith('mix', ['alice', 'bob', 'carol'], [true, true, false]);
    alice.peer.sendChat(
      server.udpPort,
      'mix',
      alice.token,
      encodeClientControl({ kind: 'chat', id: 42, text: Buffer.from('hé 😀') }),
    );
    expect(decodeServerEvent(await bob.peer.next(), 1)).toEqual({
      kind: 'chat',
      seq: 1,
      sender: 'alice',
      text: 'hé 😀',
    });
    expect(await carol.peer.nextText()).toBe('alice: hé 😀');
    expect(decodeServerEvent(await alice.peer.next(), 1)).toEqual({ kind: 'ack', id: 42, seq: 1 });
    carol.peer.sendChat(server.udpPort, 'mix', carol.token, 'plain hi');
    expect(decodeServerEvent(await alice.peer.next(), 1)).toEqual({
      kind: 'chat',
      seq: 2,
      sender: 'carol',
      text: 'plain hi',
    });
    expect(decodeServerEvent(await bob.peer.next(), 1)).toMatchObject({ kind: 'chat', seq: 2 });
  });

  it('answers HELLO with MEMBERS, HEARTBEAT with PONG; CLOSE_ROOM from a member is NOT_HOST', async () => {
    const [alice, bob] = await roomWith('t', ['alice', 'bob'], [true, true]);
    bob.peer.sendChat(server.udpPort, 't', bob.token, encodeClientControl({ kind: 'hello' }));
    expect(decodeServerEvent(await bob.peer.next(), 1)).toEqual({
      kind: 'members',
      first: true,
      last: true,
      members: [
        { name: 'alice', host: true },
        { name: 'bob', host: false },
      ],
    });
    bob.peer.sendChat(server.udpPort, 't', bob.token, encodeClientControl({ kind: 'heartbeat', nonce: 0xdeadbeef }));
    expect(decodeServerEvent(await bob.peer.next(), 1)).toEqual({ kind: 'pong', nonce: 0xdeadbeef });
    bob.peer.sendChat(server.udpPort, 't', bob.token, encodeClientControl({ kind: 'close-room' }));
    expect(decodeServerEvent(await bob.peer.next(), 1)).toMatchObject({ kind: 'error', code: 2 });
    expect(server.roomList()).toHaveLength(1);
    alice.peer.sendChat(server.udpPort, 't', alice.token, encodeClientControl({ kind: 'close-room' }));
    expect(decodeServerEvent(await bob.peer.next(), 1)).toEqual({ kind: 'closed', reason: 0 });
    expect(server.roomList()).toHaveLength(0);
  });

  it('announces JOINED and LEFT as structured events', async () => {
    const [alice] = await roomWith('t', ['alice'], [true]);
    const bob = await handshake(server.tcpPort, JOIN, 't', 'bob', { tincan: true });
    const b = await peer();
    b.sendChat(server.udpPort, 't', bob.token, encodeClientControl({ kind: 'hello' }));
    expect(decodeServerEvent(await alice.peer.next(), 1)).toEqual({ kind: 'joined', name: 'bob', host: false });
    b.sendChat(server.udpPort, 't', bob.token, encodeClientControl({ kind: 'leave' }));
    expect(decodeServerEvent(await alice.peer.next(), 1)).toEqual({ kind: 'left', name: 'bob', reason: 0 });
  });

  it('never sends structured datagrams to plain members and ignores 0xFF from them', async () => {
    const [alice, bob] = await roomWith('p', ['alice', 'bob']);
    bob.peer.sendChat(server.udpPort, 'p', bob.token, encodeClientControl({ kind: 'hello' }));
    await waitUntil(() => server.stats().dropped['bad-utf8'] === 1);
    expect(await bob.peer.quiet(100)).toEqual([]);
    expect(await alice.peer.quiet(0)).toEqual([]);
  });
});
