// TCRP handshake against a real server on loopback: statuses, framing edge cases, caps, timeouts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Status, TCRP_HEADER_BYTES } from '../../src-shared/protocol/index.js';
import type { ChatServer } from '../../src-main/engine/server/chat-server.js';
import { must, mustAt } from '../support/must.js';
import { CREATE, firstFrame, handshake, JOIN, rawExchange, requestFrame } from '../support/raw-tcrp.js';
import { SHORT_TIMEOUTS, startServer } from '../support/server.js';
import { letTimePass } from '../support/wait.js';

let server: ChatServer;

afterEach(async () => {
  await server?.close();
});

describe('create and join', () => {
  beforeEach(async () => {
    server = await startServer(SHORT_TIMEOUTS);
  });

  it('creates a room and returns a 32-char base64url token as raw bytes to a plain client', async () => {
    const s = await handshake(server.tcpPort, CREATE, 'lobby', 'alice');
    expect(s.status).toBe(Status.OK);
    expect(s.frames).toHaveLength(2);
    expect(s.frames[0]).toMatchObject({ operation: CREATE, state: 1 });
    expect(Buffer.from(firstFrame(s.frames).room).toString()).toBe('lobby');
    expect(s.frames[1]).toMatchObject({ operation: CREATE, state: 2 });
    expect(s.token.toString()).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(s.info).toBeNull();
    expect(server.roomList()).toEqual([{ name: 'lobby', members: 1, hasPassword: false }]);
  });

  it('gives a negotiated client the session JSON', async () => {
    const s = await handshake(server.tcpPort, CREATE, 'lobby', 'alice', { tincan: true });
    expect(s.status).toBe(Status.OK);
    expect(s.info).toMatchObject({ role: 'host', maxTextBytes: 3800 });
    expect(must(s.info, 'the Tincan session info').inactivityMs).toBe(server.options.inactivityTimeoutMs);
    const j = await handshake(server.tcpPort, JOIN, 'lobby', 'bob', { tincan: true });
    expect(j.info).toMatchObject({ role: 'member' });
  });

  it('accepts a bare username and a JSON string as the payload', async () => {
    const { frames } = await rawExchange({
      port: server.tcpPort,
      chunks: [requestFrame({ operation: CREATE, room: 'r1', payload: '  carol\r\n' })],
    });
    expect(firstFrame(frames).payload[0]).toBe(Status.OK);
    const j = await rawExchange({
      port: server.tcpPort,
      chunks: [requestFrame({ operation: JOIN, room: 'r1', payload: '"dave"' })],
    });
    expect(firstFrame(j.frames).payload[0]).toBe(Status.OK);
    expect(mustAt(server.roomList(), 0, 'room').members).toBe(2);
  });

  it('answers ROOM_EXISTS, NO_SUCH_ROOM and NAME_TAKEN', async () => {
    expect((await handshake(server.tcpPort, CREATE, 'lobby', 'alice')).status).toBe(Status.OK);
    const again = await handshake(server.tcpPort, CREATE, 'lobby', 'zed');
    expect(again.status).toBe(Status.ROOM_EXISTS);
    expect(again.frames).toHaveLength(1);
    expect((await handshake(server.tcpPort, JOIN, 'nowhere', 'bob')).status).toBe(Status.NO_SUCH_ROOM);
    expect((await handshake(server.tcpPort, JOIN, 'lobby', 'alice')).status).toBe(Status.NAME_TAKEN);
    // Names compare case-blind (and by NFKC and Latin look-alikes): "Alice" is alice's name too.
    expect((await handshake(server.tcpPort, JOIN, 'lobby', 'Alice')).status).toBe(Status.NAME_TAKEN);
    expect((await handshake(server.tcpPort, JOIN, 'lobby', 'Alicia')).status).toBe(Status.OK);
    expect(server.stats().handshakes).toMatchObject({ OK: 2, ROOM_EXISTS: 1, NO_SUCH_ROOM: 1, NAME_TAKEN: 2 });
  });

  it('checks passwords: right, wrong, missing (plain vs negotiated)', async () => {
    expect((await handshake(server.tcpPort, CREATE, 'secret', 'alice', { password: 'pw' })).status).toBe(Status.OK);
    expect(mustAt(server.roomList(), 0, 'room').hasPassword).toBe(true);
    expect((await handshake(server.tcpPort, JOIN, 'secret', 'bob', { password: 'nope' })).status).toBe(
      Status.WRONG_PASSWORD,
    );
    expect((await handshake(server.tcpPort, JOIN, 'secret', 'bob')).status).toBe(Status.WRONG_PASSWORD);
    expect((await handshake(server.tcpPort, JOIN, 'secret', 'bob', { tincan: true })).status).toBe(
      Status.PASSWORD_REQUIRED,
    );
    expect((await handshake(server.tcpPort, JOIN, 'secret', 'bob', { password: 'pw' })).status).toBe(Status.OK);
  });

  it('rejects bad names, unknown operations and states with BAD_REQUEST, echoing the operation', async () => {
    const cases = [
      requestFrame({ operation: CREATE, room: 'lob\nby', payload: 'alice' }),
      requestFrame({ operation: CREATE, room: ' lobby', payload: 'alice' }),
      requestFrame({ operation: CREATE, room: 'lobby', payload: 'a'.repeat(33) }),
      requestFrame({ operation: CREATE, room: 'lobby', payload: '{"username": 5}' }),
      requestFrame({ operation: CREATE, room: 'lobby', payload: '{broken' }),
      requestFrame({ operation: CREATE, room: Uint8Array.of(0xc3, 0x28), payload: 'alice' }),
      requestFrame({ operation: 3, room: 'lobby', payload: 'alice' }),
    ];
    for (const frame of cases) {
      const { frames } = await rawExchange({ port: server.tcpPort, chunks: [frame] });
      expect(frames).toHaveLength(1);
      expect(firstFrame(frames).payload[0]).toBe(Status.BAD_REQUEST);
      expect(firstFrame(frames).operation).toBe(frame[1]);
    }
    const wrongState = requestFrame({ operation: CREATE, room: 'lobby', payload: 'alice' });
    wrongState[2] = 2;
    expect(firstFrame((await rawExchange({ port: server.tcpPort, chunks: [wrongState] })).frames).payload[0]).toBe(
      Status.BAD_REQUEST,
    );
    // RoomNameSize 0 and 29 fail at the header.
    const empty = requestFrame({ operation: CREATE, room: 'x', payload: 'alice' });
    empty[0] = 0;
    expect(firstFrame((await rawExchange({ port: server.tcpPort, chunks: [empty] })).frames).payload[0]).toBe(
      Status.BAD_REQUEST,
    );
    expect(server.roomList()).toEqual([]);
  });

  it('accepts 1- to 4-byte UTF-8 characters in names', async () => {
    const room = 'é€😀';
    const s = await handshake(server.tcpPort, CREATE, room, 'ünï€😀');
    expect(s.status).toBe(Status.OK);
    expect(Buffer.from(firstFrame(s.frames).room).toString()).toBe(room);
    expect(mustAt(server.roomList(), 0, 'room').name).toBe(room);
  });
});

describe('framing', () => {
  beforeEach(async () => {
    server = await startServer(SHORT_TIMEOUTS);
  });

  it('assembles a request written one byte at a time', async () => {
    const frame = requestFrame({ operation: CREATE, room: 'slow', payload: '{"username":"alice"}' });
    const bytes = [...frame].map((b) => Uint8Array.of(b));
    const { frames } = await rawExchange({ port: server.tcpPort, chunks: bytes, chunkDelayMs: 1, timeoutMs: 5_000 });
    expect(firstFrame(frames).payload[0]).toBe(Status.OK);
    expect(frames).toHaveLength(2);
  });

  it('refuses two requests in one chunk as BAD_REQUEST (trailing bytes) and creates nothing', async () => {
    const two = Buffer.concat([
      requestFrame({ operation: CREATE, room: 'one', payload: 'alice' }),
      requestFrame({ operation: CREATE, room: 'two', payload: 'bob' }),
    ]);
    const { frames } = await rawExchange({ port: server.tcpPort, chunks: [two] });
    expect(frames).toHaveLength(1);
    expect(firstFrame(frames).payload[0]).toBe(Status.BAD_REQUEST);
    expect(server.roomList()).toEqual([]);
  });

  it('keeps up to 2 bytes right after the request as the UDP port; 3 are BAD_REQUEST', async () => {
    const { UdpPeer } = await import('../support/raw-udp.js');
    const host = await UdpPeer.open();
    try {
      const withPort = Buffer.concat([
        requestFrame({ operation: CREATE, room: 'p', payload: 'alice' }),
        Buffer.from([host.port >> 8, host.port & 0xff]),
      ]);
      const { frames } = await rawExchange({ port: server.tcpPort, chunks: [withPort] });
      expect(firstFrame(frames).payload[0]).toBe(Status.OK);
      // The endpoint is known without any datagram: bob's message reaches alice's socket.
      const bob = await handshake(server.tcpPort, JOIN, 'p', 'bob');
      const b = await UdpPeer.open();
      b.sendChat(server.udpPort, 'p', bob.token, 'hi');
      expect(await host.nextText()).toBe('* bob joined the room');
      expect(await host.nextText()).toBe('bob: hi');
      b.close();
    } finally {
      host.close();
    }
    const three = Buffer.concat([
      requestFrame({ operation: CREATE, room: 'q', payload: 'alice' }),
      Buffer.from([1, 2, 3]),
    ]);
    expect(firstFrame((await rawExchange({ port: server.tcpPort, chunks: [three] })).frames).payload[0]).toBe(
      Status.BAD_REQUEST,
    );
  });

  it('answers TOO_LARGE for a huge declared payload without waiting for the body', async () => {
    const header = new Uint8Array(TCRP_HEADER_BYTES);
    header[0] = 5;
    header[1] = CREATE;
    header[3] = 1; // 2^224-ish bytes declared
    const { frames } = await rawExchange({ port: server.tcpPort, chunks: [header], timeoutMs: 1_500 });
    expect(frames).toHaveLength(1);
    expect(firstFrame(frames).payload[0]).toBe(Status.TOO_LARGE);
    expect(firstFrame(frames).operation).toBe(CREATE);
    const justOver = new Uint8Array(TCRP_HEADER_BYTES);
    justOver[0] = 5;
    justOver[1] = JOIN;
    justOver.set([0x04, 0x01], 30); // 1025
    expect(firstFrame((await rawExchange({ port: server.tcpPort, chunks: [justOver] })).frames).payload[0]).toBe(
      Status.TOO_LARGE,
    );
  });

  it('still answers a complete request whose client half-closed right after it', async () => {
    const { frames } = await rawExchange({
      port: server.tcpPort,
      chunks: [requestFrame({ operation: CREATE, room: 'fin', payload: 'alice' })],
      endAfterWrite: true,
    });
    expect(frames.map((f) => f.state)).toEqual([1, 2]);
    expect(firstFrame(frames).payload[0]).toBe(Status.OK);
  });

  it('answers BAD_REQUEST when the client half-closes in the middle of a request', async () => {
    const partial = requestFrame({ operation: JOIN, room: 'lobby', payload: 'alice' }).subarray(0, 40);
    const { frames } = await rawExchange({
      port: server.tcpPort,
      chunks: [partial],
      endAfterWrite: true,
      timeoutMs: 1_500,
    });
    expect(frames).toHaveLength(1);
    expect(firstFrame(frames).payload[0]).toBe(Status.BAD_REQUEST);
    expect(firstFrame(frames).operation).toBe(JOIN);
  });

  it('answers HANDSHAKE_TIMEOUT when the request does not complete in time', async () => {
    await server.close();
    server = await startServer({ ...SHORT_TIMEOUTS, handshakeTimeoutMs: 200 });
    const partial = requestFrame({ operation: JOIN, room: 'lobby', payload: 'alice' }).subarray(0, 10);
    const started = Date.now();
    const { frames } = await rawExchange({ port: server.tcpPort, chunks: [partial], timeoutMs: 3_000 });
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(frames).toHaveLength(1);
    expect(firstFrame(frames).payload[0]).toBe(Status.HANDSHAKE_TIMEOUT);
    expect(firstFrame(frames).operation).toBe(JOIN);
  });
});

describe('caps and backoff', () => {
  it('answers SERVER_FULL at the room cap and ROOM_FULL at the member cap', async () => {
    server = await startServer({ ...SHORT_TIMEOUTS, maxRooms: 1, maxMembersPerRoom: 2 });
    expect((await handshake(server.tcpPort, CREATE, 'a', 'alice')).status).toBe(Status.OK);
    expect((await handshake(server.tcpPort, CREATE, 'b', 'bob')).status).toBe(Status.SERVER_FULL);
    expect((await handshake(server.tcpPort, JOIN, 'a', 'bob')).status).toBe(Status.OK);
    expect((await handshake(server.tcpPort, JOIN, 'a', 'carol')).status).toBe(Status.ROOM_FULL);
  });

  it('answers SERVER_FULL beyond the per-IP connection cap', async () => {
    server = await startServer({ ...SHORT_TIMEOUTS, maxConnectionsPerIp: 2 });
    const { connect } = await import('node:net');
    const idle = [connect(server.tcpPort, '127.0.0.1'), connect(server.tcpPort, '127.0.0.1')];
    await Promise.all(idle.map((s) => new Promise((r) => s.on('connect', r))));
    await letTimePass(50, 'let the server accept both connections (nothing observable says so)');
    expect((await handshake(server.tcpPort, CREATE, 'a', 'alice')).status).toBe(Status.SERVER_FULL);
    for (const s of idle) s.destroy();
    await letTimePass(50, 'let the server see both connections close (nothing observable says so)');
    expect((await handshake(server.tcpPort, CREATE, 'a', 'alice')).status).toBe(Status.OK);
  });

  it('answers SERVER_FULL beyond the pending-handshake cap', async () => {
    server = await startServer({ ...SHORT_TIMEOUTS, maxPendingHandshakes: 1 });
    const { connect } = await import('node:net');
    const idle = connect(server.tcpPort, '127.0.0.1');
    await new Promise((r) => idle.on('connect', r));
    await letTimePass(50, 'let the server accept the connection (nothing observable says so)');
    expect((await handshake(server.tcpPort, CREATE, 'a', 'alice')).status).toBe(Status.SERVER_FULL);
    idle.destroy();
  });

  it('rate-limits wrong passwords per IP and room', async () => {
    server = await startServer({ ...SHORT_TIMEOUTS, passwordAttemptsBeforeBackoff: 2 });
    expect((await handshake(server.tcpPort, CREATE, 'vault', 'alice', { password: 'pw' })).status).toBe(Status.OK);
    expect((await handshake(server.tcpPort, JOIN, 'vault', 'bob', { password: 'x' })).status).toBe(
      Status.WRONG_PASSWORD,
    );
    expect((await handshake(server.tcpPort, JOIN, 'vault', 'bob', { password: 'y' })).status).toBe(
      Status.WRONG_PASSWORD,
    );
    // Now blocked, even with the right password.
    expect((await handshake(server.tcpPort, JOIN, 'vault', 'bob', { password: 'pw' })).status).toBe(
      Status.RATE_LIMITED,
    );
    expect(server.stats().handshakes['RATE_LIMITED']).toBe(1);
  });
});

describe('listening', () => {
  it('binds UDP to the TCP port number by default, or to the given UDP port', async () => {
    server = await startServer(SHORT_TIMEOUTS);
    expect(server.udpPort).toBe(server.tcpPort);
    const other = await startServer({ ...SHORT_TIMEOUTS, udpPort: 0 });
    try {
      expect(other.udpPort).not.toBe(0);
    } finally {
      await other.close();
    }
  });

  it('rejects with EADDRINUSE when the TCP port is taken', async () => {
    server = await startServer(SHORT_TIMEOUTS);
    const clash = await import('../../src-main/engine/server/chat-server.js').then(
      ({ ChatServer }) => new ChatServer({ host: '127.0.0.1', port: server.tcpPort }),
    );
    await expect(clash.listen()).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
