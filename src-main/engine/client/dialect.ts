// What differs between a session with a server that negotiated the Tincan dialect and one with a
// server that speaks only the plain spec: how chat and goodbyes are encoded, how often to send a
// keep-alive, whether the server answers it, and the largest text it takes. The client asks these
// rules instead of testing the dialect at every step.
import {
  encodeClientControl,
  MESSAGE_TEXT_MAX_BYTES,
  PLAIN_COMMAND_CLOSE,
  PLAIN_COMMAND_LEAVE,
  utf8Encode,
} from '../../../src-shared/protocol/index.js';
import type { HandshakeResult } from './handshake.js';
import type { Dialect } from './types.js';

export interface DialectRules {
  readonly name: Dialect;
  /** Keep-alive interval: the server's word (Tincan) or the client's option (plain). */
  readonly heartbeatMs: number;
  /** Largest chat text the server takes. */
  readonly maxTextBytes: number;
  /**
   * The server acknowledges chat, answers heartbeats and HELLO (member lists), and sends structured
   * events. A plain server answers nothing but chat and notices.
   */
  readonly answers: boolean;
  /** The message for one chat line; `id` is what 'delivered' reports when the server answers. */
  chat(text: Uint8Array, id: number): Uint8Array;
  /** The message that leaves the room, or closes it for everyone (host only). */
  goodbye(kind: 'leave' | 'close-room'): Uint8Array;
  /** The keep-alive message: a HEARTBEAT the server answers, or an empty message (plain). */
  keepAlive(nonce: number): Uint8Array;
  /** A chat line under our own name can only be a plain server echoing what we sent. */
  isOwnEcho(from: string, username: string): boolean;
}

const TINCAN_RULES = {
  name: 'tincan',
  answers: true,
  chat: (text: Uint8Array, id: number): Uint8Array => encodeClientControl({ kind: 'chat', id, text }),
  goodbye: (kind: 'leave' | 'close-room'): Uint8Array => encodeClientControl({ kind }),
  keepAlive: (nonce: number): Uint8Array => encodeClientControl({ kind: 'heartbeat', nonce }),
  isOwnEcho: (): boolean => false,
} as const;

const PLAIN_RULES = {
  name: 'plain',
  answers: false,
  chat: (text: Uint8Array): Uint8Array => text,
  goodbye: (kind: 'leave' | 'close-room'): Uint8Array =>
    utf8Encode(kind === 'leave' ? PLAIN_COMMAND_LEAVE : PLAIN_COMMAND_CLOSE),
  keepAlive: (): Uint8Array => new Uint8Array(0),
  isOwnEcho: (from: string, username: string): boolean => from === username,
} as const;

/** The rules for the session a handshake opened; `plainHeartbeatMs` is the client's own interval. */
export function dialectRules(result: HandshakeResult, plainHeartbeatMs: number): DialectRules {
  if (result.kind === 'tincan') {
    return { ...TINCAN_RULES, heartbeatMs: result.info.heartbeatMs, maxTextBytes: result.info.maxTextBytes };
  }
  return { ...PLAIN_RULES, heartbeatMs: plainHeartbeatMs, maxTextBytes: MESSAGE_TEXT_MAX_BYTES };
}
