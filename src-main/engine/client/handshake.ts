// The TCRP exchange on its own: one TCP connection, request → status → token → close. Speaks to any
// spec server; offers the Tincan dialect unless told not to and falls back to plain when the server
// answers with a raw token.
import { connect as tcpConnect, type Socket } from 'node:net';
import {
  type Completion,
  type SessionInfo,
  checkRoomName,
  checkUsername,
  describeNameProblem,
  encodeFrame,
  encodeRequestPayload,
  Operation,
  parseCompletionPayload,
  parseStatusPayload,
  PASSWORD_MAX_BYTES,
  ROOM_NAME_MAX_BYTES,
  State,
  Status,
  TcrpDecoder,
  TINCAN_DIALECT_VERSION,
  USERNAME_MAX_BYTES,
  utf8ByteLength,
  utf8Encode,
} from '../../../src-shared/protocol/index.js';
import { HandshakeError } from './errors.js';
import type { ClientRole, Dialect } from './types.js';

export interface HandshakeOptions {
  host: string;
  port: number;
  room: string;
  username: string;
  password?: string;
  mode: 'create' | 'join';
  /** Offer the Tincan dialect (default true). */
  negotiate?: boolean;
  /** Token of an earlier session to take over (Tincan dialect only). */
  resume?: string | null;
  /** Ask for the room's recent chat, newer than `since` (Tincan dialect only). */
  catchUp?: { since: number } | null;
  /** Offer typing indicators (Tincan dialect only). */
  typing?: boolean;
  /** Whole exchange, TCP connect included (default 5000 ms). */
  timeoutMs?: number;
  /** Local UDP port to announce after the token (2 bytes, big-endian). */
  udpPort?: number;
  signal?: AbortSignal;
}

/** Completion (state 2) as the client uses it: the token both as raw bytes and as text. */
export type HandshakeResult = ({ kind: 'plain'; info: null } | { kind: 'tincan'; info: SessionInfo }) & {
  /** Raw token bytes, exactly as they go into every datagram. */
  tokenBytes: Uint8Array;
  role: ClientRole;
  dialect: Dialect;
  /** The token as text (Latin-1, so foreign binary tokens survive the round trip). */
  token: string;
  /** The server said it took over our earlier session instead of starting a new one. */
  resumed: boolean;
};

// The replies we expect are tiny; a larger declared size is a broken or hostile server.
const MAX_REPLY_PAYLOAD_BYTES = 4096;
// How long we keep the socket around after the token, to flush the port announcement.
const LINGER_MS = 1000;

function validate(opts: HandshakeOptions): void {
  const roomProblem = checkRoomName(opts.room);
  if (roomProblem) {
    throw new HandshakeError(
      'BAD_REQUEST',
      null,
      describeNameProblem('the room name', roomProblem, ROOM_NAME_MAX_BYTES),
    );
  }
  const userProblem = checkUsername(opts.username);
  if (userProblem) {
    throw new HandshakeError('BAD_REQUEST', null, describeNameProblem('the username', userProblem, USERNAME_MAX_BYTES));
  }
  if (utf8ByteLength(opts.password ?? '') > PASSWORD_MAX_BYTES) {
    throw new HandshakeError('BAD_REQUEST', null, `the password must be at most ${PASSWORD_MAX_BYTES} bytes`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) {
    throw new HandshakeError('BAD_REQUEST', null, `invalid port ${opts.port}`);
  }
}

function buildRequest(opts: HandshakeOptions): Uint8Array {
  const negotiate = opts.negotiate !== false;
  const payload = encodeRequestPayload({
    username: opts.username,
    password: opts.password ?? '',
    dialect: negotiate ? TINCAN_DIALECT_VERSION : 0,
    // Resume is a Tincan field: never sent to a server we must treat as plain.
    resume: negotiate ? (opts.resume ?? null) : null,
    catchUp: negotiate ? (opts.catchUp ?? null) : null,
    typing: negotiate && opts.typing === true,
  });
  return encodeFrame({
    operation: opts.mode === 'create' ? Operation.CREATE : Operation.JOIN,
    state: State.REQUEST,
    room: utf8Encode(opts.room),
    payload,
  });
}

function finish(completion: Completion, opts: HandshakeOptions): HandshakeResult {
  const token = Buffer.from(completion.token).toString('latin1');
  if (completion.kind === 'tincan') {
    return {
      kind: 'tincan',
      info: completion.info,
      tokenBytes: completion.token,
      role: completion.info.role,
      dialect: 'tincan',
      token,
      resumed: completion.info.resumed === true,
    };
  }
  const role: ClientRole = opts.mode === 'create' ? 'host' : 'member';
  return { kind: 'plain', info: null, tokenBytes: completion.token, role, dialect: 'plain', token, resumed: false };
}

/** Runs one TCRP transaction. Rejects with HandshakeError; never leaves a socket or timer behind. */
export function handshake(opts: HandshakeOptions): Promise<HandshakeResult> {
  try {
    validate(opts);
  } catch (err) {
    return Promise.reject(err);
  }
  const timeoutMs = opts.timeoutMs ?? 5000;
  const request = buildRequest(opts);

  return new Promise<HandshakeResult>((resolve, reject) => {
    const decoder = new TcrpDecoder({ allowEmptyRoom: true, maxPayloadBytes: MAX_REPLY_PAYLOAD_BYTES });
    let connected = false;
    let settled = false;
    let sawOk = false;

    const socket: Socket = tcpConnect({ host: opts.host, port: opts.port });
    socket.setNoDelay(true);

    const timer = setTimeout(() => {
      fail(HandshakeError.transport('TIMEOUT', `no answer from ${opts.host}:${opts.port} within ${timeoutMs} ms`));
    }, timeoutMs);

    const onAbort = (): void => fail(HandshakeError.transport('ABORTED', 'the handshake was cancelled'));
    if (opts.signal?.aborted) {
      queueMicrotask(onAbort);
    } else {
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    }

    function cleanup(): void {
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('data');
      // Errors after we are done (EPIPE, ECONNRESET from a server that already closed) are harmless.
      socket.removeAllListeners('error');
      socket.on('error', () => {});
    }

    function fail(err: HandshakeError): void {
      if (settled) return;
      cleanup();
      socket.destroy();
      reject(err);
    }

    function succeed(result: HandshakeResult): void {
      if (settled) return;
      cleanup();
      if (opts.udpPort !== undefined && opts.udpPort > 0) {
        socket.end(Uint8Array.of((opts.udpPort >>> 8) & 0xff, opts.udpPort & 0xff));
      } else {
        socket.end();
      }
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
      resolve(result);
    }

    socket.on('connect', () => {
      connected = true;
      socket.write(request);
    });

    socket.on('data', (chunk: Buffer) => {
      let frames;
      try {
        frames = decoder.push(chunk).frames;
      } catch (err) {
        fail(HandshakeError.transport('PROTOCOL', `malformed reply: ${(err as Error).message}`, err));
        return;
      }
      for (const frame of frames) {
        if (frame.state === State.RESPONSE) {
          const status = parseStatusPayload(frame.payload);
          if (status === null) {
            fail(HandshakeError.transport('PROTOCOL', 'unreadable status in the reply'));
            return;
          }
          if (status !== Status.OK) {
            fail(HandshakeError.fromStatus(status));
            return;
          }
          sawOk = true;
        } else if (frame.state === State.COMPLETION) {
          // Liberal: a completion without a preceding OK still carries a token.
          const completion = parseCompletionPayload(frame.payload);
          if (completion === null) {
            fail(HandshakeError.transport('PROTOCOL', 'unusable token in the reply'));
            return;
          }
          succeed(finish(completion, opts));
          return;
        } else {
          fail(HandshakeError.transport('PROTOCOL', `unexpected reply state ${frame.state}`));
          return;
        }
      }
    });

    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!connected) {
        fail(
          HandshakeError.transport(
            'UNREACHABLE',
            `cannot connect to ${opts.host}:${opts.port} (${err.code ?? err.message})`,
            err,
          ),
        );
      } else {
        fail(
          HandshakeError.transport(
            'PROTOCOL',
            `connection failed during the handshake (${err.code ?? err.message})`,
            err,
          ),
        );
      }
    });

    socket.on('close', () => {
      const what = sawOk ? 'after OK but before the token' : 'before answering';
      fail(HandshakeError.transport('PROTOCOL', `the server closed the connection ${what}`));
    });
  });
}
