// Every input limit of the handshake and the datagram format, at the limit, one past it, and absurd,
// against a live server on loopback. Each refusal must carry the status code PROTOCOL.md documents,
// and the server must hang up after it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeClientDatagram, Operation, State, Status, utf8Encode } from '../../src-shared/protocol/index.js';
import {
  headerDeclaring,
  headerWithSize,
  rawExchange,
  type RawReply,
  request,
  requestFrame,
} from '../support/raw-tcrp.js';
import { RawMember, UdpPeer } from '../support/raw-udp.js';
import { becomesTrue, letTimePass, waitUntil } from '../support/wait.js';
import { FAST_OPTIONS, startServer, type TestServer } from '../support/server.js';

const HANDSHAKE_TIMEOUT_MS = 700;
let srv: TestServer;
let roomCounter = 0;
const freshRoom = (prefix = 'r'): string => `${prefix}${++roomCounter}`;

beforeAll(async () => {
  srv = await startServer({ ...FAST_OPTIONS, handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS, maxPayloadBytes: 1024 });
});
afterAll(async () => {
  await srv?.close();
});

function create(
  room: string | Uint8Array,
  payload: Parameters<typeof requestFrame>[0]['payload'] = { username: 'host' },
): Promise<RawReply> {
  return request(srv.tcpPort, { room, operation: Operation.CREATE, payload });
}

/** A refusal: the status, no token, and the server hung up. */
function expectRefused(reply: RawReply, status: number): void {
  expect(reply.status, `status (expected ${status})`).toBe(status);
  expect(reply.token).toBeNull();
  expect(reply.closedByServer).toBe(true);
}

function expectAccepted(reply: RawReply): void {
  expect(reply.status).toBe(Status.OK);
  expect(reply.token).not.toBeNull();
}

describe('room name size', () => {
  it('accepts 28 bytes, refuses 29 and 255 and 0 with BAD_REQUEST', async () => {
    expectAccepted(await create('a'.repeat(22) + freshRoom('n').padStart(6, '0')));
    expectRefused(await create('b'.repeat(29)), Status.BAD_REQUEST);
    expectRefused(await create('c'.repeat(255)), Status.BAD_REQUEST);
    expectRefused(await create(new Uint8Array(0)), Status.BAD_REQUEST);
  });

  it('counts bytes, not characters: 14 × "é" fits, one more byte does not', async () => {
    expectAccepted(await create('é'.repeat(14)));
    expectRefused(await create('é'.repeat(14) + 'x'), Status.BAD_REQUEST);
  });
});

describe('username and password size', () => {
  it('accepts a 32-byte username, refuses 33', async () => {
    expectAccepted(await create(freshRoom(), { username: 'u'.repeat(32) }));
    expectRefused(await create(freshRoom(), { username: 'u'.repeat(33) }), Status.BAD_REQUEST);
  });

  it('accepts a 256-byte password, refuses 257', async () => {
    expectAccepted(await create(freshRoom(), { username: 'h', password: 'p'.repeat(256) }));
    expectRefused(await create(freshRoom(), { username: 'h', password: 'p'.repeat(257) }), Status.BAD_REQUEST);
  });

  it('refuses an absurd resume token without failing (OK ignoring it, or BAD_REQUEST)', async () => {
    const reply = await create(freshRoom(), { username: 'h', tincan: true, resume: 'T'.repeat(900) });
    expect([Status.OK, Status.BAD_REQUEST]).toContain(reply.status);
  });
});

describe('TCRP payload size', () => {
  it('accepts a payload of exactly the cap and refuses cap + 1 with TOO_LARGE', async () => {
    const padTo = (n: number): Uint8Array => {
      const base = `{"username":"cap","pad":""}`;
      return utf8Encode(base.replace('""', `"${'x'.repeat(n - base.length)}"`));
    };
    expect(padTo(1024).length).toBe(1024);
    expectAccepted(await create(freshRoom(), padTo(1024)));
    expectRefused(await create(freshRoom(), padTo(1025)), Status.TOO_LARGE);
  });

  it('answers a declared size of 2^200 with TOO_LARGE at once, without waiting for a body', async () => {
    const reply = await rawExchange({ port: srv.tcpPort, chunks: [headerDeclaring(5, 200)], timeoutMs: 3000 });
    expectRefused(reply, Status.TOO_LARGE);
    // Long before the handshake timeout: the server did not wait for the body.
    expect(reply.firstReplyMs).not.toBeNull();
    expect(reply.firstReplyMs as number).toBeLessThan(HANDSHAKE_TIMEOUT_MS / 2);
  });

  it('allocates nothing for huge declared sizes (RSS stays flat over 60 such requests)', async () => {
    global.gc?.();
    const before = process.memoryUsage().rss;
    // RSS misses lazily zeroed pages, so also watch the bytes held by ArrayBuffers (the server's heap).
    const buffersBefore = process.memoryUsage().arrayBuffers;
    const sizes = [2 ** 31, 2 ** 40, 2 ** 48 - 1];
    const replies = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        rawExchange({
          port: srv.tcpPort,
          chunks: [i % 4 === 3 ? headerDeclaring(4, 231) : headerWithSize(4, sizes[i % 3] as number)],
        }),
      ),
    );
    for (const r of replies) expectRefused(r, Status.TOO_LARGE);
    const grownMb = (process.memoryUsage().rss - before) / 2 ** 20;
    const buffersGrownMb = (process.memoryUsage().arrayBuffers - buffersBefore) / 2 ** 20;
    // One honoured 2 GiB allocation would show up many times over.
    expect(grownMb).toBeLessThan(64);
    expect(buffersGrownMb).toBeLessThan(16);
  });
});

describe('malformed requests', () => {
  it('refuses invalid UTF-8 in the room name and in the username', async () => {
    expectRefused(await create(Uint8Array.of(0x61, 0xc3, 0x28)), Status.BAD_REQUEST);
    expectRefused(await create(freshRoom(), Uint8Array.of(0x62, 0xff, 0x62)), Status.BAD_REQUEST);
  });

  it('refuses empty names', async () => {
    expectRefused(await create(freshRoom(), { username: '' }), Status.BAD_REQUEST);
    expectRefused(await create(freshRoom(), new Uint8Array(0)), Status.BAD_REQUEST);
    expectRefused(await create(freshRoom(), utf8Encode('   \r\n')), Status.BAD_REQUEST);
  });

  it.each([
    ['BEL', 'a\u0007b'],
    ['newline', 'a\nb'],
    ['DEL', 'a\u007fb'],
    ['C1 NEL', 'a\u0085b'],
    ['line separator', 'a\u2028b'],
  ])('refuses a %s in a room name or a username', async (_what, name) => {
    expectRefused(await create(name), Status.BAD_REQUEST);
    expectRefused(await create(freshRoom(), { username: name }), Status.BAD_REQUEST);
  });

  it('refuses names with surrounding whitespace (JSON keeps it, so it is not trimmed away)', async () => {
    expectRefused(await create(freshRoom(), { username: ' bob' }), Status.BAD_REQUEST);
    expectRefused(await create(' room'), Status.BAD_REQUEST);
  });

  it.each([0, 3, 0x7f, 0xff])('refuses unknown operation %i with BAD_REQUEST', async (op) => {
    expectRefused(await request(srv.tcpPort, { room: freshRoom(), operation: op }), Status.BAD_REQUEST);
  });

  it.each([State.RESPONSE, State.COMPLETION, 9, 0xff])(
    'refuses a client frame in state %i with BAD_REQUEST',
    async (state) => {
      expectRefused(
        await request(srv.tcpPort, { room: freshRoom(), operation: Operation.CREATE, state }),
        Status.BAD_REQUEST,
      );
    },
  );

  it('refuses a JSON request with a non-string password or malformed JSON', async () => {
    expectRefused(await create(freshRoom(), utf8Encode('{"username":"a","password":5}')), Status.BAD_REQUEST);
    expectRefused(await create(freshRoom(), utf8Encode('{"username":"a",')), Status.BAD_REQUEST);
  });

  it('refuses more than 2 trailing bytes after the request, accepts exactly 2 (a UDP port)', async () => {
    const withTail = (n: number): Uint8Array =>
      Buffer.concat([
        requestFrame({ room: freshRoom(), operation: Operation.CREATE, payload: { username: 'h' } }),
        Buffer.alloc(n, 7),
      ]);
    expectAccepted(await rawExchange({ port: srv.tcpPort, chunks: [withTail(2)] }));
    expectRefused(await rawExchange({ port: srv.tcpPort, chunks: [withTail(3)] }), Status.BAD_REQUEST);
    expectRefused(await rawExchange({ port: srv.tcpPort, chunks: [withTail(40)] }), Status.BAD_REQUEST);
  });

  it('closes promptly on a megabyte of junk after the token (where at most a 2-byte port belongs)', async () => {
    const reply = await request(srv.tcpPort, {
      room: freshRoom(),
      operation: Operation.CREATE,
      payload: { username: 'chatty' },
      afterReply: Buffer.alloc(1 << 20, 0x41),
      timeoutMs: 3000,
    });
    expectAccepted(reply);
    expect(reply.closedByServer).toBe(true);
    expect(reply.elapsedMs).toBeLessThan(1500); // port grace is 200 ms here
  });

  it('times out a truncated header, then silence, with HANDSHAKE_TIMEOUT', async () => {
    const header = requestFrame({ room: freshRoom(), operation: Operation.CREATE }).subarray(0, 17);
    const reply = await rawExchange({ port: srv.tcpPort, chunks: [header], timeoutMs: HANDSHAKE_TIMEOUT_MS + 2000 });
    expectRefused(reply, Status.HANDSHAKE_TIMEOUT);
    expect(reply.elapsedMs).toBeGreaterThanOrEqual(HANDSHAKE_TIMEOUT_MS - 50);
  });

  it('times out a whole header with half a body with HANDSHAKE_TIMEOUT', async () => {
    const frame = requestFrame({ room: freshRoom(), operation: Operation.CREATE, payload: { username: 'slowpoke' } });
    const reply = await rawExchange({
      port: srv.tcpPort,
      chunks: [frame.subarray(0, frame.length - 5)],
      timeoutMs: HANDSHAKE_TIMEOUT_MS + 2000,
    });
    expectRefused(reply, Status.HANDSHAKE_TIMEOUT);
  });

  it('still serves after all of the above', async () => {
    expectAccepted(await create(freshRoom('after')));
  });
});

describe('UDP datagram size', () => {
  it('relays a 4096-byte datagram and silently drops a 4097-byte one from the same member', async () => {
    const room = freshRoom('u');
    const a = await RawMember.join({
      tcpPort: srv.tcpPort,
      udpPort: srv.udpPort,
      room,
      username: 'a',
      create: true,
      tincan: false,
    });
    const b = await RawMember.join({ tcpPort: srv.tcpPort, udpPort: srv.udpPort, room, username: 'b', tincan: false });
    try {
      await waitUntil(() => a.texts.includes('* b joined the room'), { what: "b's endpoint is known" });
      const headerBytes = 2 + utf8Encode(room).length + a.token.length;
      const fits = a.datagram(utf8Encode('x'.repeat(4096 - headerBytes)));
      expect(fits.length).toBe(4096);
      b.texts.length = 0;
      await a.probe.sendRaw(fits, srv.udpPort);
      expect(await becomesTrue(() => b.texts.some((t) => t.startsWith('a: xxx')), { timeoutMs: 2000 })).toBe(true);

      const droppedBefore = srv.dropped('too-large');
      const tooBig = Buffer.concat([fits, Buffer.from('y')]);
      b.texts.length = 0;
      a.texts.length = 0;
      await a.probe.sendRaw(tooBig, srv.udpPort);
      expect(await becomesTrue(() => srv.dropped('too-large') > droppedBefore, { timeoutMs: 2000 })).toBe(true);
      await letTimePass(150, 'prove the oversized datagram reaches no one');
      expect(b.texts).toEqual([]);
      expect(a.texts).toEqual([]);
    } finally {
      a.close();
      b.close();
    }
  });

  it('truncates the longest possible plain line to 4094 bytes on a character boundary', async () => {
    // 1-byte room, 32-byte name: "name: " + 4061 bytes of text would be 4095 bytes.
    const name = 'n'.repeat(32);
    const sender = await RawMember.join({
      tcpPort: srv.tcpPort,
      udpPort: srv.udpPort,
      room: 'Z',
      username: name,
      create: true,
      tincan: false,
    });
    const plain = await RawMember.join({
      tcpPort: srv.tcpPort,
      udpPort: srv.udpPort,
      room: 'Z',
      username: 'p',
      tincan: false,
    });
    const tin = await RawMember.join({ tcpPort: srv.tcpPort, udpPort: srv.udpPort, room: 'Z', username: 't' });
    try {
      const text = 'a' + 'é'.repeat(2030); // 4061 bytes; the cut at 4094 - 34 = 4060 falls inside an "é"
      const datagram = sender.datagram(utf8Encode(text));
      expect(datagram.length).toBe(4096);
      await sender.probe.sendRaw(datagram, srv.udpPort);
      expect(await becomesTrue(() => plain.texts.length > 0 && tin.chats().length > 0, { timeoutMs: 2000 })).toBe(true);
      const line = plain.probe.received.at(-1) as Buffer;
      expect(line.length).toBeLessThanOrEqual(4094);
      expect(line.length).toBeGreaterThan(4090);
      expect(plain.texts.at(-1)).toBe(`${name}: ${text}`.slice(0, plain.texts.at(-1)?.length));
      expect(plain.texts.at(-1)).not.toContain('\ufffd');
      // The structured event (7 + 32 + 4061 bytes) is cut the same way, and still decodes.
      const event = tin.chats().at(-1);
      expect(event?.sender).toBe(name);
      expect(text.startsWith(event?.text ?? 'x')).toBe(true);
      expect(event?.text.length).toBeGreaterThan(2000);
      expect(Math.max(...tin.probe.received.map((d) => d.length))).toBeLessThanOrEqual(4094);
    } finally {
      sender.close();
      plain.close();
      tin.close();
    }
  });

  it('drops datagrams with token sizes that cannot be ours (1, 31, 33, 255) without answering', async () => {
    const room = freshRoom('t');
    const host = await RawMember.join({
      tcpPort: srv.tcpPort,
      udpPort: srv.udpPort,
      room,
      username: 'h',
      create: true,
    });
    const probe = await UdpPeer.open();
    try {
      const before = srv.droppedTotal();
      const roomBytes = utf8Encode(room);
      const real = Buffer.from(host.token, 'latin1');
      const tokens = [
        real.subarray(0, 1),
        real.subarray(0, 31),
        Buffer.concat([real, Buffer.from('A')]),
        Buffer.alloc(255, 0x41),
      ];
      for (const t of tokens) await probe.sendRaw(encodeClientDatagram(roomBytes, t, utf8Encode('hello')), srv.udpPort);
      expect(await becomesTrue(() => srv.droppedTotal() >= before + tokens.length, { timeoutMs: 2000 })).toBe(true);
      await letTimePass(100, 'prove no forged token gets an answer or a relay');
      expect(probe.received).toEqual([]);
      expect(host.chats()).toEqual([]);
    } finally {
      probe.close();
      host.close();
    }
  });
});

describe('malformed datagrams', () => {
  it('drops each malformed datagram silently under its own reason in stats().dropped', async () => {
    const room = freshRoom('d');
    const tin = await RawMember.join({
      tcpPort: srv.tcpPort,
      udpPort: srv.udpPort,
      room,
      username: 'tin',
      create: true,
    });
    const plain = await RawMember.join({
      tcpPort: srv.tcpPort,
      udpPort: srv.udpPort,
      room,
      username: 'plain',
      tincan: false,
    });
    try {
      await waitUntil(() => tin.events.some((e) => e.kind === 'joined' && e.name === 'plain'), {
        what: "plain's endpoint is known",
      });
      const roomBytes = utf8Encode(room);
      const token = Buffer.from(tin.token, 'latin1');
      const cases: [reason: string, from: RawMember, bytes: Uint8Array][] = [
        ['too-short', tin, Uint8Array.of(5)],
        ['room-size', tin, Buffer.concat([Uint8Array.of(0, 32), token])],
        ['room-size', tin, Buffer.concat([Uint8Array.of(29, 32), Buffer.alloc(29, 0x61), token])],
        ['token-size', tin, Buffer.concat([Uint8Array.of(roomBytes.length, 0), roomBytes])],
        ['truncated', tin, Buffer.concat([Uint8Array.of(roomBytes.length, 200), roomBytes, token])],
        ['bad-utf8', plain, plain.datagram(Uint8Array.of(0x68, 0xc3, 0x28))],
        ['bad-control', tin, tin.datagram(Uint8Array.of(0xff, 0x02, 1, 2))], // heartbeat without its nonce
        ['bad-control', tin, tin.datagram(Uint8Array.of(0xff, 0x7e))], // unknown kind
        // Bytes after a fixed-length body (PROTOCOL.md §2): dropped, not read as the shorter kind.
        ['bad-control', tin, tin.datagram(Uint8Array.of(0xff, 0x02, 0, 0, 0, 1, 0))], // HEARTBEAT + 1
        ['bad-control', tin, tin.datagram(Uint8Array.of(0xff, 0x01, 0))], // HELLO + 1
        ['bad-control', tin, tin.datagram(Uint8Array.of(0xff, 0x03, 0))], // LEAVE + 1: tin stays
        ['bad-control', tin, tin.datagram(Uint8Array.of(0xff, 0x04, 0))], // CLOSE_ROOM + 1: the room stays
      ];
      const listsBefore = tin.events.filter((e) => e.kind === 'members').length;
      for (const [reason, from, bytes] of cases) {
        const before = srv.dropped(reason);
        await from.probe.sendRaw(bytes, srv.udpPort);
        expect(await becomesTrue(() => srv.dropped(reason) > before, { timeoutMs: 1500 }), reason).toBe(true);
      }
      await letTimePass(100, 'prove nothing was relayed and no sender was answered');
      // Nothing was relayed to the other member, and no sender got an answer of any kind.
      expect(tin.texts).toEqual([]);
      expect(tin.chats()).toEqual([]);
      expect(tin.events.filter((e) => e.kind === 'error' || e.kind === 'pong')).toEqual([]);
      expect(tin.events.filter((e) => e.kind === 'members')).toHaveLength(listsBefore); // HELLO + 1 unanswered
      expect(plain.texts).toEqual([]);
      expect(srv.roomSummary(room)).toMatchObject({ members: 2 }); // LEAVE + 1 and CLOSE_ROOM + 1 did nothing
    } finally {
      tin.close();
      plain.close();
    }
  });
});

describe('server caps', () => {
  it('refuses the room after maxRooms with SERVER_FULL', async () => {
    const small = await startServer({ ...FAST_OPTIONS, maxRooms: 3 });
    try {
      for (let i = 0; i < 3; i++)
        expectAccepted(await request(small.tcpPort, { room: `cap${i}`, operation: Operation.CREATE }));
      expectRefused(await request(small.tcpPort, { room: 'cap3', operation: Operation.CREATE }), Status.SERVER_FULL);
      expect(small.stats().rooms).toBe(3);
    } finally {
      await small.close();
    }
  });

  it('refuses the member after maxMembersPerRoom with ROOM_FULL', async () => {
    const small = await startServer({ ...FAST_OPTIONS, maxMembersPerRoom: 4 });
    try {
      expectAccepted(
        await request(small.tcpPort, { room: 'full', operation: Operation.CREATE, payload: { username: 'host' } }),
      );
      let accepted = 1;
      let last: RawReply | null = null;
      for (let i = 0; i < 6; i++) {
        last = await request(small.tcpPort, { room: 'full', payload: { username: `m${i}` } });
        if (last.status !== Status.OK) break;
        accepted++;
      }
      expect(accepted).toBe(4);
      expectRefused(last as RawReply, Status.ROOM_FULL);
    } finally {
      await small.close();
    }
  });

  it('refuses a connection past maxConnectionsPerIp with SERVER_FULL, but not from another IP', async () => {
    const small = await startServer({ ...FAST_OPTIONS, maxConnectionsPerIp: 4, handshakeTimeoutMs: 3000 });
    const { openSilent } = await import('../support/raw-tcrp.js');
    const held = await Promise.all(Array.from({ length: 4 }, () => openSilent(small.tcpPort, '127.0.0.3')));
    try {
      await letTimePass(50, 'let the server accept the held connections (nothing observable says so)');
      const fifth = await request(small.tcpPort, {
        room: 'ip',
        operation: Operation.CREATE,
        localAddress: '127.0.0.3',
      });
      expectRefused(fifth, Status.SERVER_FULL);
      expectAccepted(
        await request(small.tcpPort, { room: 'ip', operation: Operation.CREATE, localAddress: '127.0.0.4' }),
      );
    } finally {
      for (const s of held) s.destroy();
      await small.close();
    }
  });

  it('refuses a handshake past maxPendingHandshakes with SERVER_FULL, and recovers when they time out', async () => {
    const small = await startServer({ ...FAST_OPTIONS, maxPendingHandshakes: 5, handshakeTimeoutMs: 500 });
    const { closedByServer, openSilent } = await import('../support/raw-tcrp.js');
    const held = await Promise.all(Array.from({ length: 5 }, (_, i) => openSilent(small.tcpPort, `127.0.1.${i + 1}`)));
    try {
      await letTimePass(50, 'let the server accept the held connections (nothing observable says so)');
      expectRefused(
        await request(small.tcpPort, { room: 'p', operation: Operation.CREATE, localAddress: '127.0.1.99' }),
        Status.SERVER_FULL,
      );
      await Promise.all(held.map((s) => closedByServer(s))); // the silent ones time out and free their slots
      expectAccepted(
        await request(small.tcpPort, { room: 'p', operation: Operation.CREATE, localAddress: '127.0.1.99' }),
      );
    } finally {
      for (const s of held) s.destroy();
      await small.close();
    }
  });
});
