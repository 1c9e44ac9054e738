// Heartbeats, reconnection and server-sent events, against the scriptable Tincan fake server.
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatClient, ClientOptions, ConnectionState } from '../../src-main/engine/index.js';
import {
  encodeErrorEvent,
  ErrorCode,
  Status,
  TINCAN_DIALECT_VERSION,
  utf8Encode,
} from '../../src-shared/protocol/index.js';
import { TincanFakeServer } from './tincan-fake-server.js';
import { ClientFactory } from '../support/clients.js';
import { waitForEvent } from '../support/events.js';
import { letTimePass } from '../support/wait.js';

const servers: TincanFakeServer[] = [];
const clients = new ClientFactory({
  password: 'pw',
  handshakeTimeoutMs: 1000,
  reconnectBaseDelayMs: 50,
  reconnectMaxDelayMs: 200,
});

afterEach(async () => {
  await clients.leaveAll();
  for (const s of servers.splice(0)) await s.stop().catch(() => {});
});

async function startServer(
  tcpPort = 0,
  udpPort = 0,
): Promise<{ server: TincanFakeServer; tcpPort: number; udpPort: number }> {
  const server = new TincanFakeServer();
  servers.push(server);
  return { server, ...(await server.start(tcpPort, udpPort)) };
}

function makeClient(ports: { tcpPort: number; udpPort: number }, over: Partial<ClientOptions> = {}): ChatClient {
  return clients.make(ports, over);
}

function recordStates(c: ChatClient): { state: ConnectionState; attempt?: number }[] {
  const seen: { state: ConnectionState; attempt?: number }[] = [];
  c.on('state', (state, detail) =>
    seen.push(detail.attempt === undefined ? { state } : { state, attempt: detail.attempt }),
  );
  return seen;
}

describe('ChatClient session with a Tincan server', () => {
  it('gets the member list on HELLO and reports ACKs as delivered', async () => {
    const ports = await startServer();
    const host = makeClient(ports);
    const membersSeen = waitForEvent(host, 'members');
    expect(await host.connect()).toMatchObject({ role: 'host', dialect: 'tincan' });
    await membersSeen;
    expect(host.members).toEqual([{ name: 'alice', host: true }]);
    const delivered = waitForEvent(host, 'delivered');
    const id = host.send('hello');
    expect(typeof id).toBe('number');
    expect((await delivered)[0]).toEqual({ id, seq: 1 });
  });

  it('survives garbage datagrams and reports server ERRORs only to an error listener', async () => {
    const { server, ...ports } = await startServer();
    const host = makeClient(ports);
    await host.connect();
    // No 'error' listener: an ERROR datagram must not throw out of the socket handler.
    server.sendRaw(encodeErrorEvent(ErrorCode.RATE_LIMITED, 'slow down'));
    for (const junk of [
      Uint8Array.of(0xff),
      Uint8Array.of(0xff, 0x81, 1, 0xff, 0xff),
      Uint8Array.of(0xc3, 0x28),
      new Uint8Array(4000).fill(0xff),
    ]) {
      server.sendRaw(junk);
    }
    const first = waitForEvent(host, 'notice', (t) => t === 'marker 1');
    server.sendRaw(utf8Encode('marker 1'));
    await first;
    const errors: (Error & { code?: string })[] = [];
    host.on('error', (e) => errors.push(e));
    const second = waitForEvent(host, 'notice', (t) => t === 'marker 2');
    server.sendRaw(encodeErrorEvent(ErrorCode.NOT_HOST, 'only the host can do that'));
    server.sendRaw(utf8Encode('marker 2'));
    await second;
    expect(errors.map((e) => [e.code, e.message])).toEqual([['NOT_HOST', 'only the host can do that']]);
    expect(host.state).toBe('connected');
  });

  it('a CLOSED event from the server stops the client without reconnecting', async () => {
    const { server, ...ports } = await startServer();
    const host = makeClient(ports);
    await host.connect();
    const closed = waitForEvent(host, 'closed');
    server.sendClosed(1);
    expect((await closed)[0]).toEqual({ reason: 'host-left' });
    expect(host.state).toBe('closed');
    const before = server.handshakes.length;
    await letTimePass(300, 'a closed client must not try to reconnect');
    expect(server.handshakes.length).toBe(before);
  });

  it('missed PONGs lead to reconnecting; the host recreates the room after a server restart and the member rejoins', async () => {
    const first = await startServer();
    const ports = { tcpPort: first.tcpPort, udpPort: first.udpPort };
    const host = makeClient(ports, { username: 'alice', mode: 'create' });
    const oldHostToken = (await host.connect()).token;
    const member = makeClient(ports, { username: 'bob', mode: 'join' });
    await member.connect();
    const hostStates = recordStates(host);
    const memberStates = recordStates(member);

    // The server forgets everyone (restart): PONGs stop; then a new one appears on the same ports.
    first.server.answerHeartbeats = false;
    await waitForEvent(host, 'state', (s) => s === 'reconnecting');
    await first.server.stop();
    const second = await startServer(ports.tcpPort, ports.udpPort);
    second.server.answerHeartbeats = true;

    const hostBack = waitForEvent(host, 'connected', () => true, 5000);
    const memberBack = waitForEvent(member, 'connected', () => true, 5000);
    await Promise.all([hostBack, memberBack]);
    expect(host.role).toBe('host');
    expect(member.role).toBe('member');
    expect(hostStates[0]).toEqual({ state: 'reconnecting', attempt: 1 });
    expect(hostStates.at(-1)?.state).toBe('connected');
    expect(memberStates.at(-1)?.state).toBe('connected');

    const hostRetry = second.server.handshakes.find((h) => h.username === 'alice');
    expect(hostRetry).toMatchObject({ op: 1, resume: oldHostToken, dialect: TINCAN_DIALECT_VERSION });
    // The member's first retries hit NO_SUCH_ROOM or nothing at all, and it kept going.
    expect(second.server.handshakes.some((h) => h.username === 'bob' && h.op === 2)).toBe(true);

    const got = waitForEvent(host, 'message');
    member.send('back again');
    expect((await got)[0]).toMatchObject({ from: 'bob', text: 'back again' });
  });

  it('a member keeps retrying through NO_SUCH_ROOM, then gives up after maxReconnectAttempts', async () => {
    const { server, ...ports } = await startServer();
    server.roomExists = true;
    const member = makeClient(ports, { username: 'bob', mode: 'join', maxReconnectAttempts: 3 });
    await member.connect();
    const states = recordStates(member);
    server.roomExists = false;
    server.answerHeartbeats = false;
    const closed = await waitForEvent(member, 'closed', () => true, 5000);
    expect(closed[0]).toEqual({ reason: 'gave-up' });
    expect(states.filter((s) => s.state === 'reconnecting').map((s) => s.attempt)).toEqual([1, 2, 3]);
    expect(server.handshakes.filter((h) => h.username === 'bob').length).toBe(4); // connect + 3 retries
  });

  it('WRONG_PASSWORD during a reconnect is final', async () => {
    const { server, ...ports } = await startServer();
    server.roomExists = true;
    const member = makeClient(ports, { username: 'bob', mode: 'join' });
    await member.connect();
    const errors: Error[] = [];
    member.on('error', (e) => errors.push(e));
    server.forcedJoinStatus = Status.WRONG_PASSWORD;
    server.answerHeartbeats = false;
    const closed = await waitForEvent(member, 'closed', () => true, 5000);
    expect(closed[0]).toEqual({ reason: 'gave-up' });
    expect(errors.map((e) => (e as Error & { code: string }).code)).toEqual(['WRONG_PASSWORD']);
  });

  it('without reconnect, a dead server ends the client with gave-up', async () => {
    const { server, ...ports } = await startServer();
    const host = makeClient(ports, { reconnect: false });
    await host.connect();
    server.answerHeartbeats = false;
    expect((await waitForEvent(host, 'closed', () => true, 5000))[0]).toEqual({ reason: 'gave-up' });
  });

  it('send() throws NotConnectedError while reconnecting', async () => {
    const { server, ...ports } = await startServer();
    const host = makeClient(ports, { maxReconnectAttempts: 50 });
    await host.connect();
    server.answerHeartbeats = false;
    await waitForEvent(host, 'state', (s) => s === 'reconnecting');
    expect(() => host.send('x')).toThrow(/not connected/);
  });
});
