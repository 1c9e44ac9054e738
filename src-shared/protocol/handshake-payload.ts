// Payloads of the three TCRP states, in every variant we accept and the forms we send.
import { parseCipherOffer, type CipherOffer } from './cipher-offer.js';
import { PASSWORD_MAX_BYTES, TOKEN_MAX_BYTES } from './limits.js';
import { parseSealedSessionInfo, type SealedSessionInfo } from './sealed.js';
import type { Role } from './session-kinds.js';
import { utf8ByteLength, utf8DecodeStrict, utf8Encode } from './utf8.js';

/**
 * Highest version of the Tincan dialect this code speaks. A client offers its highest version
 * (`"tincan": 2`); the server answers min(offered, its own) in the completion, and both sides then
 * speak that version (PROTOCOL.md "Versions"). Version 2 adds RECONNECTED and CHAT_ERROR; version 3
 * tells each member's connection (plain or encrypted) in MEMBERS, JOINED and RECONNECTED.
 */
export const TINCAN_DIALECT_VERSION = 3;

/** The version both sides speak after `offered` (0: plain) meets this code's highest. */
export function negotiateDialect(offered: number): number {
  return Math.min(offered, TINCAN_DIALECT_VERSION);
}

export interface HandshakeRequest {
  username: string;
  /** Empty string means "no password". */
  password: string;
  /** Dialect version the client offered (a positive integer), or 0 for a plain client. */
  dialect: number;
  /** Token from an earlier session of the same member, offered to resume it instead of colliding with it. */
  resume: string | null;
  /**
   * Tincan only: the client takes a catch-up of the room's recent chat (`"catchup": 1`), and, when
   * it resumes a session, the last room sequence it has already seen (`"since"`), so only newer
   * entries are sent. Absent: no catch-up.
   */
  catchUp?: { since: number };
  /**
   * Tincan only: the seat's resume proof as 64 lowercase hex digits (PROTOCOL.md, "Encrypted
   * transport"); only ever sent inside TLS.
   */
  proof?: string;
  /** Tincan only: the client shows typing indicators (`"typing": 1`), so TYPING events may be relayed to it. */
  typing?: boolean;
  /** Tincan only, on create: the room admits encrypted members only (`"encryptedOnly": 1`). */
  encryptedOnly?: boolean;
  /**
   * Tincan only: the `ciphers` field as read (the client's sealed-datagram ciphers, most preferred
   * first), or why it is malformed. Only a request inside TLS acts on it (PROTOCOL.md §8).
   */
  ciphers?: CipherOffer;
}

/** Why a request payload was refused (logged with BAD_REQUEST). */
export const REQUEST_PROBLEMS = [
  'invalid-utf8',
  'bad-json',
  'no-username',
  'bad-password',
  'bad-field',
  'bad-dialect',
] as const;
export type RequestProblem = (typeof REQUEST_PROBLEMS)[number];

/**
 * The offered dialect version: absent (or null) is plain; a positive integer is an offer; anything
 * else (`true`, `"1"`, 0, 1.5) is refused, so a mistaken offer never silently gives the plain dialect.
 */
function offeredDialect(value: unknown): number | null {
  if (value === undefined || value === null) return 0;
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : null;
}

function pickString(obj: Record<string, unknown>, keys: readonly string[]): string | undefined | null {
  for (const key of keys) {
    if (!(key in obj)) continue;
    const value = obj[key];
    if (typeof value === 'string') return value;
    if (value === null || value === undefined) return undefined;
    return null; // present but not a string
  }
  return undefined;
}

/**
 * Parses a state-0 payload. Accepted forms: a JSON object `{"username", "password"}` (also `name`/`user`
 * and `pass`; extra fields ignored), a JSON string (the username), or plain UTF-8 text (the username,
 * surrounding whitespace and line breaks trimmed). Never throws.
 */
export function parseRequestPayload(bytes: Uint8Array): HandshakeRequest | RequestProblem {
  const text = utf8DecodeStrict(bytes);
  if (text === null) return 'invalid-utf8';
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      return 'bad-json';
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'bad-json';
    const obj = value as Record<string, unknown>;
    const username = pickString(obj, ['username', 'name', 'user']);
    if (username === null || username === undefined) return 'no-username';
    const password = pickString(obj, ['password', 'pass']);
    if (password === null) return 'bad-password';
    if (password !== undefined && utf8ByteLength(password) > PASSWORD_MAX_BYTES) return 'bad-password';
    const dialect = offeredDialect(obj['tincan']);
    if (dialect === null) return 'bad-dialect';
    const resume = pickString(obj, ['resume']);
    if (resume === null) return 'bad-field';
    const request: HandshakeRequest = { username, password: password ?? '', dialect, resume: resume ?? null };
    if (dialect > 0 && obj['catchup'] === 1) {
      const since = obj['since'];
      const valid = typeof since === 'number' && Number.isInteger(since) && since >= 0 && since <= 0xffff_ffff;
      request.catchUp = { since: valid ? since : 0 };
    }
    const proof = obj['proof'];
    if (dialect > 0 && typeof proof === 'string' && proof.length <= 128) request.proof = proof;
    if (dialect > 0 && obj['typing'] === 1) request.typing = true;
    if (dialect > 0 && obj['encryptedOnly'] === 1) request.encryptedOnly = true;
    if (dialect > 0 && obj['ciphers'] !== undefined) request.ciphers = parseCipherOffer(obj['ciphers']);
    return request;
  }
  if (trimmed.startsWith('"')) {
    try {
      const value: unknown = JSON.parse(trimmed);
      if (typeof value === 'string') return { username: value, password: '', dialect: 0, resume: null };
    } catch {
      // fall through: a name that merely starts with a quote is still a plain name
    }
  }
  if (trimmed.length === 0) return 'no-username';
  return { username: trimmed, password: '', dialect: 0, resume: null };
}

/** The JSON request our client sends. */
export function encodeRequestPayload(req: {
  username: string;
  password?: string;
  dialect?: number;
  resume?: string | null;
  catchUp?: { since: number } | null;
  proof?: string | null;
  typing?: boolean;
  encryptedOnly?: boolean;
  ciphers?: readonly number[] | null;
}): Uint8Array {
  const body: Record<string, unknown> = { username: req.username, password: req.password ?? '' };
  if (req.dialect) body['tincan'] = req.dialect;
  if (req.resume) body['resume'] = req.resume;
  if (req.dialect && req.resume && req.proof) body['proof'] = req.proof;
  if (req.dialect && req.catchUp) {
    body['catchup'] = 1;
    if (req.catchUp.since > 0) body['since'] = req.catchUp.since;
  }
  if (req.dialect && req.typing) body['typing'] = 1;
  if (req.dialect && req.encryptedOnly) body['encryptedOnly'] = 1;
  if (req.dialect && req.ciphers && req.ciphers.length > 0) body['ciphers'] = req.ciphers;
  return utf8Encode(JSON.stringify(body));
}

/** State-1 payload: the status as one unsigned byte. */
export function encodeStatusPayload(status: number): Uint8Array {
  return Uint8Array.of(status & 0xff);
}

/**
 * Reads a state-1 payload from any server: one byte (the norm), ASCII digits (one or more), a JSON number or
 * `{"status": n}` / `{"code": n}`, or a big-endian integer of 2 or 4 bytes. Returns null if none fits.
 */
export function parseStatusPayload(bytes: Uint8Array): number | null {
  if (bytes.length === 1) {
    const byte = bytes[0] as number;
    // A lone '0'..'9' is an ASCII digit: no status uses the byte values 0x30..0x39, and some servers write "0".
    return byte >= 0x30 && byte <= 0x39 ? byte - 0x30 : byte;
  }
  if (bytes.length === 0) return null;
  const text = utf8DecodeStrict(bytes)?.trim();
  if (text !== undefined && /^\d{1,5}$/.test(text)) return Number(text);
  if (text?.startsWith('{')) {
    try {
      const obj = JSON.parse(text) as Record<string, unknown>;
      const code = obj['status'] ?? obj['code'];
      if (typeof code === 'number' && Number.isInteger(code)) return code;
    } catch {
      // not JSON after all
    }
  }
  if (bytes.length === 2) return ((bytes[0] as number) << 8) | (bytes[1] as number);
  if (bytes.length === 4) return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
  return null;
}

/** What a Tincan server tells a client that negotiated the dialect, in the state-2 payload. */
export interface SessionInfo {
  tincan: number;
  token: string;
  role: Role;
  /** How often the client should send a heartbeat. */
  heartbeatMs: number;
  /** Silence after which the server drops a member. */
  inactivityMs: number;
  /** Longest chat text, in UTF-8 bytes, the server relays whole. */
  maxTextBytes: number;
  /** True when the request's `resume` token took over an earlier session of the same member. */
  resumed?: boolean;
  /** Messages of the room new members see (catch-up); sent only to a client that asked for it. */
  history?: number;
  /** Present when the member's datagrams are sealed (PROTOCOL.md "Sealed datagrams (v1)"). */
  sealed?: SealedSessionInfo;
  /** The server relays typing indicators to this session; said only to a client that offered them. */
  typing?: boolean;
  /** The room admits encrypted members only (said only when it does). */
  encryptedOnly?: boolean;
}

export function encodeSessionInfo(info: SessionInfo): Uint8Array {
  return utf8Encode(JSON.stringify(info));
}

export type Completion =
  { kind: 'plain'; token: Uint8Array } | { kind: 'tincan'; token: Uint8Array; info: SessionInfo };

/**
 * Reads a state-2 payload: the session info JSON from a Tincan server that accepted our dialect,
 * otherwise the raw token bytes (1..255). Returns null for an unusable payload.
 */
export function parseCompletionPayload(bytes: Uint8Array): Completion | null {
  if (bytes.length > 0 && bytes[0] === 0x7b /* { */) {
    const text = utf8DecodeStrict(bytes);
    if (text !== null) {
      try {
        const obj = JSON.parse(text) as Partial<SessionInfo>;
        if (
          typeof obj.tincan === 'number' &&
          Number.isSafeInteger(obj.tincan) &&
          obj.tincan > 0 &&
          typeof obj.token === 'string' &&
          obj.token.length > 0 &&
          utf8ByteLength(obj.token) <= TOKEN_MAX_BYTES
        ) {
          const info: SessionInfo = {
            tincan: obj.tincan,
            token: obj.token,
            role: obj.role === 'host' ? 'host' : 'member',
            heartbeatMs: positiveOr(obj.heartbeatMs, 10_000),
            inactivityMs: positiveOr(obj.inactivityMs, 60_000),
            maxTextBytes: positiveOr(obj.maxTextBytes, 3800),
          };
          if (obj.resumed === true) info.resumed = true;
          if (typeof obj.history === 'number' && Number.isInteger(obj.history) && obj.history > 0)
            info.history = obj.history;
          const sealed = parseSealedSessionInfo(obj.sealed);
          if (sealed !== null) info.sealed = sealed;
          if (obj.typing === true) info.typing = true;
          if (obj.encryptedOnly === true) info.encryptedOnly = true;
          return { kind: 'tincan', token: utf8Encode(info.token), info };
        }
      } catch {
        // a token that merely starts with "{"
      }
    }
  }
  if (bytes.length === 0 || bytes.length > TOKEN_MAX_BYTES) return null;
  return { kind: 'plain', token: bytes.slice() };
}

function positiveOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}
