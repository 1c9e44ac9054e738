// ChatClient with a UDP secret against the real ChatServer given the same secret (the test seam
// where TLS will hand it over): the whole client library over sealed datagrams, beside a plain
// client, and failing closed when the server does not seal.
import { afterEach, describe, expect, it } from 'vitest';
import { HandshakeError, type ChatServer } from '../../src-main/engine/index.js';
import { ClientFactory } from '../support/clients.js';
import { waitForEvent } from '../support/events.js';
import { startServer } from '../support/server.js';
import { UdpSecrets } from '../support/sealed-peer.js';

const servers: ChatServer[] = [];
const clients = new ClientFactory({ handshakeTimeoutMs: 2000, heartbeatIntervalMs: 100, reconnect: false });

afterEach(async () => {
  await clients.leaveAll();
  for (const s of servers.splice(0)) await s.close();
});

async function sealedServer(
  secrets: UdpSecrets | null,
  ports: { port?: number; udpPort?: number } = {},
): Promise<ChatServer> {
  const server = await startServer({
    ...ports,
    heartbeatIntervalMs: 100,
    inactivityTimeoutMs: 3000,
    ...(secrets ? { udpSecretForTests: secrets.lookup } : {}),
  });
  servers.push(server);
  return server;
}

describe('ChatClient over sealed datagrams', () => {
  it('chats sealed with another sealed client and with a plain one in the same room', async () => {
    const secrets = new UdpSecrets();
    const server = await sealedServer(secrets);
    const ports = { tcpPort: server.tcpPort };
    const alice = clients.make(ports, {
      username: 'alice',
      mode: 'create',
      udpSecret: secrets.issue('lobby', 'alice'),
    });
    await alice.connect();
    const bob = clients.make(ports, { username: 'bob', mode: 'join', udpSecret: secrets.issue('lobby', 'bob') });
    const carol = clients.make(ports, { username: 'carol', mode: 'join' });
    const bobJoined = waitForEvent(alice, 'joined', (m) => m.name === 'bob');
    await bob.connect();
    await bobJoined;
    const carolJoined = waitForEvent(bob, 'joined', (m) => m.name === 'carol');
    await carol.connect();
    await carolJoined;

    const atBob = waitForEvent(bob, 'message', (m) => m.text === 'sealed hello');
    const atCarol = waitForEvent(carol, 'message', (m) => m.text === 'sealed hello');
    const id = alice.send('sealed hello');
    await Promise.all([atBob, atCarol, waitForEvent(alice, 'delivered', (d) => d.id === id)]);
    const fromCarol = waitForEvent(alice, 'message', (m) => m.from === 'carol' && m.text === 'plain hello');
    carol.send('plain hello');
    await fromCarol;

    expect(server.stats().sealed?.sessions).toBe(2);
    expect(alice.sealedDrops).toEqual({ malformed: 0, 'unknown-epoch': 0, 'bad-tag': 0, replayed: 0 });
    expect(carol.sealedDrops).toBeNull();
    expect(server.stats().dropped).toMatchObject({ 'sealed-bad-tag': 0, 'sealed-unknown-session': 0 });
  });

  it('refuses to go on in plain when it holds a secret and the server does not seal', async () => {
    const server = await sealedServer(null);
    const alice = clients.make({ tcpPort: server.tcpPort }, { udpSecret: new Uint8Array(64) });
    const failure = await alice.connect().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(HandshakeError);
    expect((failure as HandshakeError).code).toBe('PROTOCOL');
  });

  it('never seals a second session with the same secret: a reconnect without a new one fails closed', async () => {
    const secrets = new UdpSecrets();
    const first = await sealedServer(secrets);
    const ports = { tcpPort: first.tcpPort, udpPort: first.udpPort };
    const alice = clients.make(ports, {
      udpSecret: secrets.issue('lobby', 'alice'),
      reconnect: true,
      maxReconnectAttempts: 2,
      reconnectBaseDelayMs: 50,
      reconnectMaxDelayMs: 100,
    });
    await alice.connect();
    const reasons: string[] = [];
    alice.on('state', (state, detail) => {
      if (state === 'reconnecting' && detail.reason) reasons.push(detail.reason);
    });
    const closed = waitForEvent(alice, 'closed');
    await first.close();
    servers.splice(servers.indexOf(first), 1);
    // The same ports, the same secret for alice: the handshake succeeds, the session is refused.
    await sealedServer(secrets, { port: ports.tcpPort, udpPort: ports.udpPort });
    expect((await closed)[0].reason).toBe('gave-up');
    expect(reasons).toContain('a UDP secret seals one session only');
  });
});
