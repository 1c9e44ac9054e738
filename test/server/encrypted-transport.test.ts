// TLS on the TCRP port between our client and our server, on real sockets: the chat works, a spec
// client still works on the same port, nothing secret crosses TCP in clear, a certificate other
// than the expected one or a plain answer from a host expected to speak TLS is refused before
// anything is sent, and the host identity survives a restart. The server speaks TLS 1.3 only, with an
// ECDSA P-256 certificate, and never resumes a TLS session.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  generateHostIdentity,
  handshake,
  hostKeyOf,
  KnownHostsFile,
  loadOrCreateHostIdentity,
  MemoryTrustStore,
  PLAIN_ENTRY,
  TrustError,
  type HostIdentity,
} from '../../src-main/engine/index.js';
import { SealedCipher } from '../../src-shared/protocol/index.js';
import { ClientFactory } from '../support/clients.js';
import { waitForEvent } from '../support/events.js';
import {
  closedByServer,
  handshake as rawHandshake,
  CREATE,
  JOIN,
  openSilent,
  requestFrame,
} from '../support/raw-tcrp.js';
import { startServer, type TestServer } from '../support/server.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitUntil } from '../support/wait.js';

let identity: HostIdentity;
let otherIdentity: HostIdentity;
beforeAll(async () => {
  [identity, otherIdentity] = await Promise.all([generateHostIdentity(), generateHostIdentity()]);
});

const clients = new ClientFactory();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await clients.leaveAll();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(id: HostIdentity | null): Promise<TestServer> {
  const s = await startServer(id ? { identity: id } : {});
  cleanups.push(() => s.close());
  return s;
}

async function proxyTo(port: number): Promise<{ proxy: TcpProxy; port: number }> {
  const proxy = new TcpProxy(port);
  const proxyPort = await proxy.start();
  cleanups.push(() => proxy.stop());
  return { proxy, port: proxyPort };
}

/** A handshake through `port` as our client makes it, refused or not. */
function joinVia(port: number, encryption: Parameters<typeof handshake>[0]['encryption']) {
  return handshake({ host: '127.0.0.1', port, room: 'lobby', username: 'bob', mode: 'join', encryption });
}

describe('TLS between our client and our server', () => {
  it('creates, joins and chats inside TLS, with the certificate remembered on first use', async () => {
    const s = await server(identity);
    const ports = { tcpPort: s.tcpPort, udpPort: s.udpPort };
    const trust = new MemoryTrustStore();
    const alice = clients.make(ports, { password: 'S3cretRoomPW!', encryption: { knownHosts: trust } });
    const bob = clients.make(ports, {
      username: 'bob',
      mode: 'join',
      password: 'S3cretRoomPW!',
      encryption: { knownHosts: trust },
    });
    const aliceInfo = await alice.connect();
    expect(aliceInfo.transport).toBe('tls');
    expect(aliceInfo.fingerprint).toBe(identity.fingerprint);
    // Accepted only because this address had no certificate on record: the UI must say so.
    expect(aliceInfo.trust).toBe('first-use');
    expect(aliceInfo.cipher).toBe(SealedCipher.AES_256_GCM);
    expect(trust.get(hostKeyOf('127.0.0.1', s.tcpPort))).toBe(identity.fingerprint);
    const bobInfo = await bob.connect();
    expect(bobInfo.transport).toBe('tls');
    expect(bobInfo.trust).toBe('known');
    const heard = waitForEvent(alice, 'message', (m) => m.from === 'bob');
    bob.send('over TLS');
    expect((await heard)[0].text).toBe('over TLS');
  });

  it('exports a 64-byte UDP secret and a resume proof per seat, different for each seat', async () => {
    const s = await server(identity);
    const created = await handshake({
      host: '127.0.0.1',
      port: s.tcpPort,
      room: 'lobby',
      username: 'alice',
      mode: 'create',
      encryption: { fingerprint: identity.fingerprint },
    });
    const joined = await joinVia(s.tcpPort, { fingerprint: identity.fingerprint });
    expect(created.udpSecret?.length).toBe(64);
    expect(joined.udpSecret?.length).toBe(64);
    expect(joined.resumeProof?.length).toBe(32);
    expect(created.udpSecret?.equals(joined.udpSecret as Buffer)).toBe(false);
  });

  it('still serves a plain spec client on the same port', async () => {
    const s = await server(identity);
    const host = await rawHandshake(s.tcpPort, CREATE, 'lobby', 'alice', { tincan: true });
    expect(host.status).toBe(0);
    const spec = await rawHandshake(s.tcpPort, JOIN, 'lobby', 'carol');
    expect(spec.status).toBe(0);
    expect(spec.info).toBeNull();
    expect(spec.token.length).toBeGreaterThan(0);
  });

  it('speaks TLS 1.3 only, with its ECDSA P-256 certificate, and resumes no TLS session', async () => {
    const s = await server(identity);
    const open = (options: ConnectionOptions) =>
      new Promise<TLSSocket>((resolve, reject) => {
        const socket = tlsConnect({ host: '127.0.0.1', port: s.tcpPort, rejectUnauthorized: false, ...options });
        cleanups.push(() => void socket.destroy());
        socket.once('secureConnect', () => resolve(socket));
        socket.once('error', reject);
      });
    await expect(open({ maxVersion: 'TLSv1.2' })).rejects.toThrow(/protocol version|unsupported protocol/i);

    // A whole TCRP exchange inside TLS, so any ticket the server would send has been sent.
    const sessions: Buffer[] = [];
    const first = await open({});
    first.on('session', (session: Buffer) => sessions.push(session));
    expect(first.getProtocol()).toBe('TLSv1.3');
    const cert = first.getPeerX509Certificate();
    expect(cert?.publicKey.asymmetricKeyType).toBe('ec');
    expect(cert?.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert?.fingerprint256.replaceAll(':', '').toLowerCase()).toBe(identity.fingerprint);
    first.write(requestFrame({ operation: CREATE, room: 'lobby', payload: { username: 'alice', tincan: true } }));
    await closedByServer(first);
    // Offering whatever session came back, if any, still gets a full handshake.
    const second = await open(sessions[0] === undefined ? {} : { session: sessions[0] });
    expect(second.isSessionReused()).toBe(false);
  });

  it('cuts a TLS handshake that stalls, like a slow TCRP request', async () => {
    const s = await startServer({ identity, handshakeTimeoutMs: 300 });
    cleanups.push(() => s.close());
    const socket = await openSilent(s.tcpPort);
    const started = Date.now();
    socket.write(Uint8Array.of(0x16, 0x03, 0x01)); // a ClientHello that never goes on
    await closedByServer(socket);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(s.stats().handshakes).toEqual({ HANDSHAKE_TIMEOUT: 1 });
  });

  it('sends no password, token, room or user name over TCP in clear', async () => {
    const s = await server(identity);
    const { proxy, port } = await proxyTo(s.tcpPort);
    const trust = new MemoryTrustStore();
    const ports = { tcpPort: port, udpPort: s.udpPort };
    const host = clients.make(ports, {
      room: 'SecretRoomName',
      password: 'S3cretRoomPW!',
      encryption: { knownHosts: trust },
    });
    const member = clients.make(ports, {
      room: 'SecretRoomName',
      username: 'bobTheMember',
      mode: 'join',
      password: 'S3cretRoomPW!',
      encryption: { knownHosts: trust },
    });
    const tokens = [(await host.connect()).token, (await member.connect()).token];
    const wire = proxy.captured;
    expect(wire.length).toBeGreaterThan(500); // two TLS handshakes did cross the proxy
    for (const secret of ['S3cretRoomPW!', 'SecretRoomName', 'bobTheMember', ...tokens])
      expect(wire.includes(Buffer.from(secret)), secret).toBe(false);
  });
});

describe('trust: pinning, trust on first use, no downgrade', () => {
  it('refuses a man in the middle with another certificate when the fingerprint is pinned', async () => {
    const real = await server(identity);
    const impostor = await server(otherIdentity);
    const { port } = await proxyTo(impostor.tcpPort);
    const refused = joinVia(port, { fingerprint: identity.fingerprint });
    await expect(refused).rejects.toBeInstanceOf(TrustError);
    await expect(refused).rejects.toMatchObject({
      code: 'CERTIFICATE_MISMATCH',
      expected: identity.fingerprint,
      presented: otherIdentity.fingerprint,
    });
    // Nothing was sent: the impostor never saw a request.
    expect(impostor.stats().handshakes).toEqual({});
    expect(real.stats().handshakes).toEqual({});
  });

  it('flags a known host whose certificate changed, naming both fingerprints', async () => {
    const real = await server(identity);
    const impostor = await server(otherIdentity);
    const { proxy, port } = await proxyTo(real.tcpPort);
    const trust = new MemoryTrustStore();
    await rawHandshake(real.tcpPort, CREATE, 'lobby', 'alice', { tincan: true });
    expect((await joinVia(port, { knownHosts: trust })).fingerprint).toBe(identity.fingerprint);
    proxy.targetPort = impostor.tcpPort;
    await expect(joinVia(port, { knownHosts: trust })).rejects.toMatchObject({
      code: 'CERTIFICATE_CHANGED',
      expected: identity.fingerprint,
      presented: otherIdentity.fingerprint,
    });
    expect(impostor.stats().handshakes).toEqual({});
    // The store still holds the first certificate: the change is the user's decision.
    expect(trust.get(hostKeyOf('127.0.0.1', port))).toBe(identity.fingerprint);
    // The user's decision: pinning the new certificate trusts it from then on.
    await rawHandshake(impostor.tcpPort, CREATE, 'lobby', 'alice', { tincan: true });
    expect((await joinVia(port, { knownHosts: trust, fingerprint: otherIdentity.fingerprint })).trust).toBe('pinned');
    expect(trust.get(hostKeyOf('127.0.0.1', port))).toBe(otherIdentity.fingerprint);
  });

  it('refuses a plain answer from a host expected to speak TLS (pinned or known)', async () => {
    const real = await server(identity);
    const plain = await server(null);
    const { proxy, port } = await proxyTo(real.tcpPort);
    await rawHandshake(real.tcpPort, CREATE, 'lobby', 'alice', { tincan: true });
    await rawHandshake(plain.tcpPort, CREATE, 'lobby', 'alice', { tincan: true });
    const trust = new MemoryTrustStore();
    await joinVia(port, { knownHosts: trust });
    proxy.targetPort = plain.tcpPort; // the stripping proxy: the same address now answers in clear
    await expect(joinVia(port, { knownHosts: trust })).rejects.toMatchObject({ code: 'DOWNGRADE', presented: null });
    await expect(joinVia(port, { fingerprint: identity.fingerprint })).rejects.toMatchObject({ code: 'DOWNGRADE' });
    expect(plain.stats().handshakes.OK).toBe(1); // only the test's own create got through
  });

  it('falls back to plain for a first contact with a server without TLS, and remembers it', async () => {
    const plain = await server(null);
    await rawHandshake(plain.tcpPort, CREATE, 'lobby', 'alice', { tincan: true });
    const trust = new MemoryTrustStore();
    const result = await joinVia(plain.tcpPort, { knownHosts: trust });
    expect(result.transport).toBe('plain');
    expect(result.udpSecret).toBeNull();
    expect(trust.get(hostKeyOf('127.0.0.1', plain.tcpPort))).toBe(PLAIN_ENTRY);
  });

  it('keeps the identity across a restart: same fingerprint, known hosts still trust it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tincan-identity-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const first = await loadOrCreateHostIdentity(join(dir, 'identity'));
    expect(statSync(join(dir, 'identity')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'identity', 'host-key.pem')).mode & 0o777).toBe(0o600);
    const before = await startServer({ identity: first });
    await rawHandshake(before.tcpPort, CREATE, 'lobby', 'alice', { tincan: true });
    const trust = new KnownHostsFile(join(dir, 'known-hosts.json'));
    await joinVia(before.tcpPort, { knownHosts: trust });
    const port = before.tcpPort;
    await before.close();

    const again = await loadOrCreateHostIdentity(join(dir, 'identity'));
    expect(again.fingerprint).toBe(first.fingerprint);
    const after = await startServer({ identity: again, port, udpPort: null });
    cleanups.push(() => after.close());
    await rawHandshake(after.tcpPort, CREATE, 'lobby', 'alice', { tincan: true });
    const reread = new KnownHostsFile(join(dir, 'known-hosts.json'));
    expect(reread.get(hostKeyOf('127.0.0.1', port))).toBe(first.fingerprint);
    expect((await joinVia(port, { knownHosts: reread })).fingerprint).toBe(first.fingerprint);
  });

  it('reconnects live sessions across a restart with the same identity, sealed and pinned again', async () => {
    const first = await server(identity);
    const port = first.tcpPort;
    const ports = { tcpPort: port, udpPort: first.udpPort };
    const fast = { reconnectBaseDelayMs: 50, reconnectMaxDelayMs: 200, heartbeatIntervalMs: 200 };
    const alice = clients.make(ports, { ...fast, encryption: { knownHosts: new MemoryTrustStore() } });
    const bob = clients.make(ports, {
      ...fast,
      username: 'bob',
      mode: 'join',
      encryption: { knownHosts: new MemoryTrustStore() },
    });
    await alice.connect();
    await bob.connect();

    const back = (c: typeof alice) =>
      waitForEvent(
        c,
        'connected',
        (info) => info.transport === 'tls' && info.fingerprint === identity.fingerprint,
        15_000,
      );
    const aliceBack = back(alice);
    const bobBack = back(bob);
    await first.close();
    const again = await startServer({ identity, port, udpPort: null });
    cleanups.push(() => again.close());
    // The host creates its room again, the member joins it again; both check the same certificate.
    await aliceBack;
    await bobBack;
    await waitUntil(() => alice.members.length === 2, { what: 'bob back in the room', timeoutMs: 10_000 });
    const heard = waitForEvent(alice, 'message', (m) => m.from === 'bob' && m.text === 'after the restart');
    bob.send('after the restart');
    await heard;
    expect(bob.sealedDrops).not.toBeNull();
  }, 30_000);
});
