// ChatClient against our real ChatServer on loopback: the Tincan dialect end to end, mixed with a
// plain client, passwords, closing, and reconnection across a server restart on the same ports.
import { afterEach, describe, expect, it } from 'vitest';
import {
  HandshakeError,
  type ChatClient,
  type ChatServer,
  type ClientOptions,
  type ConnectionState,
  type Member,
} from '../../src-main/engine/index.js';
import { Status } from '../../src-shared/protocol/index.js';
import { LossyUdpRelay } from '../faults/lossy-udp-relay.js';
import { Rng } from '../fuzz/random-bytes.js';
import { ClientFactory } from '../support/clients.js';
import { waitForEvent } from '../support/events.js';
import { startServer as startTestServer } from '../support/server.js';
import { becomesTrue } from '../support/wait.js';

const servers: ChatServer[] = [];
const relays: LossyUdpRelay[] = [];
const clients = new ClientFactory({
  handshakeTimeoutMs: 2000,
  heartbeatIntervalMs: 100,
  reconnectBaseDelayMs: 100,
  reconnectMaxDelayMs: 400,
  maxReconnectAttempts: 20,
});

afterEach(async () => {
  await clients.leaveAll();
  for (const r of relays.splice(0)) r.close();
  for (const s of servers.splice(0)) await s.close();
});

// UDP port 0: a separate random port, so the UDP bind cannot collide with a socket that happens to
// hold the TCP port's number (and the client's udpPort option gets exercised).
async function startServer(
  tcpPort = 0,
  udpPort = 0,
  heartbeatIntervalMs = 100,
): Promise<{ tcpPort: number; udpPort: number }> {
  const server = await startTestServer({ port: tcpPort, udpPort, heartbeatIntervalMs, inactivityTimeoutMs: 3000 });
  servers.push(server);
  return { tcpPort: server.tcpPort, udpPort: server.udpPort };
}

function makeClient(ports: { tcpPort: number; udpPort: number }, over: Partial<ClientOptions> = {}): ChatClient {
  return clients.make(ports, over);
}

const names = (members: Member[]): string[] => members.map((m) => `${m.name}${m.host ? '*' : ''}`).sort();

/** Host alice and member bob, both connected, alice having seen bob join; bob may reach the server by `bobPorts`. */
async function pair(ports: { tcpPort: number; udpPort: number }, over: Partial<ClientOptions> = {}, bobPorts = ports) {
  const host = makeClient(ports, { username: 'alice', mode: 'create', ...over });
  await host.connect();
  const joined = waitForEvent(host, 'joined', (m) => m.name === 'bob');
  const member = makeClient(bobPorts, { username: 'bob', mode: 'join', ...over });
  await member.connect();
  await joined;
  return { host, member };
}

describe('ChatClient with the real ChatServer', () => {
  it('creates, joins and chats both ways in the Tincan dialect with ACKs and sequence numbers', async () => {
    const ports = await startServer();
    const host = makeClient(ports, { username: 'alice', mode: 'create' });
    expect(await host.connect()).toMatchObject({ role: 'host', dialect: 'tincan', resumed: false });

    const joined = waitForEvent(host, 'joined', (m) => m.name === 'bob');
    const member = makeClient(ports, { username: 'bob', mode: 'join' });
    const memberList = waitForEvent(member, 'members', (list) => list.length === 2);
    expect(await member.connect()).toMatchObject({ role: 'member', dialect: 'tincan' });
    // Neither speaks TLS here: the server tells each side the other's connection is plain.
    expect((await joined)[0]).toEqual({ name: 'bob', host: false, plain: true });
    expect(names((await memberList)[0])).toEqual(['alice*', 'bob']);
    expect((await memberList)[0].map((m: Member) => m.plain)).toEqual([true, true]);
    expect(names(host.members)).toEqual(['alice*', 'bob']);

    const atMember = waitForEvent(member, 'message');
    const delivered = waitForEvent(host, 'delivered');
    const id = host.send('hello bob');
    const [msg] = await atMember;
    expect(msg).toMatchObject({ from: 'alice', text: 'hello bob', own: false, seq: 1 });
    expect((await delivered)[0]).toEqual({ id, seq: 1 });

    const atHost = waitForEvent(host, 'message');
    member.send('hi alice');
    expect((await atHost)[0]).toMatchObject({ from: 'bob', text: 'hi alice', seq: 2 });
  });

  it('carries UTF-8 of 1 to 4 bytes per character, up to the 3800-byte limit', async () => {
    const ports = await startServer();
    const { host, member } = await pair(ports);
    const samples = [
      'plain ascii',
      'çà ß ñ ü',
      '中文 日本語 ✓ €',
      '🎉🚀 𝄞 👩‍💻',
      'a\u00e9\u4e2d\u{1f600}',
      '🙂'.repeat(950),
    ];
    for (const text of samples) {
      const got = waitForEvent(member, 'message');
      host.send(text);
      expect((await got)[0].text).toBe(text);
    }
    expect(() => host.send('🙂'.repeat(951))).toThrow(RangeError);
  });

  it('reports leave as a left event and updates the member list', async () => {
    const ports = await startServer();
    const { host, member } = await pair(ports);
    const left = waitForEvent(host, 'left');
    await member.leave();
    expect((await left)[0]).toEqual({ name: 'bob', reason: 'left' });
    expect(names(host.members)).toEqual(['alice*']);
  });

  it('reports a member whose new session took over as reconnected, never as left', async () => {
    // Heartbeats of 200 ms: a seat opened in clear is resumed after 400 ms of silence (PROTOCOL.md §4).
    const ports = await startServer(0, 0, 200);
    // Bob's datagrams cross a relay that can stop the server's answers: the server still hears his
    // heartbeats, his client hears no PONG, presumes the server lost and resumes its seat. His seat
    // still talked one heartbeat before, so his first attempts (20 ms apart, then 40…) meet
    // NAME_TAKEN, and he tries again until it is quiet.
    let downCut = false;
    const relay = await LossyUdpRelay.start(
      ports.udpPort,
      { loss: 0, delayMs: 0, jitterMs: 0, dropIf: (direction) => direction === 'down' && downCut },
      new Rng(3),
    );
    relays.push(relay);
    const { host, member } = await pair(
      ports,
      { reconnectBaseDelayMs: 20, reconnectMaxDelayMs: 100 },
      { tcpPort: ports.tcpPort, udpPort: relay.port },
    );
    const reasons: string[] = [];
    member.on('state', (state, info) => {
      if (state === 'reconnecting' && info?.reason !== undefined) reasons.push(info.reason);
    });
    const left: string[] = [];
    host.on('left', (info) => left.push(info.name));
    const reconnected = waitForEvent(host, 'reconnected', () => true, 10_000);
    const resumed = waitForEvent(member, 'connected', (info) => info.resumed === true, 10_000);
    downCut = true;
    await waitForEvent(member, 'state', (state) => state === 'reconnecting', 10_000);
    downCut = false;
    await resumed;
    expect((await reconnected)[0]).toEqual({ name: 'bob' });
    expect(left).toEqual([]);
    expect(names(host.members)).toEqual(['alice*', 'bob']);
    expect(reasons[0]).toBe('no answer to 3 heartbeats');
    expect(reasons.slice(1)).toContain(HandshakeError.fromStatus(Status.NAME_TAKEN).message);
  });

  it('enforces the room password', async () => {
    const ports = await startServer();
    await makeClient(ports, { username: 'alice', password: 'open sesame' }).connect();
    const attempts: [Partial<ClientOptions>, string][] = [
      [{ password: 'wrong' }, 'WRONG_PASSWORD'],
      [{ password: '' }, 'PASSWORD_REQUIRED'],
    ];
    for (const [over, code] of attempts) {
      const err = await makeClient(ports, { username: 'eve', mode: 'join', ...over })
        .connect()
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(HandshakeError);
      expect((err as HandshakeError).code).toBe(code);
    }
    const ok = makeClient(ports, { username: 'bob', mode: 'join', password: 'open sesame' });
    expect((await ok.connect()).role).toBe('member');
  });

  it('closeRoom by the host ends the member with closed {by-host}; the host leaving gives host-left', async () => {
    const ports = await startServer();
    const first = await pair(ports);
    const closed = waitForEvent(first.member, 'closed');
    await first.host.closeRoom();
    expect((await closed)[0]).toEqual({ reason: 'by-host' });
    expect(first.member.state).toBe('closed');

    const second = await pair(ports); // the name is free again
    const closed2 = waitForEvent(second.member, 'closed');
    await second.host.leave();
    expect((await closed2)[0]).toEqual({ reason: 'host-left' });
  });

  it('a plain client and a Tincan client talk to each other through the server', async () => {
    const ports = await startServer();
    const { host, member } = await pair(ports, {});
    await member.leave();
    const joined = waitForEvent(host, 'joined', (m) => m.name === 'carol');
    const plain = makeClient(ports, { username: 'carol', mode: 'join', negotiate: false });
    expect((await plain.connect()).dialect).toBe('plain');
    await joined;

    const atPlain = waitForEvent(plain, 'message');
    host.send('hi carol ✓');
    expect((await atPlain)[0]).toMatchObject({ from: 'alice', text: 'hi carol ✓', seq: null });
    const atHost = waitForEvent(host, 'message');
    plain.send('hi alice 🎉');
    expect((await atHost)[0]).toMatchObject({ from: 'carol', text: 'hi alice 🎉' });
  });

  it('works over IPv6 loopback', async () => {
    const server = await startTestServer({ host: '::1', udpPort: 0, heartbeatIntervalMs: 100 });
    servers.push(server);
    const { tcpPort, udpPort } = server;
    const host = makeClient({ tcpPort, udpPort }, { host: '::1', username: 'alice' });
    await host.connect();
    const joined = waitForEvent(host, 'joined');
    const member = makeClient({ tcpPort, udpPort }, { host: '::1', username: 'bob', mode: 'join' });
    await member.connect();
    await joined;
    const got = waitForEvent(member, 'message');
    host.send('over v6');
    expect((await got)[0]).toMatchObject({ from: 'alice', text: 'over v6' });
  });

  it('reconnects after a server restart on the same ports: host recreates, member rejoins, no duplicates', async () => {
    const ports = await startServer();
    const { host, member } = await pair(ports, { password: 'pw' });
    const hostStates: ConnectionState[] = [];
    const memberStates: ConnectionState[] = [];
    host.on('state', (s) => hostStates.push(s));
    member.on('state', (s) => memberStates.push(s));

    const hostBack = waitForEvent(host, 'connected', () => true, 10_000);
    const memberBack = waitForEvent(member, 'connected', () => true, 10_000);
    await (servers.pop() as ChatServer).close();
    await startServer(ports.tcpPort, ports.udpPort);
    await Promise.all([hostBack, memberBack]);

    expect(hostStates[0]).toBe('reconnecting');
    expect(memberStates[0]).toBe('reconnecting');
    expect(hostStates.at(-1)).toBe('connected');
    expect(memberStates.at(-1)).toBe('connected');
    expect(host.role).toBe('host');
    expect(member.role).toBe('member');

    // Both see the same list, each name once (the member may arrive after the host's HELLO).
    await becomesTrue(() => names(host.members).length >= 2, { timeoutMs: 3000 });
    expect(names(host.members)).toEqual(['alice*', 'bob']);
    expect(names(member.members)).toEqual(['alice*', 'bob']);

    const atHost = waitForEvent(host, 'message');
    member.send('still here');
    expect((await atHost)[0]).toMatchObject({ from: 'bob', text: 'still here' });
    const atMember = waitForEvent(member, 'message');
    host.send('welcome back');
    expect((await atMember)[0]).toMatchObject({ from: 'alice', text: 'welcome back' });
  });
});
