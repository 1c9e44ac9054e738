// handshake(): the TCRP exchange against scripted TCP servers that answer in the many ways real
// servers do (liberal status encodings, byte-by-byte writes, silence, garbage).
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatClient, HandshakeError, handshake, type HandshakeOptions } from '../../src-main/engine/index.js';
import { TINCAN_DIALECT_VERSION } from '../../src-shared/protocol/index.js';
import { becomesTrue, waitUntil } from '../support/wait.js';

interface SeenRequest {
  roomLen: number;
  op: number;
  state: number;
  room: string;
  payload: string;
  /** Bytes the client wrote after its request frame (the announced UDP port). */
  after: Buffer;
}

const servers: Server[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

/** A TCP server that parses one request frame and hands it to `reply`; records what it saw. */
async function scripted(
  reply: (socket: Socket, req: SeenRequest) => void,
): Promise<{ port: number; seen: SeenRequest[] }> {
  const seen: SeenRequest[] = [];
  const server = createServer((socket) => {
    let buf = Buffer.alloc(0);
    let req: SeenRequest | null = null;
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (req) {
        req.after = Buffer.concat([req.after, chunk]);
        return;
      }
      if (buf.length < 32) return;
      const roomLen = buf[0] as number;
      const size = buf.readUIntBE(26, 6);
      if (buf.length < 32 + roomLen + size) return;
      req = {
        roomLen,
        op: buf[1] as number,
        state: buf[2] as number,
        room: buf.subarray(32, 32 + roomLen).toString('utf8'),
        payload: buf.subarray(32 + roomLen, 32 + roomLen + size).toString('utf8'),
        after: buf.subarray(32 + roomLen + size),
      };
      seen.push(req);
      reply(socket, req);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, seen };
}

function frame(op: number, room: string, state: number, payload: Buffer): Buffer {
  const roomBytes = Buffer.from(room);
  const header = Buffer.alloc(32);
  header[0] = roomBytes.length;
  header[1] = op;
  header[2] = state;
  header.writeUIntBE(payload.length, 26, 6);
  return Buffer.concat([header, roomBytes, payload]);
}

function base(port: number, over: Partial<HandshakeOptions> = {}): HandshakeOptions {
  return { host: '127.0.0.1', port, room: 'lobby', username: 'alice', mode: 'join', timeoutMs: 1500, ...over };
}

async function failure(p: Promise<unknown>): Promise<HandshakeError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HandshakeError);
  return err as HandshakeError;
}

describe('handshake request', () => {
  it('sends a well-formed frame offering the dialect and the resume token', async () => {
    const { port, seen } = await scripted((s, req) => {
      s.end(Buffer.concat([frame(req.op, req.room, 1, Buffer.of(0)), frame(req.op, req.room, 2, Buffer.from('tok'))]));
    });
    const result = await handshake(base(port, { mode: 'create', password: 'pw', resume: 'old-token', room: 'café' }));
    expect(result).toMatchObject({ dialect: 'plain', role: 'host', token: 'tok', resumed: false });
    const req = seen[0] as SeenRequest;
    expect(req).toMatchObject({ roomLen: 5, op: 1, state: 0, room: 'café' });
    expect(JSON.parse(req.payload)).toEqual({
      username: 'alice',
      password: 'pw',
      tincan: TINCAN_DIALECT_VERSION,
      resume: 'old-token',
    });
  });

  it('with negotiate=false sends neither the dialect offer nor the resume token', async () => {
    const { port, seen } = await scripted((s, req) => {
      s.end(Buffer.concat([frame(req.op, req.room, 1, Buffer.of(0)), frame(req.op, req.room, 2, Buffer.from('tok'))]));
    });
    await handshake(base(port, { negotiate: false, resume: 'old-token' }));
    expect(JSON.parse((seen[0] as SeenRequest).payload)).toEqual({ username: 'alice', password: '' });
  });

  it('refuses invalid names locally without connecting', async () => {
    const err = await failure(handshake(base(1, { username: ' bad ' })));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.status).toBeNull();
    expect((await failure(handshake(base(1, { room: 'x'.repeat(29) })))).code).toBe('BAD_REQUEST');
  });
});

describe('handshake replies', () => {
  it('reads a tincan completion written one byte at a time, then announces the UDP port', async () => {
    const info = {
      tincan: 1,
      token: 'T'.repeat(32),
      role: 'host',
      heartbeatMs: 123,
      inactivityMs: 456,
      maxTextBytes: 3800,
      resumed: true,
    };
    const { port, seen } = await scripted((s, req) => {
      const bytes = Buffer.concat([
        frame(req.op, req.room, 1, Buffer.of(0)),
        frame(req.op, req.room, 2, Buffer.from(JSON.stringify(info))),
      ]);
      let i = 0;
      const next = (): void => {
        if (i >= bytes.length) return;
        s.write(bytes.subarray(i, i + 1));
        i++;
        setImmediate(next);
      };
      next();
    });
    const result = await handshake(base(port, { udpPort: 0xabcd }));
    expect(result.kind).toBe('tincan');
    expect(result).toMatchObject({ dialect: 'tincan', role: 'host', token: 'T'.repeat(32), resumed: true });
    expect(result.info?.heartbeatMs).toBe(123);
    // The port arrives after the token, on the same connection.
    await becomesTrue(() => (seen[0]?.after.length ?? 0) >= 2);
    expect([...(seen[0] as SeenRequest).after]).toEqual([0xab, 0xcd]);
  });

  it('accepts a reply whose room name is omitted (RoomNameSize 0)', async () => {
    const { port } = await scripted((s, req) => {
      s.end(Buffer.concat([frame(req.op, '', 1, Buffer.of(0)), frame(req.op, '', 2, Buffer.from('raw-token'))]));
    });
    expect((await handshake(base(port))).token).toBe('raw-token');
  });

  const liberal: [string, Buffer, string, number][] = [
    ['one byte', Buffer.of(4), 'NAME_TAKEN', 4],
    ['ASCII digits', Buffer.from('2'), 'NO_SUCH_ROOM', 2],
    ['a JSON object', Buffer.from('{"status":3}'), 'WRONG_PASSWORD', 3],
    ['a 2-byte integer', Buffer.of(0, 1), 'ROOM_EXISTS', 1],
    ['a 4-byte integer', Buffer.of(0, 0, 0, 8), 'ROOM_FULL', 8],
  ];
  for (const [what, payload, code, status] of liberal) {
    it(`reads a status sent as ${what}`, async () => {
      const { port } = await scripted((s, req) => s.end(frame(req.op, req.room, 1, payload)));
      const err = await failure(handshake(base(port)));
      expect(err.code).toBe(code);
      expect(err.status).toBe(status);
    });
  }

  it('accepts a status given as ASCII "0" followed by the token', async () => {
    const { port } = await scripted((s, req) => {
      s.end(
        Buffer.concat([frame(req.op, req.room, 1, Buffer.from('0')), frame(req.op, req.room, 2, Buffer.from('abc'))]),
      );
    });
    expect((await handshake(base(port))).token).toBe('abc');
  });
});

describe('handshake failures', () => {
  it('UNREACHABLE when nothing listens', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const err = await failure(handshake(base(port)));
    expect(err.code).toBe('UNREACHABLE');
    expect(err.status).toBeNull();
  });

  it('TIMEOUT against a server that accepts and never answers', async () => {
    const { port } = await scripted(() => {});
    const started = Date.now();
    const err = await failure(handshake(base(port, { timeoutMs: 200 })));
    expect(err.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('PROTOCOL when the server closes after OK without a token', async () => {
    const { port } = await scripted((s, req) => s.end(frame(req.op, req.room, 1, Buffer.of(0))));
    expect((await failure(handshake(base(port)))).code).toBe('PROTOCOL');
  });

  it('PROTOCOL on a header that breaks the limits, without reading the declared body', async () => {
    const { port } = await scripted((s) => {
      const header = Buffer.alloc(32);
      header[0] = 5;
      header[1] = 2;
      header[2] = 1;
      header.fill(0xff, 3); // declares an absurd payload size
      s.write(header);
    });
    expect((await failure(handshake(base(port)))).code).toBe('PROTOCOL');
  });

  it('PROTOCOL on an unreadable status or an unexpected state', async () => {
    const a = await scripted((s, req) => s.end(frame(req.op, req.room, 1, Buffer.from('not a status'))));
    expect((await failure(handshake(base(a.port)))).code).toBe('PROTOCOL');
    const b = await scripted((s, req) => s.end(frame(req.op, req.room, 7, Buffer.of(0))));
    expect((await failure(handshake(base(b.port)))).code).toBe('PROTOCOL');
  });

  it('ABORTED when the signal fires', async () => {
    const { port } = await scripted(() => {});
    const controller = new AbortController();
    const pending = handshake(base(port, { signal: controller.signal, timeoutMs: 5000 }));
    setTimeout(() => controller.abort(), 50);
    expect((await failure(pending)).code).toBe('ABORTED');
  });
});

describe('ChatClient.connect cancellation', () => {
  it('leave() during a hanging handshake rejects connect with ABORTED and closes the client', async () => {
    const { port, seen } = await scripted(() => {});
    const client = new ChatClient({
      host: '127.0.0.1',
      port,
      room: 'lobby',
      username: 'alice',
      mode: 'create',
      handshakeTimeoutMs: 5000,
    });
    const closed: string[] = [];
    client.on('closed', (info) => closed.push(info.reason));
    const pending = client.connect();
    await waitUntil(() => seen.length === 1, { what: 'the server holds the request (the handshake hangs)' });
    await client.leave();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    expect(client.state).toBe('closed');
    expect(closed).toEqual(['left']);
    await expect(client.connect()).rejects.toThrow(/once/);
  });
});
