// The host's tools on a real server, byte by byte (PROTOCOL.md §2b): KICK of a Tincan and of a plain
// member, refused for anyone but the host; SET_PASSWORD for future joins only; TYPING relayed only
// to members that negotiated it, rate-limited, never to plain members.
import { afterEach, describe, expect, it } from 'vitest';
import {
  encodeClientControl,
  LeftReason,
  ErrorCode,
  NOTICE_PREFIX,
  parseCompletionPayload,
  PLAIN_REMOVED_NOTICE,
  Status,
  type ServerEvent,
} from '../../src-shared/protocol/index.js';
import { CREATE, JOIN, handshake, request, type RequestPayload } from '../support/raw-tcrp.js';
import { RawMember, type RawMemberOptions } from '../support/raw-udp.js';
import { SHORT_TIMEOUTS, startServer, type TestServer } from '../support/server.js';
import { waitUntil } from '../support/wait.js';

let server: TestServer | null = null;
const members: RawMember[] = [];

afterEach(async () => {
  for (const m of members.splice(0)) m.close();
  await server?.close();
  server = null;
});

async function start(): Promise<TestServer> {
  server = await startServer(SHORT_TIMEOUTS);
  return server;
}

async function member(s: TestServer, username: string, opts: Partial<RawMemberOptions> = {}): Promise<RawMember> {
  const m = await RawMember.join({ tcpPort: s.tcpPort, udpPort: s.udpPort, room: 'lobby', username, ...opts });
  members.push(m);
  return m;
}

/** The host `alice` and the members named, each announced to everyone before the next joins. */
async function room(s: TestServer, ...others: [string, Partial<RawMemberOptions>?][]): Promise<RawMember[]> {
  const host = await member(s, 'alice', { create: true, typing: true });
  const joined: RawMember[] = [host];
  for (const [name, opts] of others) {
    joined.push(await member(s, name, opts));
    await waitUntil(() => host.events.some((e) => e.kind === 'joined' && e.name === name), { what: `${name} joined` });
  }
  return joined;
}

function find<K extends ServerEvent['kind']>(m: RawMember, kind: K): Extract<ServerEvent, { kind: K }>[] {
  return m.events.filter((e): e is Extract<ServerEvent, { kind: K }> => e.kind === kind);
}

const kick = (name: string): Uint8Array => encodeClientControl({ kind: 'kick', name });
const setPassword = (id: number, password: string): Uint8Array =>
  encodeClientControl({ kind: 'set-password', id, password });

describe('kick', () => {
  it('removes a Tincan member: it is told, the room sees "removed", its token is dead', async () => {
    const s = await start();
    const [host, bob, carol, dave] = (await room(s, ['bob'], ['carol'], ['dave', { tincan: false }])) as RawMember[];
    await (host as RawMember).sendRaw(kick('bob'));
    await waitUntil(() => (bob as RawMember).has('removed'), { what: 'bob told he was removed' });
    await waitUntil(() => (dave as RawMember).texts.includes(`${NOTICE_PREFIX}bob was removed by the host`), {
      what: 'the plain member told',
    });
    for (const m of [host, carol] as RawMember[]) {
      await waitUntil(() => find(m, 'left').some((e) => e.name === 'bob'), { what: 'LEFT bob' });
      expect(find(m, 'left')).toEqual([{ kind: 'left', name: 'bob', reason: LeftReason.REMOVED }]);
    }

    // The token is revoked: chat and heartbeats with it are dropped, nothing reaches the room.
    const unknownBefore = s.dropped('unknown-token');
    await (bob as RawMember).chat(1, 'still here?');
    await (bob as RawMember).heartbeat(7);
    await waitUntil(() => s.dropped('unknown-token') === unknownBefore + 2, { what: 'both datagrams dropped' });
    await (host as RawMember).chat(1, 'after');
    await waitUntil(() => (carol as RawMember).chats().length === 1, { what: "the host's line" });
    expect((carol as RawMember).chats()[0]).toMatchObject({ sender: 'alice', text: 'after' });
    expect(find(bob as RawMember, 'pong')).toEqual([]);
    expect(s.roomSummary('lobby')?.members).toBe(3);
  });

  it('refuses a resume with the removed token, but lets the name join again afresh (a kick, not a ban)', async () => {
    const s = await start();
    const [host, bob] = (await room(s, ['bob'])) as RawMember[];
    await (host as RawMember).sendRaw(kick('bob'));
    await waitUntil(() => (bob as RawMember).has('removed'), { what: 'bob removed' });
    const resumed = await handshake(s.tcpPort, JOIN, 'lobby', 'bob', {
      tincan: true,
      resume: (bob as RawMember).token,
    });
    expect(resumed.status).toBe(Status.BAD_REQUEST);
    const fresh = await handshake(s.tcpPort, JOIN, 'lobby', 'bob', { tincan: true });
    expect(fresh.status).toBe(Status.OK);
    expect(fresh.info?.resumed).toBeUndefined();
  });

  it('removes a plain member with a plain notice, then revokes its token', async () => {
    const s = await start();
    const [host, bob, carol] = (await room(s, ['bob', { tincan: false }], ['carol'])) as RawMember[];
    await (host as RawMember).sendRaw(kick('bob'));
    await waitUntil(() => (bob as RawMember).texts.includes(`${NOTICE_PREFIX}${PLAIN_REMOVED_NOTICE}`), {
      what: 'the plain notice to bob',
    });
    await waitUntil(() => find(carol as RawMember, 'left').length === 1, { what: 'carol sees bob go' });
    expect(find(carol as RawMember, 'left')[0]).toEqual({ kind: 'left', name: 'bob', reason: LeftReason.REMOVED });
    const unknownBefore = s.dropped('unknown-token');
    await (bob as RawMember).chat(0, 'hello?');
    await waitUntil(() => s.dropped('unknown-token') === unknownBefore + 1, { what: "bob's line dropped" });
    expect((carol as RawMember).chats()).toEqual([]);
  });

  it('answers a member that is not the host with ERROR NOT_HOST and removes no one', async () => {
    const s = await start();
    const [host, bob, carol] = (await room(s, ['bob'], ['carol'])) as RawMember[];
    await (bob as RawMember).sendRaw(kick('carol'));
    await waitUntil(() => (bob as RawMember).has('error'), { what: 'the error to bob' });
    expect(find(bob as RawMember, 'error')[0]?.code).toBe(ErrorCode.NOT_HOST);
    await (carol as RawMember).chat(1, 'still in');
    await waitUntil(() => (host as RawMember).chats().length === 1, { what: "carol's line" });
    expect(find(host as RawMember, 'left')).toEqual([]);
    expect(s.roomSummary('lobby')?.members).toBe(3);
  });

  it('ignores a kick of nobody, of a look-alike name and of the host itself', async () => {
    const s = await start();
    const [host, bob] = (await room(s, ['bob'])) as RawMember[];
    const before = s.dropped('bad-control');
    for (const name of ['zoe', 'BOB', 'alice']) await (host as RawMember).sendRaw(kick(name));
    await waitUntil(() => s.dropped('bad-control') === before + 3, { what: 'three kicks dropped' });
    expect((bob as RawMember).has('removed')).toBe(false);
    expect(s.roomSummary('lobby')?.members).toBe(2);
  });
});

describe('password change', () => {
  it('applies to future joins only, and an empty one clears it', async () => {
    const s = await start();
    const [host, bob] = (await room(s, ['bob'])) as RawMember[];
    await (host as RawMember).sendRaw(setPassword(41, 's3cret'));
    await waitUntil(() => (host as RawMember).has('ack'), { what: 'the ack' });
    expect(find(host as RawMember, 'ack')).toEqual([{ kind: 'ack', id: 41, seq: 0 }]);
    expect(s.roomSummary('lobby')?.hasPassword).toBe(true);

    expect((await handshake(s.tcpPort, JOIN, 'lobby', 'carol', { tincan: true })).status).toBe(
      Status.PASSWORD_REQUIRED,
    );
    expect((await handshake(s.tcpPort, JOIN, 'lobby', 'carol', { tincan: true, password: 'nope' })).status).toBe(
      Status.WRONG_PASSWORD,
    );
    expect((await handshake(s.tcpPort, JOIN, 'lobby', 'carol', { tincan: true, password: 's3cret' })).status).toBe(
      Status.OK,
    );
    // bob, already in, stays and keeps chatting.
    await (bob as RawMember).chat(1, 'unaffected');
    await waitUntil(() => (host as RawMember).chats().length === 1, { what: "bob's line" });

    await (host as RawMember).sendRaw(setPassword(42, ''));
    await waitUntil(() => find(host as RawMember, 'ack').some((a) => a.id === 42), { what: 'the second ack' });
    expect(s.roomSummary('lobby')?.hasPassword).toBe(false);
    expect((await handshake(s.tcpPort, JOIN, 'lobby', 'dave', { tincan: true })).status).toBe(Status.OK);
  });

  it('is the host’s alone: a member gets ERROR NOT_HOST and the room stays open', async () => {
    const s = await start();
    const [, bob] = (await room(s, ['bob'])) as RawMember[];
    await (bob as RawMember).sendRaw(setPassword(1, 'mine now'));
    await waitUntil(() => (bob as RawMember).has('error'), { what: 'the error' });
    expect(find(bob as RawMember, 'error')[0]?.code).toBe(ErrorCode.NOT_HOST);
    expect(find(bob as RawMember, 'ack')).toEqual([]);
    expect(s.roomSummary('lobby')?.hasPassword).toBe(false);
  });

  it('answers a malformed password with ERROR BAD_TEXT', async () => {
    const s = await start();
    const [host] = (await room(s)) as RawMember[];
    await (host as RawMember).sendRaw(Uint8Array.of(0xff, 0x07, 0, 0, 0, 1, 0xc3));
    await waitUntil(() => (host as RawMember).has('error'), { what: 'the error' });
    expect(find(host as RawMember, 'error')[0]?.code).toBe(ErrorCode.BAD_TEXT);
    expect(s.roomSummary('lobby')?.hasPassword).toBe(false);
  });

  it("is hashed within the host IP's hash budget, as a create's password is", async () => {
    server = await startServer({ ...SHORT_TIMEOUTS, hashesPerIpPerSecond: 0.001, hashBurstPerIp: 1 });
    const s = server;
    const [host] = (await room(s)) as RawMember[];
    await (host as RawMember).sendRaw(setPassword(1, 'first'));
    await waitUntil(() => (host as RawMember).has('ack'), { what: 'the first change' });
    await (host as RawMember).sendRaw(setPassword(2, 'second'));
    await waitUntil(() => (host as RawMember).has('error'), { what: 'the refusal' });
    expect(find(host as RawMember, 'error')[0]?.code).toBe(ErrorCode.RATE_LIMITED);
    expect(find(host as RawMember, 'ack').map((a) => a.id)).toEqual([1]);
    expect((await handshake(s.tcpPort, JOIN, 'lobby', 'carol', { tincan: true, password: 'first' })).status).toBe(
      Status.RATE_LIMITED, // the join's own hash is over the same budget
    );
  });
});

describe('typing indicators', () => {
  it('go only to members that negotiated them, never to plain members, at most one per 2 s', async () => {
    const s = await start();
    const [host, bob, carol, dave] = (await room(
      s,
      ['bob', { typing: true }],
      ['carol'],
      ['dave', { tincan: false }],
    )) as RawMember[];
    const rateBefore = s.dropped('rate-limited');
    await (host as RawMember).sendRaw(encodeClientControl({ kind: 'typing' }));
    await (host as RawMember).sendRaw(encodeClientControl({ kind: 'typing' }));
    await waitUntil(() => s.dropped('rate-limited') === rateBefore + 1, { what: 'the second TYPING dropped' });
    // A chat after them: once it is everywhere, anything the TYPING caused has arrived too.
    await (host as RawMember).chat(1, 'done typing');
    await waitUntil(() => (carol as RawMember).chats().length === 1 && (bob as RawMember).chats().length === 1, {
      what: 'the line at bob and carol',
    });
    await waitUntil(() => (dave as RawMember).texts.includes('alice: done typing'), { what: 'the line at dave' });
    expect(find(bob as RawMember, 'typing')).toEqual([{ kind: 'typing', name: 'alice' }]);
    expect(find(carol as RawMember, 'typing')).toEqual([]);
    expect((dave as RawMember).texts).toEqual(['alice: done typing']);
  });

  it('drops a TYPING from a member that did not negotiate them', async () => {
    const s = await start();
    const [host, , carol] = (await room(s, ['bob', { typing: true }], ['carol'])) as RawMember[];
    const before = s.dropped('bad-control');
    await (carol as RawMember).sendRaw(encodeClientControl({ kind: 'typing' }));
    await waitUntil(() => s.dropped('bad-control') === before + 1, { what: 'the TYPING dropped' });
    expect(find(host as RawMember, 'typing')).toEqual([]);
  });

  it('is said in the session info only to a Tincan client that asked', async () => {
    const s = await start();
    const info = async (room: string, payload: RequestPayload): Promise<unknown> => {
      const reply = await request(s.tcpPort, { room, operation: CREATE, payload });
      const completion = parseCompletionPayload(reply.completion as Uint8Array);
      return completion?.kind === 'tincan' ? completion.info.typing : 'plain';
    };
    expect(await info('a', { username: 'alice', tincan: true, typing: true })).toBe(true);
    expect(await info('b', { username: 'alice', tincan: true })).toBeUndefined();
    expect(await info('c', { username: 'alice', tincan: false, typing: true })).toBe('plain');
  });
});
