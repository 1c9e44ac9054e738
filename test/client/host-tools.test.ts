// The host's tools through our client on a real server: kick() ends the removed member's session
// with 'kicked' (Tincan and plain dialect) while the room sees 'removed'; setPassword() resolves
// once the server took it; typing() reaches only members that offered typing indicators. The
// same kick with shard processes (--workers), where the room lives in a shard.
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatClient, ClientEvents } from '../../src-main/engine/client/index.js';
import { ShardedChatServer } from '../../src-main/engine/server/sharded-server.js';
import { loadUdpBatch } from '../../src-main/engine/server/udp-batch.js';
import { ClientFactory } from '../support/clients.js';
import { waitForEvent } from '../support/events.js';
import { LIFTED_LIMITS, SHORT_TIMEOUTS, startServer, type TestServer } from '../support/server.js';
import { waitUntil } from '../support/wait.js';

const clients = new ClientFactory();
let server: TestServer | null = null;
let sharded: ShardedChatServer | null = null;

afterEach(async () => {
  await clients.leaveAll();
  await server?.close();
  await sharded?.close();
  server = null;
  sharded = null;
});

/** alice hosts `lobby`; the others join in order, each seen by alice before the next comes. */
async function room(
  port: number,
  ...joiners: [string, Parameters<ClientFactory['make']>[1]?][]
): Promise<ChatClient[]> {
  const host = clients.make({ tcpPort: port });
  await host.connect();
  const all = [host];
  for (const [username, over] of joiners) {
    const seen = waitForEvent(host, 'joined', (m) => m.name === username, 8_000);
    const c = clients.make({ tcpPort: port }, { username, mode: 'join', ...over });
    await c.connect();
    await seen;
    all.push(c);
  }
  return all;
}

describe('kick()', () => {
  it('ends a Tincan member with "kicked", and the others see it "removed"', async () => {
    server = await startServer(SHORT_TIMEOUTS);
    const [alice, bob, carol] = (await room(server.tcpPort, ['bob'], ['carol'])) as ChatClient[];
    const closed = waitForEvent(bob as ChatClient, 'closed');
    const left = waitForEvent(carol as ChatClient, 'left');
    (alice as ChatClient).kick('bob');
    expect(await closed).toEqual([{ reason: 'kicked' }]);
    expect(await left).toEqual([{ name: 'bob', reason: 'removed' }]);
    expect((carol as ChatClient).members.map((m) => m.name)).toEqual(['alice', 'carol']);
    expect((bob as ChatClient).state).toBe('closed');
  });

  it('ends a plain-dialect member with "kicked" through the plain notice', async () => {
    server = await startServer(SHORT_TIMEOUTS);
    const [alice, bob] = (await room(server.tcpPort, ['bob', { negotiate: false }])) as ChatClient[];
    expect((bob as ChatClient).dialect).toBe('plain');
    const closed = waitForEvent(bob as ChatClient, 'closed');
    (alice as ChatClient).kick('bob');
    expect(await closed).toEqual([{ reason: 'kicked' }]);
  });

  it('refuses without sending: not the host, no such member, the host itself', async () => {
    server = await startServer(SHORT_TIMEOUTS);
    const [alice, bob] = (await room(server.tcpPort, ['bob'])) as ChatClient[];
    expect(() => (bob as ChatClient).kick('alice')).toThrow(/only the host/);
    expect(() => (alice as ChatClient).kick('zoe')).toThrow(/no member named zoe/);
    expect(() => (alice as ChatClient).kick('alice')).toThrow(/cannot remove itself/);
    expect(server.roomSummary('lobby')?.members).toBe(2);
  });
});

describe('setPassword()', () => {
  it('resolves once the room needs the new password; existing members stay', async () => {
    server = await startServer(SHORT_TIMEOUTS);
    const [alice, bob] = (await room(server.tcpPort, ['bob'])) as ChatClient[];
    await (alice as ChatClient).setPassword('s3cret');
    expect(server.roomSummary('lobby')?.hasPassword).toBe(true);
    const refused = clients.make({ tcpPort: server.tcpPort }, { username: 'carol', mode: 'join' });
    await expect(refused.connect()).rejects.toMatchObject({ code: 'PASSWORD_REQUIRED' });
    const carol = clients.make({ tcpPort: server.tcpPort }, { username: 'carol', mode: 'join', password: 's3cret' });
    await carol.connect();
    expect((bob as ChatClient).state).toBe('connected');

    await (alice as ChatClient).setPassword('');
    expect(server.roomSummary('lobby')?.hasPassword).toBe(false);
  });

  it('is refused to a member', async () => {
    server = await startServer(SHORT_TIMEOUTS);
    const [, bob] = (await room(server.tcpPort, ['bob'])) as ChatClient[];
    await expect((bob as ChatClient).setPassword('x')).rejects.toThrow(/only the host/);
    expect(server.roomSummary('lobby')?.hasPassword).toBe(false);
  });
});

describe('typing()', () => {
  it('reaches members that offered typing indicators, once per interval', async () => {
    server = await startServer(SHORT_TIMEOUTS);
    const [alice, bob, carol] = (await room(server.tcpPort, ['bob'], ['carol', { typing: false }])) as ChatClient[];
    const seenByBob: ClientEvents['typing'][0][] = [];
    const seenByCarol: ClientEvents['typing'][0][] = [];
    (bob as ChatClient).on('typing', (t) => seenByBob.push(t));
    (carol as ChatClient).on('typing', (t) => seenByCarol.push(t));
    const rateLimitedBefore = server.dropped('rate-limited');
    (alice as ChatClient).typing();
    (alice as ChatClient).typing(); // within the interval: not sent at all
    const line = waitForEvent(carol as ChatClient, 'message');
    const lineAtBob = waitForEvent(bob as ChatClient, 'message');
    (alice as ChatClient).send('there');
    await Promise.all([line, lineAtBob]);
    expect(seenByBob).toEqual([{ name: 'alice' }]);
    expect(seenByCarol).toEqual([]);
    expect(server.dropped('rate-limited')).toBe(rateLimitedBefore);
  });
});

const native = process.platform === 'linux' && loadUdpBatch() !== null;

describe.skipIf(!native)('with shard processes', () => {
  it('kicks and changes the password in the shard that owns the room', async () => {
    sharded = new ShardedChatServer({ host: '127.0.0.1', port: 0, ...LIFTED_LIMITS }, { shards: 2 });
    const { tcpPort } = await sharded.listen();
    const [alice, bob] = (await room(tcpPort, ['bob', { handshakeTimeoutMs: 8_000 }])) as ChatClient[];
    const closed = waitForEvent(bob as ChatClient, 'closed', () => true, 8_000);
    (alice as ChatClient).kick('bob');
    expect(await closed).toEqual([{ reason: 'kicked' }]);
    await (alice as ChatClient).setPassword('s3cret');
    const carol = clients.make({ tcpPort }, { username: 'carol', mode: 'join', handshakeTimeoutMs: 8_000 });
    await expect(carol.connect()).rejects.toMatchObject({ code: 'PASSWORD_REQUIRED' });
    await waitUntil(() => sharded?.roomList().some((r) => r.name === 'lobby' && r.members === 1) === true, {
      what: 'the primary counts one member',
    });
  });
});
