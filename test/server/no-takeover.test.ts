// The sniffed-token attacks of issue #16 on real sockets: a token seen on the wire must not let
// anyone take its member's seat, and the member must always get back in. A seat opened in clear is
// resumed with the room password, and only once it went quiet (its token and password crossed in
// clear); a seat opened inside TLS with the proof exported from that TLS session, presented inside TLS.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Status } from '../../src-shared/protocol/index.js';
import { generateHostIdentity, handshake, type HostIdentity } from '../../src-main/engine/index.js';
import { handshake as rawHandshake, CREATE, JOIN } from '../support/raw-tcrp.js';
import { RawMember } from '../support/raw-udp.js';
import { startServer, type TestServer } from '../support/server.js';
import { letTimePass, waitUntil } from '../support/wait.js';

let server: TestServer | null = null;
let members: RawMember[] = [];
let identity: HostIdentity;
beforeAll(async () => {
  identity = await generateHostIdentity();
});
afterEach(async () => {
  for (const m of members) m.close();
  members = [];
  await server?.close();
  server = null;
});

describe('a seat opened in clear (room with a password)', () => {
  async function roomWithBob(): Promise<{ port: number; bobToken: string }> {
    server = await startServer({ identity });
    const port = server.tcpPort;
    expect((await rawHandshake(port, CREATE, 'lobby', 'alice', { tincan: true, password: 'pw' })).status).toBe(0);
    const bob = await rawHandshake(port, JOIN, 'lobby', 'bob', { tincan: true, password: 'pw' });
    expect(bob.status).toBe(Status.OK);
    return { port, bobToken: bob.token.toString('latin1') };
  }

  it('refuses a resume with the sniffed token and no password', async () => {
    const { port, bobToken } = await roomWithBob();
    const attacker = await rawHandshake(port, JOIN, 'lobby', 'bob', { tincan: true, resume: bobToken });
    expect(attacker.status).toBe(Status.PASSWORD_REQUIRED);
    expect(attacker.token.length).toBe(0);
  });

  it('never locks the member out: its rejoin resumes its seat, not NAME_TAKEN', async () => {
    const { port, bobToken } = await roomWithBob();
    await rawHandshake(port, JOIN, 'lobby', 'bob', { tincan: true, resume: bobToken });
    await rawHandshake(port, JOIN, 'lobby', 'bob', { tincan: true, resume: bobToken, password: 'wrong' });
    // The real bob comes back with his token and the password: his seat, still his.
    const rejoin = await rawHandshake(port, JOIN, 'lobby', 'bob', { tincan: true, resume: bobToken, password: 'pw' });
    expect(rejoin.status).toBe(Status.OK);
    expect(rejoin.info?.resumed).toBe(true);
  });
});

describe('a seat opened in clear whose member still talks', () => {
  // Announced heartbeat 300 ms: a seat opened in clear is resumed after 600 ms without a datagram.
  const HEARTBEAT_MS = 300;
  const QUIET_MS = 2 * HEARTBEAT_MS;

  async function talkingBob(password?: string): Promise<{ port: number; alice: RawMember; bob: RawMember }> {
    server = await startServer({ identity, heartbeatIntervalMs: HEARTBEAT_MS, inactivityTimeoutMs: 10_000 });
    const ports = { tcpPort: server.tcpPort, udpPort: server.udpPort, room: 'lobby', password };
    const alice = await RawMember.join({ ...ports, username: 'alice', create: true });
    members.push(alice);
    // Bob's HELLO has just told the server his endpoint: his seat is in use.
    const bob = await RawMember.join({ ...ports, username: 'bob' });
    members.push(bob);
    return { port: server.tcpPort, alice, bob };
  }

  async function stillBobs(alice: RawMember, bob: RawMember, nonce: number): Promise<void> {
    await bob.heartbeat(nonce);
    await waitUntil(() => bob.events.some((e) => e.kind === 'pong' && e.nonce === nonce), { what: 'PONG to bob' });
    await bob.chat(nonce, `still bob ${nonce}`);
    await waitUntil(() => alice.chats().some((c) => c.sender === 'bob' && c.text === `still bob ${nonce}`), {
      what: "bob's chat at alice",
    });
  }

  it('is not taken with the sniffed token in a room without a password; quiet, it is resumed', async () => {
    const { port, alice, bob } = await talkingBob();
    // From bob's IP (shared Wi-Fi, one NAT), the token read off the wire.
    const attacker = await rawHandshake(port, JOIN, 'lobby', 'bob', { tincan: true, resume: bob.token });
    expect(attacker.status).toBe(Status.NAME_TAKEN);
    expect(attacker.token.length).toBe(0);
    await stillBobs(alice, bob, 1);
    // What bob's own client does after it lost the server: it stops sending, then resumes.
    await letTimePass(QUIET_MS + HEARTBEAT_MS, 'bob silent for longer than two heartbeats');
    const back = await rawHandshake(port, JOIN, 'lobby', 'bob', { tincan: true, resume: bob.token });
    expect(back.status).toBe(Status.OK);
    expect(back.info?.resumed).toBe(true);
  });

  it('is not taken with the sniffed token and the sniffed password while its member talks', async () => {
    const { port, alice, bob } = await talkingBob('pw');
    const attacker = await rawHandshake(port, JOIN, 'lobby', 'bob', {
      tincan: true,
      resume: bob.token,
      password: 'pw',
    });
    expect(attacker.status).toBe(Status.NAME_TAKEN);
    expect(attacker.token.length).toBe(0);
    await stillBobs(alice, bob, 2);
    expect(alice.events.some((e) => e.kind === 'reconnected' || e.kind === 'left')).toBe(false);
  });
});

describe('a seat opened inside TLS', () => {
  async function tlsRoomWithBob(): Promise<{ port: number; bob: Awaited<ReturnType<typeof handshake>> }> {
    server = await startServer({ identity });
    const port = server.tcpPort;
    const pin = { fingerprint: identity.fingerprint };
    const base = { host: '127.0.0.1', port, room: 'lobby', encryption: pin } as const;
    await handshake({ ...base, username: 'alice', mode: 'create' });
    const bob = await handshake({ ...base, username: 'bob', mode: 'join' });
    return { port, bob };
  }

  it('is not resumed with its token alone, in clear or inside TLS', async () => {
    const { port, bob } = await tlsRoomWithBob();
    const inClear = await rawHandshake(port, JOIN, 'lobby', 'bob', { tincan: true, resume: bob.token });
    expect(inClear.status).toBe(Status.NAME_TAKEN);
    const insideTls = handshake({
      host: '127.0.0.1',
      port,
      room: 'lobby',
      username: 'bob',
      mode: 'join',
      resume: bob.token,
      encryption: { fingerprint: identity.fingerprint },
    });
    await expect(insideTls).rejects.toMatchObject({ code: 'NAME_TAKEN' });
  });

  it('is resumed by its member with the exported proof', async () => {
    const { port, bob } = await tlsRoomWithBob();
    const back = await handshake({
      host: '127.0.0.1',
      port,
      room: 'lobby',
      username: 'bob',
      mode: 'join',
      resume: bob.token,
      resumeProof: bob.resumeProof,
      encryption: { fingerprint: identity.fingerprint },
    });
    expect(back.resumed).toBe(true);
    // A new session, new secrets: the old proof is spent with the old token.
    expect(back.resumeProof?.equals(bob.resumeProof as Buffer)).toBe(false);
  });
});
