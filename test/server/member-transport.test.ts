// encrypted transport (#16 item 5), on real sockets: the server tells members of dialect version 3
// whose connection is plain (and only them: older versions keep their host byte), a resumed session
// reports its new transport, and a room created for encrypted members only refuses plain joins once
// the password matched, so the refusal tells an outsider nothing.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Operation, Status, type ServerEvent } from '../../src-shared/protocol/index.js';
import {
  generateHostIdentity,
  handshake,
  MemoryTrustStore,
  type ChatClient,
  type HostIdentity,
  type Member,
} from '../../src-main/engine/index.js';
import { roomEncryption } from '../../src-shared/room-encryption.js';
import { ClientFactory } from '../support/clients.js';
import { waitForEvent } from '../support/events.js';
import { handshake as rawHandshake, JOIN, request } from '../support/raw-tcrp.js';
import { RawMember } from '../support/raw-udp.js';
import { startServer, type TestServer } from '../support/server.js';
import { letTimePass, waitUntil } from '../support/wait.js';

let identity: HostIdentity;
beforeAll(async () => {
  identity = await generateHostIdentity();
});

const clients = new ClientFactory();
const raws: RawMember[] = [];
let server: TestServer | null = null;
afterEach(async () => {
  for (const raw of raws.splice(0)) raw.close();
  await clients.leaveAll();
  await server?.close();
  server = null;
});

async function tlsServer(options: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  server = await startServer({ identity, ...options });
  return server;
}

const tls = () => ({ encryption: { knownHosts: new MemoryTrustStore() } });

/** name → plain flag, as a client's member list says it. */
function transports(members: readonly Member[]): Record<string, boolean | undefined> {
  return Object.fromEntries(members.map((m) => [m.name, m.plain]));
}

function lastMembers(raw: RawMember): Extract<ServerEvent, { kind: 'members' }>['members'] {
  const lists = raw.events.filter((e): e is Extract<ServerEvent, { kind: 'members' }> => e.kind === 'members');
  return lists.at(-1)?.members ?? [];
}

describe("each member's transport", () => {
  it('is told to version-3 members, and older versions keep their host byte', async () => {
    const s = await tlsServer();
    const ports = { tcpPort: s.tcpPort, udpPort: s.udpPort };
    // A host on a plain connection: its member byte would be 3 if version 2 were sent the new bits.
    const alice = clients.make(ports);
    expect((await alice.connect()).transport).toBe('plain');
    const bob = clients.make(ports, { username: 'bob', mode: 'join', ...tls() });
    expect((await bob.connect()).transport).toBe('tls');
    const carol = await RawMember.join({ ...ports, room: 'lobby', username: 'carol', tincan: 2 });
    raws.push(carol);

    const expected = { alice: true, bob: false, carol: true };
    await waitUntil(() => alice.members.length === 3 && bob.members.length === 3, { what: 'both lists whole' });
    expect(transports(alice.members)).toEqual(expected);
    expect(transports(bob.members)).toEqual(expected);
    // Version 2 hears the host bit alone: alice is still the host, no transport is said.
    expect(lastMembers(carol)).toEqual([
      { name: 'alice', host: true },
      { name: 'bob', host: false },
      { name: 'carol', host: false },
    ]);

    const dave = clients.make(ports, { username: 'dave', mode: 'join', ...tls() });
    const seen = waitForEvent(alice, 'joined', (m) => m.name === 'dave');
    await dave.connect();
    expect((await seen)[0]).toEqual({ name: 'dave', host: false, plain: false });
    await waitUntil(() => carol.events.some((e) => e.kind === 'joined' && e.name === 'dave'), {
      what: 'carol to hear dave join',
    });
    expect(carol.events.find((e) => e.kind === 'joined' && e.name === 'dave')).toEqual({
      kind: 'joined',
      name: 'dave',
      host: false,
    });
  });

  it('changes when a plain seat is resumed inside TLS (with the password)', async () => {
    // Heartbeats of 200 ms: a seat opened in clear may be resumed after 400 ms of silence (§4).
    const s = await tlsServer({ heartbeatIntervalMs: 200, inactivityTimeoutMs: 10_000 });
    const ports = { tcpPort: s.tcpPort, udpPort: s.udpPort };
    const alice = clients.make(ports, { password: 'pw', ...tls() });
    await alice.connect();
    const bob = await RawMember.join({ ...ports, room: 'lobby', username: 'bob', password: 'pw', tincan: 3 });
    raws.push(bob);
    await waitUntil(() => transports(alice.members)['bob'] === true, { what: 'alice to see bob on a plain seat' });

    await letTimePass(600, "bob's plain session silent for longer than two heartbeats");
    const changed = waitForEvent(alice, 'members', (list: Member[]) => transports(list)['bob'] === false);
    const resumed = await handshake({
      host: '127.0.0.1',
      port: s.tcpPort,
      room: 'lobby',
      username: 'bob',
      password: 'pw',
      mode: 'join',
      resume: bob.token,
      ...tls(),
    });
    expect(resumed).toMatchObject({ resumed: true, transport: 'tls' });
    expect(transports((await changed)[0])).toEqual({ alice: false, bob: false });
  });
});

describe('a room with a plain spec client and encrypted clients', () => {
  it('carries chat both ways, sealed for the encrypted ones, and is not called encrypted', async () => {
    const s = await tlsServer();
    const ports = { tcpPort: s.tcpPort, udpPort: s.udpPort };
    const alice = clients.make(ports, tls());
    expect((await alice.connect()).transport).toBe('tls');
    const bob = clients.make(ports, { username: 'bob', mode: 'join', ...tls() });
    expect((await bob.connect()).transport).toBe('tls');
    // A client that speaks only the course spec: raw TCRP, then `room token text` datagrams.
    const pat = await RawMember.join({ ...ports, room: 'lobby', username: 'pat', tincan: false });
    raws.push(pat);
    await waitUntil(() => alice.members.length === 3 && bob.members.length === 3, { what: 'pat in both lists' });

    const fromPat = Promise.all([
      waitForEvent(alice, 'message', (m) => m.from === 'pat' && m.text === 'hi from the spec side'),
      waitForEvent(bob, 'message', (m) => m.from === 'pat' && m.text === 'hi from the spec side'),
    ]);
    await pat.chat(0, 'hi from the spec side');
    await fromPat;
    const atBob = waitForEvent(bob, 'message', (m) => m.from === 'alice' && m.text === 'hello pat');
    alice.send('hello pat');
    await atBob;
    await waitUntil(() => pat.texts.includes('alice: hello pat'), { what: "alice's line at pat" });

    // Two sealed sessions, and not one datagram refused or sent in clear to them.
    expect(s.stats().sealed).toMatchObject({ sessions: 2, refused: 0 });
    expect(s.dropped('sealed-only') + s.dropped('sealed-bad-tag') + s.dropped('sealed-replayed')).toBe(0);
    for (const client of [alice, bob]) {
      expect(client.sealedDrops).toEqual({ malformed: 0, 'unknown-epoch': 0, 'bad-tag': 0, replayed: 0 });
      // What the app's header and the CLI say (one rule, src-shared/room-encryption.ts).
      expect(roomEncryption('encrypted', client.members)).toMatchObject({ level: 'partly', plainMembers: ['pat'] });
    }
  });
});

describe('a room created for encrypted members only', () => {
  it('refuses a plain join only once its password matched, and admits our client over TLS', async () => {
    const s = await tlsServer();
    const ports = { tcpPort: s.tcpPort, udpPort: s.udpPort };
    const alice: ChatClient = clients.make(ports, { password: 'pw', encryptedOnly: true, ...tls() });
    expect(await alice.connect()).toMatchObject({ transport: 'tls', encryptedOnly: true });

    const plain = (password: string, room = 'lobby') => rawHandshake(s.tcpPort, JOIN, room, 'mallory', { password });
    // The answers an outsider gets without the password are those of any guarded room.
    expect((await plain('wrong')).status).toBe(Status.WRONG_PASSWORD);
    expect((await plain('pw', 'elsewhere')).status).toBe(Status.NO_SUCH_ROOM);
    expect((await plain('pw')).status).toBe(Status.ENCRYPTION_REQUIRED);

    const bob = clients.make(ports, { username: 'bob', mode: 'join', password: 'pw', ...tls() });
    expect(await bob.connect()).toMatchObject({ transport: 'tls', encryptedOnly: true });
    // Another room on the same server is not affected.
    const open = await rawHandshake(s.tcpPort, Operation.CREATE, 'open', 'mallory');
    expect(open.status).toBe(Status.OK);
  });

  it('cannot be asked for in clear: its host would be a plain member', async () => {
    const s = await tlsServer();
    const reply = await request(s.tcpPort, {
      room: 'lobby',
      operation: Operation.CREATE,
      payload: '{"username":"mallory","tincan":3,"encryptedOnly":1}',
    });
    expect(reply.status).toBe(Status.ENCRYPTION_REQUIRED);
  });
});
