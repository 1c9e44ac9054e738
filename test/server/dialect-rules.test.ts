// The Tincan dialect's stated rules (PROTOCOL.md "Versions", "Heartbeat and timeout", CHAT rules),
// checked on a real server over real sockets with hand-driven peers.
import { afterEach, describe, expect, it } from 'vitest';
import {
  encodeClientControl,
  ErrorCode,
  LeftReason,
  ClosedReason,
  parseCompletionPayload,
  Status,
  utf8Encode,
  type ServerEvent,
} from '../../src-shared/protocol/index.js';
import { CREATE, JOIN, request } from '../support/raw-tcrp.js';
import { RawMember } from '../support/raw-udp.js';
import { letTimePass, waitUntil } from '../support/wait.js';
import {
  CLEAR_SEAT_QUIET_MS,
  QUICK_HEARTBEATS,
  SHORT_TIMEOUTS,
  startServer,
  type TestServer,
} from '../support/server.js';

let server: TestServer;
const members: RawMember[] = [];

afterEach(async () => {
  for (const m of members.splice(0)) m.close();
  await server?.close();
});

async function member(username: string, tincan: boolean | number, create = false, room = 'lobby'): Promise<RawMember> {
  const m = await RawMember.join({
    tcpPort: server.tcpPort,
    udpPort: server.udpPort,
    room,
    username,
    tincan,
    create,
  });
  members.push(m);
  return m;
}

/** The session JSON a Tincan request gets in its completion. */
async function sessionInfo(payload: string, op = CREATE, room = 'lobby'): Promise<Record<string, unknown>> {
  const reply = await request(server.tcpPort, { room, operation: op, payload });
  expect(reply.status).toBe(Status.OK);
  return JSON.parse(Buffer.from(reply.completion ?? []).toString('utf8')) as Record<string, unknown>;
}

function eventsOf<K extends ServerEvent['kind']>(m: RawMember, kind: K): Extract<ServerEvent, { kind: K }>[] {
  return m.events.filter((e): e is Extract<ServerEvent, { kind: K }> => e.kind === kind);
}

describe('versions', () => {
  it('answers min(offered, 3) and speaks that version', async () => {
    server = await startServer({ ...SHORT_TIMEOUTS });
    expect((await sessionInfo('{"username":"a","tincan":1}', CREATE, 'one'))['tincan']).toBe(1);
    expect((await sessionInfo('{"username":"a","tincan":2}', CREATE, 'two'))['tincan']).toBe(2);
    expect((await sessionInfo('{"username":"a","tincan":3}', CREATE, 'three'))['tincan']).toBe(3);
    expect((await sessionInfo('{"username":"a","tincan":9}', CREATE, 'nine'))['tincan']).toBe(3);
  });

  it('refuses an offer that is not a positive integer instead of giving the plain dialect', async () => {
    server = await startServer({ ...SHORT_TIMEOUTS });
    for (const bad of ['true', '"1"', '0', '-2', '1.5']) {
      const reply = await request(server.tcpPort, {
        room: 'r',
        operation: CREATE,
        payload: `{"username":"a","tincan":${bad}}`,
      });
      expect({ bad, status: reply.status }).toEqual({ bad, status: Status.BAD_REQUEST });
    }
    // Without the field the request is plain: the completion is the raw token.
    const plain = await request(server.tcpPort, { room: 'r', operation: CREATE, payload: '{"username":"a"}' });
    expect(parseCompletionPayload(plain.completion ?? new Uint8Array(0))?.kind).toBe('plain');
  });
});

describe('heartbeat and timeout', () => {
  it('announces a heartbeat of at most a third of the inactivity timeout', async () => {
    server = await startServer({ ...SHORT_TIMEOUTS, inactivityTimeoutMs: 3_000, heartbeatIntervalMs: 10_000 });
    const info = await sessionInfo('{"username":"a","tincan":2}');
    expect(info).toMatchObject({ heartbeatMs: 1_000, inactivityMs: 3_000 });
  });

  it('keeps a member that heartbeats as announced, past several timeouts', async () => {
    server = await startServer({ ...SHORT_TIMEOUTS, inactivityTimeoutMs: 600, heartbeatIntervalMs: 10_000 });
    const info = await sessionInfo('{"username":"alice","tincan":2}', CREATE, 'other');
    const heartbeatMs = info['heartbeatMs'] as number;
    expect(heartbeatMs).toBeLessThanOrEqual(200);
    const host = await member('host', 2, true);
    const bob = await member('bob', 2);
    for (let nonce = 1; nonce <= 10; nonce++) {
      await letTimePass(heartbeatMs, 'heartbeat at the announced interval, as a client obeying it does');
      await Promise.all([host.heartbeat(nonce), bob.heartbeat(nonce)]);
    }
    expect(eventsOf(host, 'left')).toEqual([]);
    expect(server.roomList().find((r) => r.name === 'lobby')).toEqual({
      name: 'lobby',
      members: 2,
      hasPassword: false,
    });
  });

  it('tells a timed-out member before dropping it: LEFT to Tincan, a notice line to plain', async () => {
    server = await startServer({ ...SHORT_TIMEOUTS, inactivityTimeoutMs: 400 });
    const host = await member('host', 2, true);
    const bob = await member('bob', 2);
    const carol = await member('carol', false);
    // The host keeps alive; bob and carol go silent.
    const keepAlive = setInterval(() => void host.heartbeat(1), 100);
    try {
      await waitUntil(() => eventsOf(host, 'left').length === 2, { what: 'both silent members to time out' });
    } finally {
      clearInterval(keepAlive);
    }
    expect(eventsOf(bob, 'left')).toEqual([{ kind: 'left', name: 'bob', reason: LeftReason.TIMED_OUT }]);
    expect(carol.texts).toContain('* carol timed out');
  });

  it('tells a host that timed out that its room closed', async () => {
    server = await startServer({ ...SHORT_TIMEOUTS, inactivityTimeoutMs: 400 });
    const host = await member('host', 2, true);
    const bob = await member('bob', 2);
    const keepAlive = setInterval(() => void bob.heartbeat(1), 100);
    try {
      await waitUntil(() => host.has('closed'), { what: 'the silent host to hear its room closed' });
    } finally {
      clearInterval(keepAlive);
    }
    expect(eventsOf(host, 'closed')).toEqual([{ kind: 'closed', reason: ClosedReason.HOST_TIMED_OUT }]);
    expect(eventsOf(bob, 'closed')).toEqual([{ kind: 'closed', reason: ClosedReason.HOST_TIMED_OUT }]);
  });
});

describe('a resumed session', () => {
  it('is RECONNECTED to version-2 members, LEFT "reconnected" to version 1, a notice to plain', async () => {
    server = await startServer({ ...SHORT_TIMEOUTS, ...QUICK_HEARTBEATS });
    const v2 = await member('host', 2, true);
    const v1 = await member('old', 1);
    const plain = await member('plain', false);
    const bob = await member('bob', 2);
    await waitUntil(() => v2.has('joined') && plain.texts.includes('* bob joined the room'), {
      what: 'everyone to see bob join',
    });
    // Opened in clear, bob's seat is resumed once it went quiet, as after his client lost the server.
    await letTimePass(CLEAR_SEAT_QUIET_MS, "bob's first session silent");
    const resumed = await request(server.tcpPort, {
      room: 'lobby',
      operation: JOIN,
      payload: { username: 'bob', tincan: 2, resume: bob.token },
    });
    expect(resumed.status).toBe(Status.OK);
    await waitUntil(() => eventsOf(v2, 'reconnected').length === 1 && plain.texts.includes('* bob reconnected'), {
      what: 'the room to hear that bob reconnected',
    });
    expect(eventsOf(v2, 'reconnected')).toEqual([{ kind: 'reconnected', name: 'bob' }]);
    expect(eventsOf(v2, 'left')).toEqual([]);
    await waitUntil(() => v1.has('left'), { what: 'the version-1 member to hear it' });
    expect(eventsOf(v1, 'left')).toEqual([{ kind: 'left', name: 'bob', reason: LeftReason.RECONNECTED }]);
    expect(eventsOf(v1, 'reconnected')).toEqual([]);
  });
});

describe('CHAT', () => {
  it('relays an id sent twice once, and acknowledges both with the same seq', async () => {
    server = await startServer({ ...SHORT_TIMEOUTS });
    const alice = await member('alice', 2, true);
    const bob = await member('bob', 2);
    await alice.chat(5, 'once');
    await waitUntil(() => alice.has('ack'), { what: 'the first ACK' });
    await alice.chat(5, 'once');
    await alice.chat(6, 'next');
    await waitUntil(() => eventsOf(alice, 'ack').length === 3, { what: 'three ACKs' });
    expect(eventsOf(alice, 'ack')).toEqual([
      { kind: 'ack', id: 5, seq: 1 },
      { kind: 'ack', id: 5, seq: 1 },
      { kind: 'ack', id: 6, seq: 2 },
    ]);
    await waitUntil(() => bob.chats().length === 2, { what: 'bob to get the chat' });
    expect(bob.chats().map((c) => [c.seq, c.text])).toEqual([
      [1, 'once'],
      [2, 'next'],
    ]);
    expect(server.stats().chatResends).toBe(1);
  });

  it('refuses an empty CHAT, naming its id, without relaying it or using a seq', async () => {
    server = await startServer({ ...SHORT_TIMEOUTS });
    const alice = await member('alice', 2, true);
    const old = await member('old', 1);
    const bob = await member('bob', 2);
    await alice.chat(7, '');
    await old.chat(8, '');
    await waitUntil(() => alice.has('chat-error') && old.has('error'), { what: 'both refusals' });
    expect(eventsOf(alice, 'chat-error')).toEqual([
      { kind: 'chat-error', id: 7, code: ErrorCode.EMPTY_TEXT, message: 'message is empty' },
    ]);
    // A version-1 member gets the ERROR it knows, without the id.
    expect(eventsOf(old, 'error')).toEqual([
      { kind: 'error', code: ErrorCode.EMPTY_TEXT, message: 'message is empty' },
    ]);
    await alice.chat(9, 'hi');
    await waitUntil(() => bob.chats().length === 1, { what: 'the next chat' });
    expect(bob.chats()[0]).toMatchObject({ seq: 1, text: 'hi' });
  });

  it('names the id of a CHAT refused for its text', async () => {
    server = await startServer({ ...SHORT_TIMEOUTS });
    const alice = await member('alice', 2, true);
    await alice.sendRaw(Uint8Array.of(0xff, 0x05, 0, 0, 0, 42, 0xc3, 0x28));
    await waitUntil(() => alice.has('chat-error'), { what: 'the refusal' });
    expect(eventsOf(alice, 'chat-error')).toEqual([
      { kind: 'chat-error', id: 42, code: ErrorCode.BAD_TEXT, message: 'message is not valid UTF-8' },
    ]);
  });

  it('does not count HELLO against the chat rate', async () => {
    // 1 message/s with a burst of 4: four HELLOs used to spend it all.
    server = await startServer({ ...SHORT_TIMEOUTS, maxMessagesPerSecond: 1 });
    const alice = await member('alice', 2, true);
    for (let i = 0; i < 4; i++) await alice.sendRaw(encodeClientControl({ kind: 'hello' }));
    await waitUntil(() => eventsOf(alice, 'members').length === 5, { what: 'a member list for every HELLO' });
    await alice.sendRaw(encodeClientControl({ kind: 'chat', id: 1, text: utf8Encode('still allowed') }));
    await waitUntil(() => alice.has('ack') || alice.has('chat-error') || alice.has('error'), {
      what: 'an answer to the chat',
    });
    expect(eventsOf(alice, 'ack')).toEqual([{ kind: 'ack', id: 1, seq: 1 }]);
  });
});
