// encrypted transport (#16): a host that admits encrypted members only, on real sockets. A plain
// spec client (TCRP not inside TLS) is refused with ENCRYPTION_REQUIRED, with the dialect or
// without, for create and join alike; our client over TLS is admitted and chats.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Status } from '../../src-shared/protocol/index.js';
import {
  generateHostIdentity,
  HandshakeError,
  MemoryTrustStore,
  type HostIdentity,
} from '../../src-main/engine/index.js';
import { ClientFactory } from '../support/clients.js';
import { waitForEvent } from '../support/events.js';
import { handshake as rawHandshake, CREATE, JOIN } from '../support/raw-tcrp.js';
import { startServer, type TestServer } from '../support/server.js';

let identity: HostIdentity;
beforeAll(async () => {
  identity = await generateHostIdentity();
});

const clients = new ClientFactory();
const servers: TestServer[] = [];
afterEach(async () => {
  await clients.leaveAll();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function encryptedOnlyServer(): Promise<TestServer> {
  const server = await startServer({ identity, encryptedOnly: true });
  servers.push(server);
  return server;
}

describe('a host that admits encrypted members only', () => {
  it('refuses a plain spec client with ENCRYPTION_REQUIRED and admits a TLS client', async () => {
    const s = await encryptedOnlyServer();
    const ports = { tcpPort: s.tcpPort, udpPort: s.udpPort };
    expect((await rawHandshake(s.tcpPort, CREATE, 'lobby', 'mallory')).status).toBe(Status.ENCRYPTION_REQUIRED);

    const alice = clients.make(ports, { encryption: { knownHosts: new MemoryTrustStore() } });
    expect((await alice.connect()).transport).toBe('tls');
    // Not even a join to a room that exists gets in without TLS, with the dialect or without.
    expect((await rawHandshake(s.tcpPort, JOIN, 'lobby', 'carol')).status).toBe(Status.ENCRYPTION_REQUIRED);
    expect((await rawHandshake(s.tcpPort, JOIN, 'lobby', 'carol', { tincan: true })).status).toBe(
      Status.ENCRYPTION_REQUIRED,
    );

    const bob = clients.make(ports, {
      username: 'bob',
      mode: 'join',
      encryption: { knownHosts: new MemoryTrustStore() },
    });
    await bob.connect();
    const heard = waitForEvent(alice, 'message', (m) => m.from === 'bob');
    bob.send('sealed');
    expect((await heard)[0].text).toBe('sealed');
  });

  it('our client without TLS is told why, by name', async () => {
    const s = await encryptedOnlyServer();
    const plain = clients.make({ tcpPort: s.tcpPort, udpPort: s.udpPort });
    const refused = await plain.connect().then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(HandshakeError);
    expect(refused).toMatchObject({
      code: 'ENCRYPTION_REQUIRED',
      message: 'encrypted members only: this host refuses plain connections',
    });
  });
});
