// A hand-driven TCRP peer over node:net: it writes exactly the bytes a test gives it (well-formed or
// not), at the pace the test chooses, and records what the server answers and when it hangs up.
// Only the shared codecs are used (no client library), so tests see and say exactly the wire bytes.
import net from 'node:net';
import {
  encodeFrame,
  encodeRequestPayload,
  Operation,
  parseCompletionPayload,
  State,
  TCRP_HEADER_BYTES,
  TcrpDecoder,
  type TcrpFrame,
  utf8Encode,
} from '../../src-shared/protocol/index.js';
import { mustAt } from './must.js';
import { letTimePass } from './wait.js';

export const CREATE = Operation.CREATE;
export const JOIN = Operation.JOIN;

export interface RawReply {
  frames: TcrpFrame[];
  /** Status byte of the state-1 frame, if one came. */
  status: number | null;
  /** Token from the state-2 frame (raw, or taken out of the Tincan session JSON), as latin1. */
  token: string | null;
  /** Raw state-2 payload. */
  completion: Uint8Array | null;
  /** The server closed (or reset) the connection before our deadline. */
  closedByServer: boolean;
  /** Milliseconds from connect to the first reply frame (null: none came). */
  firstReplyMs: number | null;
  /** Milliseconds from connect to the close (or to our deadline). */
  elapsedMs: number;
  /** Bytes that could not be decoded as reply frames. */
  garbage: number;
  /** Bytes of an incomplete frame left at the end (should be none). */
  leftover: number;
}

export interface RawExchangeOptions {
  port: number;
  host?: string;
  /** Source address to bind, e.g. 127.0.0.2, to appear as another machine. */
  localAddress?: string;
  /** What to send, each chunk written separately. */
  chunks: Uint8Array[];
  /** Set: wait this long between chunks (0 still yields a timer turn, so chunks do not coalesce). */
  chunkDelayMs?: number;
  /** Half-close our side after the last chunk. */
  endAfterWrite?: boolean;
  /** Give up (and destroy the socket) after this long (default 3 s). */
  timeoutMs?: number;
  /** Bytes to write once the state-2 reply arrived (e.g. a 2-byte UDP port). */
  afterReply?: Uint8Array;
}

/** Connects, sends, collects the reply frames, and resolves when the server hangs up or time runs out. */
export function rawExchange(opts: RawExchangeOptions): Promise<RawReply> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  return new Promise((resolve) => {
    const started = Date.now();
    const decoder = new TcrpDecoder({ maxPayloadBytes: 4096, allowEmptyRoom: true, maxRoomNameBytes: 255 });
    const reply: RawReply = {
      frames: [],
      status: null,
      token: null,
      completion: null,
      closedByServer: false,
      firstReplyMs: null,
      elapsedMs: 0,
      garbage: 0,
      leftover: 0,
    };
    let finished = false;
    const socket = net.connect({ host: opts.host ?? '127.0.0.1', port: opts.port, localAddress: opts.localAddress });
    const finish = (byServer: boolean): void => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      reply.closedByServer = byServer;
      reply.elapsedMs = Date.now() - started;
      reply.leftover = decoder.pendingBytes;
      socket.destroy();
      resolve(reply);
    };
    const writeAll = async (): Promise<void> => {
      for (const [i, chunk] of opts.chunks.entries()) {
        if (i > 0 && opts.chunkDelayMs !== undefined) {
          await letTimePass(opts.chunkDelayMs, 'pace the writes as a slow or fragmenting client would');
        }
        if (finished || socket.destroyed) return;
        socket.write(chunk);
      }
      if (opts.endAfterWrite && !socket.destroyed) socket.end();
    };
    socket.on('connect', () => void writeAll());
    socket.on('data', (data: Buffer) => {
      if (reply.firstReplyMs === null) reply.firstReplyMs = Date.now() - started;
      try {
        for (const frame of decoder.push(data).frames) {
          reply.frames.push(frame);
          if (frame.state === State.RESPONSE && frame.payload.length >= 1) reply.status = frame.payload[0] as number;
          if (frame.state === State.COMPLETION) {
            reply.completion = frame.payload.slice();
            const parsed = parseCompletionPayload(frame.payload);
            if (parsed) reply.token = Buffer.from(parsed.token).toString('latin1');
            if (opts.afterReply && !socket.destroyed) socket.write(opts.afterReply);
          }
        }
      } catch {
        reply.garbage += data.length;
      }
    });
    // A reset after the reply is fine: what matters is what arrived.
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    const deadline = setTimeout(() => finish(false), timeoutMs);
  });
}

/** What a request frame carries: a request object is encoded as our JSON; a string as its UTF-8. */
export type RequestPayload =
  | Uint8Array
  | string
  /** `tincan`: true offers dialect version 1 (the first), a number offers that version. */
  | { username: string; password?: string; tincan?: boolean | number; resume?: string; typing?: boolean };

export interface RequestSpec {
  room: string | Uint8Array;
  operation?: number;
  state?: number;
  payload?: RequestPayload;
}

/** Builds a state-0 request frame (JOIN as alice unless told otherwise); room and payload may be any bytes. */
export function requestFrame(spec: RequestSpec): Uint8Array {
  const room = typeof spec.room === 'string' ? utf8Encode(spec.room) : spec.room;
  const p = spec.payload ?? { username: 'alice' };
  const payload =
    p instanceof Uint8Array
      ? p
      : typeof p === 'string'
        ? utf8Encode(p)
        : encodeRequestPayload({
            username: p.username,
            password: p.password ?? '',
            dialect: typeof p.tincan === 'number' ? p.tincan : p.tincan ? 1 : 0,
            resume: p.resume ?? null,
            typing: p.typing === true,
          });
  return encodeFrame({
    operation: spec.operation ?? Operation.JOIN,
    state: spec.state ?? State.REQUEST,
    room,
    payload,
  });
}

/** A 32-byte header with arbitrary RoomNameSize and a declared payload size of 2^exponent. */
export function headerDeclaring(roomSize: number, exponent: number, operation: number = Operation.CREATE): Uint8Array {
  const h = new Uint8Array(TCRP_HEADER_BYTES);
  h[0] = roomSize;
  h[1] = operation;
  h[2] = State.REQUEST;
  const byteFromEnd = Math.floor(exponent / 8);
  h[TCRP_HEADER_BYTES - 1 - byteFromEnd] = 1 << (exponent % 8);
  return h;
}

/** A header whose declared payload size is exactly `size` (≤ 2^48). */
export function headerWithSize(roomSize: number, size: number, operation: number = Operation.CREATE): Uint8Array {
  const full = encodeFrame({
    operation,
    state: State.REQUEST,
    room: new Uint8Array(roomSize),
    payload: new Uint8Array(0),
  });
  const h = full.slice(0, TCRP_HEADER_BYTES);
  let rest = size;
  for (let i = TCRP_HEADER_BYTES - 1; i >= 3 && rest > 0; i--) {
    h[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return h;
}

/** Sends one well-formed request and returns the reply. */
export function request(
  port: number,
  spec: RequestSpec & { localAddress?: string; host?: string; timeoutMs?: number; afterReply?: Uint8Array },
): Promise<RawReply> {
  return rawExchange({
    port,
    host: spec.host,
    localAddress: spec.localAddress,
    chunks: [requestFrame(spec)],
    timeoutMs: spec.timeoutMs,
    afterReply: spec.afterReply,
  });
}

/** A handshake as a session: the status (-1: none came), the token's bytes, the Tincan info. */
export interface Session {
  status: number;
  token: Buffer;
  frames: TcrpFrame[];
  info: { role: string; heartbeatMs: number; inactivityMs: number; maxTextBytes: number; resumed?: boolean } | null;
}

/** One create/join handshake. `tincan` offers the dialect; `portAfter` is written right after the request. */
export async function handshake(
  serverPort: number,
  op: number,
  room: string,
  username: string,
  opts: {
    password?: string;
    tincan?: boolean;
    resume?: string;
    host?: string;
    portAfter?: number;
    /** How long to wait for the reply (rawExchange's default: 3 s). */
    timeoutMs?: number;
  } = {},
): Promise<Session> {
  const chunks = [
    requestFrame({
      operation: op,
      room,
      payload: { username, password: opts.password, tincan: opts.tincan, resume: opts.resume },
    }),
  ];
  if (opts.portAfter !== undefined) chunks.push(Uint8Array.of(opts.portAfter >> 8, opts.portAfter & 0xff));
  const { frames } = await rawExchange({ port: serverPort, chunks, host: opts.host, timeoutMs: opts.timeoutMs });
  const status = frames[0]?.payload[0] ?? -1;
  const completion = frames[1] ? parseCompletionPayload(frames[1].payload) : null;
  return {
    status,
    frames,
    token: completion ? Buffer.from(completion.token) : Buffer.alloc(0),
    info: completion?.kind === 'tincan' ? completion.info : null,
  };
}

/** Opens a TCP connection and keeps it open, silent, until the returned socket is destroyed. */
export function openSilent(port: number, localAddress?: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, localAddress });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves when the server closes `socket` (whatever it sent before is read and discarded). */
export function closedByServer(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.closed) return resolve();
    socket.once('close', () => resolve());
    socket.on('error', () => undefined);
    socket.resume();
  });
}

/** The first reply frame; fails the test, instead of crashing on `undefined`, when none came. */
export function firstFrame(frames: readonly TcrpFrame[]): TcrpFrame {
  return mustAt(frames, 0, 'reply frame');
}
