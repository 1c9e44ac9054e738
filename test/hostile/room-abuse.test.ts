// Misuse of rooms and tokens by clients that got in once: colliding names, closed rooms, tokens kept
// after the session ended, and the host's token used from another machine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClosedReason,
  encodeClientControl,
  encodeClientDatagram,
  LeftReason,
  Operation,
  Status,
  utf8Encode,
} from '../../src-shared/protocol/index.js';
import { request } from '../support/raw-tcrp.js';
import { RawMember, UdpPeer } from '../support/raw-udp.js';
import { becomesTrue, letTimePass, waitUntil } from '../support/wait.js';
import { FAST_OPTIONS, startServer, type TestServer } from '../support/server.js';

const INACTIVITY_MS = 800;
let srv: TestServer;
beforeAll(async () => {
  srv = await startServer({ ...FAST_OPTIONS, inactivityTimeoutMs: INACTIVITY_MS, tokenTtlMs: 3000 });
});
afterAll(async () => {
  await srv?.close();
});

const member = (room: string, username: string, create = false, extra: { address?: string; tincan?: boolean } = {}) =>
  RawMember.join({ tcpPort: srv.tcpPort, udpPort: srv.udpPort, room, username, create, ...extra });

describe('names', () => {
  it('refuses a second create of a room with ROOM_EXISTS and a taken name with NAME_TAKEN; room names are exact', async () => {
    expect(
      (await request(srv.tcpPort, { room: 'names', operation: Operation.CREATE, payload: { username: 'bob' } })).status,
    ).toBe(Status.OK);
    expect(
      (await request(srv.tcpPort, { room: 'names', operation: Operation.CREATE, payload: { username: 'eve' } })).status,
    ).toBe(Status.ROOM_EXISTS);
    expect((await request(srv.tcpPort, { room: 'names', payload: { username: 'bob' } })).status).toBe(
      Status.NAME_TAKEN,
    );
    // A look-alike of a taken name is taken too (spoofed-names.test.ts has the cases).
    expect((await request(srv.tcpPort, { room: 'names', payload: { username: 'Bob' } })).status).toBe(
      Status.NAME_TAKEN,
    );
    expect((await request(srv.tcpPort, { room: 'names', payload: { username: 'Rob' } })).status).toBe(Status.OK);
    expect((await request(srv.tcpPort, { room: 'Names', payload: { username: 'x' } })).status).toBe(
      Status.NO_SUCH_ROOM,
    );
  });
});

describe('races', () => {
  // Twenty password hashes queue behind each other, which on a loaded machine takes seconds: this
  // block tests who wins, not timeouts, so its server waits for slow handshakes and keeps a room whose
  // raw-request host never speaks for the whole block.
  let racer: TestServer;
  beforeAll(async () => {
    racer = await startServer({ ...FAST_OPTIONS, handshakeTimeoutMs: 30_000, tokenTtlMs: 60_000 });
  });
  afterAll(async () => {
    await racer?.close();
  });

  it('of 20 simultaneous creates of one room (scrypt in between), exactly one wins', async () => {
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request(racer.tcpPort, {
          room: 'race',
          operation: Operation.CREATE,
          payload: { username: `h${i}`, password: 'pw' },
          timeoutMs: 30_000,
        }),
      ),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === Status.OK)).toHaveLength(1);
    expect(statuses.filter((s) => s === Status.ROOM_EXISTS)).toHaveLength(19);
  });

  it('of 20 simultaneous joins under one name, exactly one gets it', async () => {
    const host = await request(racer.tcpPort, {
      room: 'twins',
      operation: Operation.CREATE,
      payload: { username: 'host', password: 'pw' },
    });
    expect(host.status).toBe(Status.OK);
    const replies = await Promise.all(
      Array.from({ length: 20 }, () =>
        request(racer.tcpPort, { room: 'twins', payload: { username: 'twin', password: 'pw' }, timeoutMs: 30_000 }),
      ),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === Status.OK)).toHaveLength(1);
    expect(statuses.filter((s) => s === Status.NAME_TAKEN)).toHaveLength(19);
  });
});

describe('closed rooms and stale tokens', () => {
  it('after the host leaves: joins get NO_SUCH_ROOM and old tokens are dropped, even in a new room of the same name', async () => {
    const host = await member('gone', 'host', true);
    const guest = await member('gone', 'guest');
    await host.leave();
    expect(
      await becomesTrue(() => guest.events.some((e) => e.kind === 'closed' && e.reason === ClosedReason.HOST_LEFT), {
        timeoutMs: 2000,
      }),
    ).toBe(true);
    expect((await request(srv.tcpPort, { room: 'gone', payload: { username: 'late' } })).status).toBe(
      Status.NO_SUCH_ROOM,
    );

    // Someone creates a room with the same name; the old tokens mean nothing there.
    const newHost = await member('gone', 'newhost', true);
    try {
      const before = srv.dropped('unknown-token');
      guest.events.length = 0;
      await guest.chat(1, 'ghost message');
      await guest.heartbeat(5);
      await host.chat(1, 'ghost host');
      expect(await becomesTrue(() => srv.dropped('unknown-token') >= before + 3, { timeoutMs: 2000 })).toBe(true);
      await letTimePass(100, 'prove the stale tokens get nothing relayed or answered');
      expect(newHost.chats()).toEqual([]);
      expect(guest.events).toEqual([]); // no PONG, no ACK, no error
    } finally {
      host.close();
      guest.close();
      newHost.close();
    }
  });

  it('a member that timed out is told nothing more and its token is dropped', async () => {
    const host = await member('sleepy', 'host', true);
    const sleeper = await member('sleepy', 'sleeper');
    try {
      // The host keeps itself alive; the sleeper says nothing.
      const deadline = Date.now() + INACTIVITY_MS + 1200;
      let nonce = 0;
      while (Date.now() < deadline && !host.events.some((e) => e.kind === 'left' && e.name === 'sleeper')) {
        await host.heartbeat(++nonce);
        await letTimePass(150, 'heartbeat at the pace of a live client while the sleeper stays silent');
      }
      const left = host.events.find((e) => e.kind === 'left' && e.name === 'sleeper');
      expect(left).toEqual({ kind: 'left', name: 'sleeper', reason: LeftReason.TIMED_OUT });

      const before = srv.dropped('unknown-token');
      sleeper.events.length = 0;
      await sleeper.chat(1, 'I am back');
      await sleeper.heartbeat(1);
      expect(await becomesTrue(() => srv.dropped('unknown-token') >= before + 2, { timeoutMs: 2000 })).toBe(true);
      await letTimePass(100, 'prove the expired token gets nothing relayed or answered');
      expect(host.chats()).toEqual([]);
      expect(sleeper.events).toEqual([]);
      // The name is free again for a fresh join.
      expect((await request(srv.tcpPort, { room: 'sleepy', payload: { username: 'sleeper' } })).status).toBe(Status.OK);
    } finally {
      host.close();
      sleeper.close();
    }
  });
});

describe('unused tokens', () => {
  it('expire after the token TTL: the member is gone and a late datagram is dropped unanswered', async () => {
    const quick = await startServer({
      ...FAST_OPTIONS,
      tokenTtlMs: 300,
      sweepIntervalMs: 50,
      inactivityTimeoutMs: 5000,
    });
    const probe = await UdpPeer.open();
    try {
      expect(
        (await request(quick.tcpPort, { room: 'ttl', operation: Operation.CREATE, payload: { username: 'host' } }))
          .status,
      ).toBe(Status.OK);
      // A handshake whose token is never used, neither by datagram nor by TCP port.
      const idle = await request(quick.tcpPort, { room: 'ttl', payload: { username: 'idle', tincan: true } });
      expect(idle.status).toBe(Status.OK);
      expect(await becomesTrue(() => quick.stats().members === 0, { timeoutMs: 1500 })).toBe(true);
      const before = quick.dropped('unknown-token');
      const late = encodeClientDatagram(
        utf8Encode('ttl'),
        Buffer.from(idle.token as string),
        encodeClientControl({ kind: 'hello' }),
      );
      await probe.sendRaw(late, quick.udpPort);
      expect(await becomesTrue(() => quick.dropped('unknown-token') > before, { timeoutMs: 1000 })).toBe(true);
      expect(probe.received).toEqual([]);
    } finally {
      probe.close();
      await quick.close();
    }
  });
});

describe('authority', () => {
  it("the host's token from another IP cannot close the room, nor speak for the host", async () => {
    const host = await member('throne', 'host', true);
    const guest = await member('throne', 'guest');
    const thief = await UdpPeer.open('127.0.0.2');
    try {
      const before = srv.dropped('wrong-ip');
      await thief.sendRaw(host.datagram(encodeClientControl({ kind: 'close-room' })), srv.udpPort);
      await thief.sendRaw(host.datagram(utf8Encode('/close')), srv.udpPort);
      await thief.sendRaw(host.datagram(encodeClientControl({ kind: 'leave' })), srv.udpPort);
      await thief.sendRaw(
        host.datagram(encodeClientControl({ kind: 'chat', id: 1, text: utf8Encode('I am the host now') })),
        srv.udpPort,
      );
      expect(await becomesTrue(() => srv.dropped('wrong-ip') >= before + 4, { timeoutMs: 2000 })).toBe(true);
      await letTimePass(150, 'prove the thief is answered nothing and closes nothing');
      expect(thief.received).toEqual([]);
      expect(guest.has('closed')).toBe(false);
      expect(guest.chats()).toEqual([]);
      expect(srv.roomList().some((r) => r.name === 'throne')).toBe(true);
      // The real host still rules.
      await host.sendRaw(encodeClientControl({ kind: 'close-room' }));
      expect(
        await becomesTrue(() => guest.events.some((e) => e.kind === 'closed' && e.reason === ClosedReason.BY_HOST), {
          timeoutMs: 2000,
        }),
      ).toBe(true);
    } finally {
      host.close();
      guest.close();
      thief.close();
    }
  });

  it('a member cannot close the room: NOT_HOST for a Tincan member, nothing for a plain /close', async () => {
    const host = await member('keep', 'host', true);
    const tincan = await member('keep', 'tin');
    const plain = await member('keep', 'plain', false, { tincan: false });
    try {
      await waitUntil(() => host.events.some((e) => e.kind === 'joined' && e.name === 'plain'), {
        what: "plain's endpoint is known",
      });
      await tincan.sendRaw(encodeClientControl({ kind: 'close-room' }));
      await plain.sendRaw(utf8Encode('/close'));
      expect(await becomesTrue(() => tincan.events.some((e) => e.kind === 'error'), { timeoutMs: 2000 })).toBe(true);
      await letTimePass(150, 'prove the room stays open');
      expect(host.has('closed')).toBe(false);
      expect(srv.roomList().some((r) => r.name === 'keep')).toBe(true);
    } finally {
      host.close();
      tincan.close();
      plain.close();
    }
  });
});
