// Raw-socket helpers for the server tests: TCRP over node:net and chat over node:dgram, built on the
// shared codecs only (no client library), so the tests see exactly the bytes on the wire.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect } from 'node:net';
import {
  encodeClientDatagram,
  encodeFrame,
  encodeRequestPayload,
  parseCompletionPayload,
  TcrpDecoder,
  type TcrpFrame,
} from '../../src-shared/protocol/index.js';
import { ChatServer } from '../../src-main/engine/server/chat-server.js';
import type { ServerOptions } from '../../src-main/engine/server/options.js';
import { roomShard } from '../../src-main/engine/server/room-shard.js';
import type { Logger } from '../../src-main/engine/log.js';

export const CREATE = 1;
export const JOIN = 2;

/** A server on loopback, port 0, with timeouts short enough for tests. */
export async function startServer(options: Partial<ServerOptions> & { logger?: Logger } = {}): Promise<ChatServer> {
  const server = new ChatServer({
    host: '127.0.0.1',
    port: 0,
    handshakeTimeoutMs: 2_000,
    portGraceMs: 300,
    sweepIntervalMs: 50,
    ...options,
  });
  await server.listen();
  return server;
}

export interface RawExchange {
  frames: TcrpFrame[];
  /** Bytes after the last whole frame (should be none). */
  leftover: number;
}

/**
 * Connects, writes `chunks` (each written separately, with a tick between), then reads until the
 * server closes or `timeoutMs` passes, and decodes what came back.
 */
export function rawExchange(
  port: number,
  chunks: Uint8Array[],
  opts: { host?: string; timeoutMs?: number; gapMs?: number; endAfterWrite?: boolean } = {},
): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: opts.host ?? '127.0.0.1', port });
    const received: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), opts.timeoutMs ?? 3_000);
    socket.on('data', (d) => received.push(d));
    socket.on('error', () => {}); // a reset after the reply is fine; what matters is what arrived
    socket.on('close', () => {
      clearTimeout(timer);
      const decoder = new TcrpDecoder({ allowEmptyRoom: true, maxPayloadBytes: 4096 });
      try {
        const { frames, used } = decoder.push(Buffer.concat(received));
        resolve({ frames, leftover: Buffer.concat(received).length - used });
      } catch (err) {
        reject(err as Error);
      }
    });
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        socket.write(chunk);
        if (opts.gapMs !== undefined) await new Promise((r) => setTimeout(r, opts.gapMs));
      }
      if (opts.endAfterWrite) socket.end();
    });
  });
}

export function requestFrame(op: number, room: string | Uint8Array, payload: Uint8Array | string): Uint8Array {
  return encodeFrame({
    operation: op,
    state: 0,
    room: typeof room === 'string' ? Buffer.from(room) : room,
    payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
  });
}

export interface Session {
  status: number;
  token: Buffer;
  frames: TcrpFrame[];
  info: { role: string; heartbeatMs: number; inactivityMs: number; maxTextBytes: number; resumed?: boolean } | null;
}

/** One create/join handshake. `tincan` offers the dialect; `port` is written after the request. */
export async function handshake(
  serverPort: number,
  op: number,
  room: string,
  username: string,
  opts: { password?: string; tincan?: boolean; resume?: string; host?: string; portAfter?: number } = {},
): Promise<Session> {
  const payload = encodeRequestPayload({
    username,
    password: opts.password ?? '',
    dialect: opts.tincan ? 1 : 0,
    resume: opts.resume ?? null,
  });
  const chunks: Uint8Array[] = [requestFrame(op, room, payload)];
  if (opts.portAfter !== undefined) chunks.push(Uint8Array.of(opts.portAfter >> 8, opts.portAfter & 0xff));
  const { frames } = await rawExchange(serverPort, chunks, { host: opts.host ?? '127.0.0.1' });
  const status = frames[0]?.payload[0] ?? -1;
  const completion = frames[1] ? parseCompletionPayload(frames[1].payload) : null;
  return {
    status,
    frames,
    token: completion ? Buffer.from(completion.token) : Buffer.alloc(0),
    info: completion?.kind === 'tincan' ? completion.info : null,
  };
}

/** A UDP chat peer with a queue of received datagrams. */
export class Peer {
  readonly socket: UdpSocket;
  private readonly queue: Buffer[] = [];
  private waiter: (() => void) | null = null;

  private constructor(socket: UdpSocket) {
    this.socket = socket;
    socket.on('message', (msg) => {
      this.queue.push(msg);
      this.waiter?.();
    });
  }

  static async open(address = '127.0.0.1', port = 0): Promise<Peer> {
    const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, address, () => resolve());
    });
    return new Peer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  sendRaw(bytes: Uint8Array, serverPort: number, host = '127.0.0.1'): void {
    this.socket.send(bytes, serverPort, host);
  }

  send(serverPort: number, room: string, token: Uint8Array, message: Uint8Array | string, host = '127.0.0.1'): void {
    const body = typeof message === 'string' ? Buffer.from(message) : message;
    this.sendRaw(encodeClientDatagram(Buffer.from(room), token, body), serverPort, host);
  }

  /** Next datagram, or throws after `timeoutMs`. */
  async next(timeoutMs = 2_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no datagram arrived in time');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = null;
    }
    return this.queue.shift() as Buffer;
  }

  async nextText(timeoutMs = 2_000): Promise<string> {
    return (await this.next(timeoutMs)).toString('utf8');
  }

  /** Asserts-by-return that nothing arrives within `ms`: returns what did arrive. */
  async quiet(ms = 200): Promise<Buffer[]> {
    await new Promise((r) => setTimeout(r, ms));
    return this.queue.splice(0);
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `cond` every 10 ms until true or `timeoutMs` passes. */
export async function until(cond: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/** One room name per shard (index = the shard that owns it), `${prefix}-${i}` for the first i that fits. */
export function roomsByShard(prefix: string, shards: number): string[] {
  const found: (string | undefined)[] = Array.from({ length: shards }, () => undefined);
  for (let i = 0; found.includes(undefined); i++) {
    // roomShard reads the first 8 bytes only: a longer prefix would make every name land alike.
    if (i > 10_000) throw new Error(`no name per shard with prefix "${prefix}" (keep it under 7 bytes)`);
    found[roomShard(Buffer.from(`${prefix}-${i}`), shards)] ??= `${prefix}-${i}`;
  }
  return found as string[];
}
