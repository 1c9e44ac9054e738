// The sniffed-token attacks of issue #16 on real sockets: a token seen on the wire must not let
// anyone take its member's seat, and the member must always get back in. A seat opened in clear is
// resumed with the room password; a seat opened inside TLS with the proof exported from that TLS
// session, presented inside TLS.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Status } from '../../src-shared/protocol/index.js';
import { generateHostIdentity, handshake, type HostIdentity } from '../../src-main/engine/index.js';
import { handshake as rawHandshake, CREATE, JOIN } from '../support/raw-tcrp.js';
import { startServer, type TestServer } from '../support/server.js';

let server: TestServer | null = null;
let identity: HostIdentity;
beforeAll(async () => {
  identity = await generateHostIdentity();
});
afterEach(async () => {
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
