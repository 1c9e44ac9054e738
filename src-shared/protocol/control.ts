// The Tincan dialect's structured datagrams. Only members that negotiated the dialect in the handshake
// send or receive them. Every one starts with 0xFF, a byte that never occurs in UTF-8 text, so a
// structured datagram can never be mistaken for chat text and vice versa.
import { ClosedReason, type ClosedReasonCode } from './closed-reasons.js';
import { isLeftReasonCode, type LeftReasonCode } from './left-reasons.js';
import { TINCAN_DIALECT_VERSION } from './handshake-payload.js';
import { PASSWORD_MAX_BYTES } from './limits.js';
import { utf8DecodeStrict, utf8Encode } from './utf8.js';

export const CONTROL_MARKER = 0xff;

/** Client → server kinds. */
export const ClientKind = {
  HELLO: 0x01,
  HEARTBEAT: 0x02,
  LEAVE: 0x03,
  CLOSE_ROOM: 0x04,
  CHAT: 0x05,
  // host tools and typing (PROTOCOL.md §2b)
  KICK: 0x06,
  SET_PASSWORD: 0x07,
  TYPING: 0x08,
} as const;

/** Server → client kinds. */
export const ServerKind = {
  MEMBERS: 0x81,
  CHAT: 0x82,
  JOINED: 0x83,
  LEFT: 0x84,
  CLOSED: 0x85,
  PONG: 0x86,
  ACK: 0x87,
  ERROR: 0x88,
  HISTORY: 0x89,
  HISTORY_END: 0x8a,
  // Dialect version 2 (sent only to members that negotiated it):
  RECONNECTED: 0x8d,
  CHAT_ERROR: 0x8e,
  // host tools and typing (PROTOCOL.md §2b)
  REMOVED: 0x8b,
  TYPING: 0x8c,
} as const;

/** The lowest negotiated dialect version whose members get RECONNECTED and CHAT_ERROR. */
export const DIALECT_WITH_RECONNECTED_AND_CHAT_ERROR = 2;
/**
 * The lowest version told each member's connection: the member byte of MEMBERS, JOINED and
 * RECONNECTED carries MemberFlag bits (PROTOCOL.md "Versions").
 */
export const DIALECT_WITH_MEMBER_TRANSPORT = 3;

/** Bits of a member byte from version 3 on; before it the byte is 1 (host) or 0. */
export const MemberFlag = {
  HOST: 1,
  /** The member's connection is plain: what it sends and receives crosses the network in clear. */
  PLAIN: 2,
} as const;

/** Codes of the ERROR event. */
export const ErrorCode = { BAD_TEXT: 1, NOT_HOST: 2, RATE_LIMITED: 3, TOO_LARGE: 4, EMPTY_TEXT: 5 } as const;
export type ErrorCodeName = keyof typeof ErrorCode;

const ERROR_NAMES = new Map<number, ErrorCodeName>(
  (Object.entries(ErrorCode) as [ErrorCodeName, number][]).map(([name, code]) => [code, name]),
);

/** The name of an ERROR event's code ('NOT_HOST'), or `ERROR_<n>` for a code this version does not know. */
export function errorCodeName(code: number): ErrorCodeName | `ERROR_${number}` {
  return ERROR_NAMES.get(code) ?? `ERROR_${code}`;
}

export type ClientControl =
  | { kind: 'hello' }
  | { kind: 'heartbeat'; nonce: number }
  | { kind: 'leave' }
  | { kind: 'close-room' }
  | { kind: 'chat'; id: number; text: Uint8Array }
  | { kind: 'kick'; name: string }
  /** An empty password clears it. */
  | { kind: 'set-password'; id: number; password: string }
  | { kind: 'typing' };

export interface MemberEntry {
  name: string;
  host: boolean;
  /** Version 3 on: whether the member's connection is plain. Absent when the version does not say. */
  plain?: boolean;
}

export type ServerEvent =
  | { kind: 'members'; first: boolean; last: boolean; members: MemberEntry[] }
  | { kind: 'chat'; seq: number; sender: string; text: string }
  | { kind: 'joined'; name: string; host: boolean; plain?: boolean }
  | { kind: 'left'; name: string; reason: LeftReasonCode }
  | { kind: 'closed'; reason: ClosedReasonCode }
  | { kind: 'pong'; nonce: number }
  | { kind: 'ack'; id: number; seq: number }
  | { kind: 'error'; code: number; message: string }
  | { kind: 'reconnected'; name: string; plain?: boolean }
  | { kind: 'chat-error'; id: number; code: number; message: string }
  | { kind: 'history'; seq: number; at: number; sender: string; text: string }
  | { kind: 'history-end'; count: number }
  | { kind: 'removed' }
  | { kind: 'typing'; name: string };

export function isControl(message: Uint8Array): boolean {
  return message.length >= 2 && message[0] === CONTROL_MARKER;
}

function u32(bytes: Uint8Array, at: number): number {
  return (
    (((bytes[at] as number) << 24) >>> 0) +
    ((bytes[at + 1] as number) << 16) +
    ((bytes[at + 2] as number) << 8) +
    (bytes[at + 3] as number)
  );
}

function putU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = (value >>> 24) & 0xff;
  bytes[at + 1] = (value >>> 16) & 0xff;
  bytes[at + 2] = (value >>> 8) & 0xff;
  bytes[at + 3] = value & 0xff;
}

// ---- client → server -------------------------------------------------------------------------

export function encodeClientControl(msg: ClientControl): Uint8Array {
  switch (msg.kind) {
    case 'hello':
      return Uint8Array.of(CONTROL_MARKER, ClientKind.HELLO);
    case 'leave':
      return Uint8Array.of(CONTROL_MARKER, ClientKind.LEAVE);
    case 'close-room':
      return Uint8Array.of(CONTROL_MARKER, ClientKind.CLOSE_ROOM);
    case 'heartbeat': {
      const out = new Uint8Array(6);
      out[0] = CONTROL_MARKER;
      out[1] = ClientKind.HEARTBEAT;
      putU32(out, 2, msg.nonce);
      return out;
    }
    case 'chat': {
      const out = new Uint8Array(6 + msg.text.length);
      out[0] = CONTROL_MARKER;
      out[1] = ClientKind.CHAT;
      putU32(out, 2, msg.id);
      out.set(msg.text, 6);
      return out;
    }
    case 'kick': {
      const name = utf8Encode(msg.name);
      if (name.length > 0xff) throw new RangeError('name longer than 255 bytes');
      const out = new Uint8Array(3 + name.length);
      out[0] = CONTROL_MARKER;
      out[1] = ClientKind.KICK;
      out[2] = name.length;
      out.set(name, 3);
      return out;
    }
    case 'set-password': {
      const password = utf8Encode(msg.password);
      if (password.length > PASSWORD_MAX_BYTES)
        throw new RangeError(`password longer than ${PASSWORD_MAX_BYTES} bytes`);
      const out = new Uint8Array(6 + password.length);
      out[0] = CONTROL_MARKER;
      out[1] = ClientKind.SET_PASSWORD;
      putU32(out, 2, msg.id);
      out.set(password, 6);
      return out;
    }
    case 'typing':
      return Uint8Array.of(CONTROL_MARKER, ClientKind.TYPING);
  }
}

/** Decodes the message part of a client datagram that starts with 0xFF. Returns null if malformed. */
export function decodeClientControl(message: Uint8Array): ClientControl | null {
  if (message.length < 2 || message[0] !== CONTROL_MARKER) return null;
  switch (message[1]) {
    case ClientKind.HELLO:
      return message.length === 2 ? { kind: 'hello' } : null;
    case ClientKind.LEAVE:
      return message.length === 2 ? { kind: 'leave' } : null;
    case ClientKind.CLOSE_ROOM:
      return message.length === 2 ? { kind: 'close-room' } : null;
    case ClientKind.HEARTBEAT:
      return message.length === 6 ? { kind: 'heartbeat', nonce: u32(message, 2) } : null;
    case ClientKind.CHAT:
      return message.length >= 6 ? { kind: 'chat', id: u32(message, 2), text: message.subarray(6) } : null;
    case ClientKind.KICK: {
      const name = readName(message, 2);
      return name !== null && name.end === message.length && name.name.length > 0
        ? { kind: 'kick', name: name.name }
        : null;
    }
    case ClientKind.SET_PASSWORD: {
      if (message.length < 6 || message.length - 6 > PASSWORD_MAX_BYTES) return null;
      const password = utf8DecodeStrict(message.subarray(6));
      return password === null ? null : { kind: 'set-password', id: u32(message, 2), password };
    }
    case ClientKind.TYPING:
      return message.length === 2 ? { kind: 'typing' } : null;
    default:
      return null;
  }
}

// ---- server → client -------------------------------------------------------------------------

/** Header bytes of a structured chat event before the sender name. */
export const CHAT_EVENT_HEADER_BYTES = 7;

/**
 * Encodes a chat event: [FF][82][seq u32][senderLen][sender][text]. The relay calls this once per
 * message and sends the same bytes to every structured recipient; it rewrites the seq in place.
 */
export function encodeChatEvent(seq: number, sender: Uint8Array, text: Uint8Array): Uint8Array {
  const out = new Uint8Array(CHAT_EVENT_HEADER_BYTES + sender.length + text.length);
  out[0] = CONTROL_MARKER;
  out[1] = ServerKind.CHAT;
  putU32(out, 2, seq);
  out[6] = sender.length;
  out.set(sender, 7);
  out.set(text, 7 + sender.length);
  return out;
}

/** Header bytes of a catch-up entry before the sender name: FF 89 seq(4) time(8) senderLen. */
export const HISTORY_ENTRY_HEADER_BYTES = 15;

/**
 * Writes the header of a catch-up entry at out[offset…): [FF][89][seq u32][time u64 ms]
 * [senderLen]; the sender name and the text follow HISTORY_ENTRY_HEADER_BYTES later. The relay
 * writes those itself, straight from the datagram.
 */
export function writeHistoryHeader(out: Uint8Array, seq: number, at: number, senderLength: number, offset = 0): void {
  out[offset] = CONTROL_MARKER;
  out[offset + 1] = ServerKind.HISTORY;
  putU32(out, offset + 2, seq);
  // Milliseconds since 1970 need 41 bits today: split into two u32 halves, no BigInt per message.
  putU32(out, offset + 6, Math.floor(at / 0x1_0000_0000));
  putU32(out, offset + 10, at >>> 0);
  out[offset + 14] = senderLength;
}

/** A catch-up entry: [FF][89][seq u32][time u64 ms][senderLen][sender][text]. */
export function encodeHistoryEntry(seq: number, at: number, sender: Uint8Array, text: Uint8Array): Uint8Array {
  const out = new Uint8Array(HISTORY_ENTRY_HEADER_BYTES + sender.length + text.length);
  writeHistoryHeader(out, seq, at, sender.length);
  out.set(sender, HISTORY_ENTRY_HEADER_BYTES);
  out.set(text, HISTORY_ENTRY_HEADER_BYTES + sender.length);
  return out;
}

/** Ends a catch-up: [FF][8A][count u16], the number of entries that were sent before it. */
export function encodeHistoryEndEvent(count: number): Uint8Array {
  return Uint8Array.of(CONTROL_MARKER, ServerKind.HISTORY_END, (count >>> 8) & 0xff, count & 0xff);
}

function withName(kind: number, flag: number, name: string): Uint8Array {
  const nameBytes = utf8Encode(name);
  const out = new Uint8Array(4 + nameBytes.length);
  out[0] = CONTROL_MARKER;
  out[1] = kind;
  out[2] = flag;
  out[3] = nameBytes.length;
  out.set(nameBytes, 4);
  return out;
}

/** The member byte: version 3 on (`plain` given) host and transport bits, before it 1 or 0. */
function memberByte(member: { host: boolean; plain?: boolean }): number {
  return (member.host ? MemberFlag.HOST : 0) | (member.plain === true ? MemberFlag.PLAIN : 0);
}

/** [FF][83][member byte][nameLen][name]; pass `plain` only to members of version 3 on. */
export function encodeJoinedEvent(name: string, host: boolean, plain?: boolean): Uint8Array {
  return withName(ServerKind.JOINED, memberByte({ host, plain }), name);
}

export function encodeLeftEvent(name: string, reason: LeftReasonCode): Uint8Array {
  return withName(ServerKind.LEFT, reason, name);
}

export function encodeClosedEvent(reason: ClosedReasonCode): Uint8Array {
  return Uint8Array.of(CONTROL_MARKER, ServerKind.CLOSED, reason);
}

/** Tells a member the host removed it: [FF][8B]. Its token is already revoked. */
export function encodeRemovedEvent(): Uint8Array {
  return Uint8Array.of(CONTROL_MARKER, ServerKind.REMOVED);
}

/** Relays that `name` is typing: [FF][8C][nameLen][name]. */
export function encodeTypingEvent(name: string): Uint8Array {
  const nameBytes = utf8Encode(name);
  const out = new Uint8Array(3 + nameBytes.length);
  out[0] = CONTROL_MARKER;
  out[1] = ServerKind.TYPING;
  out[2] = nameBytes.length;
  out.set(nameBytes, 3);
  return out;
}

export function encodePongEvent(nonce: number): Uint8Array {
  const out = new Uint8Array(6);
  out[0] = CONTROL_MARKER;
  out[1] = ServerKind.PONG;
  putU32(out, 2, nonce);
  return out;
}

/** Bytes of an ACK event. */
export const ACK_EVENT_BYTES = 10;

export function encodeAckEvent(id: number, seq: number): Uint8Array {
  const out = new Uint8Array(ACK_EVENT_BYTES);
  writeAckEvent(out, id, seq);
  return out;
}

/** Writes an ACK event at the start of `out` (≥ ACK_EVENT_BYTES), for a sender that reuses a buffer. */
export function writeAckEvent(out: Uint8Array, id: number, seq: number): void {
  out[0] = CONTROL_MARKER;
  out[1] = ServerKind.ACK;
  putU32(out, 2, id);
  putU32(out, 6, seq);
}

/** Longest explanation an error event carries (UTF-16 units before encoding). */
const ERROR_MESSAGE_MAX = 200;

export function encodeErrorEvent(code: number, message: string): Uint8Array {
  const text = utf8Encode(message.slice(0, ERROR_MESSAGE_MAX));
  const out = new Uint8Array(3 + text.length);
  out[0] = CONTROL_MARKER;
  out[1] = ServerKind.ERROR;
  out[2] = code;
  out.set(text, 3);
  return out;
}

/** Header bytes of a CHAT_ERROR event before its message: FF 8E id(4) code. */
const CHAT_ERROR_HEADER_BYTES = 7;

/** A refused CHAT, named by its id (version 2): [FF][8E][id u32][code u8][UTF-8 message]. */
export function encodeChatErrorEvent(id: number, code: number, message: string): Uint8Array {
  const text = utf8Encode(message.slice(0, ERROR_MESSAGE_MAX));
  const out = new Uint8Array(CHAT_ERROR_HEADER_BYTES + text.length);
  out[0] = CONTROL_MARKER;
  out[1] = ServerKind.CHAT_ERROR;
  putU32(out, 2, id);
  out[6] = code;
  out.set(text, CHAT_ERROR_HEADER_BYTES);
  return out;
}

/**
 * A member's session was taken over by its new one: [FF][8D][nameLen][name] (version 2), or with the
 * new session's member byte first, [FF][8D][member byte][nameLen][name] (version 3 on: pass `member`).
 */
export function encodeReconnectedEvent(name: string, member?: { host: boolean; plain: boolean }): Uint8Array {
  if (member) return withName(ServerKind.RECONNECTED, memberByte(member), name);
  const nameBytes = utf8Encode(name);
  const out = new Uint8Array(3 + nameBytes.length);
  out[0] = CONTROL_MARKER;
  out[1] = ServerKind.RECONNECTED;
  out[2] = nameBytes.length;
  out.set(nameBytes, 3);
  return out;
}

/**
 * Encodes the member list as one or more datagrams of at most `maxBytes` each:
 * [FF][81][flags: 1 first, 2 last][count u16]{[member byte][nameLen u8][name]}… Entries carry their
 * `plain` bit only where given (receivers of version 3 on).
 */
export function encodeMembersEvents(members: readonly MemberEntry[], maxBytes: number): Uint8Array[] {
  const entries = members.map((m) => ({ byte: memberByte(m), name: utf8Encode(m.name) }));
  const out: Uint8Array[] = [];
  let i = 0;
  do {
    let size = 5;
    const start = i;
    while (i < entries.length && size + 2 + (entries[i] as { name: Uint8Array }).name.length <= maxBytes) {
      size += 2 + (entries[i] as { name: Uint8Array }).name.length;
      i++;
    }
    if (i === start && i < entries.length) throw new RangeError('member name larger than a datagram');
    const buf = new Uint8Array(size);
    buf[0] = CONTROL_MARKER;
    buf[1] = ServerKind.MEMBERS;
    buf[2] = (out.length === 0 ? 1 : 0) | (i >= entries.length ? 2 : 0);
    buf[3] = ((i - start) >>> 8) & 0xff;
    buf[4] = (i - start) & 0xff;
    let at = 5;
    for (let j = start; j < i; j++) {
      const e = entries[j] as { byte: number; name: Uint8Array };
      buf[at++] = e.byte;
      buf[at++] = e.name.length;
      buf.set(e.name, at);
      at += e.name.length;
    }
    out.push(buf);
  } while (i < entries.length);
  return out;
}

function readName(bytes: Uint8Array, at: number): { name: string; end: number } | null {
  const len = bytes[at];
  if (len === undefined || at + 1 + len > bytes.length) return null;
  const name = utf8DecodeStrict(bytes.subarray(at + 1, at + 1 + len));
  return name === null ? null : { name, end: at + 1 + len };
}

/** A member byte as `version` defines it: from 3 on, bits (others ignored); before, 1 is the host. */
function readMemberByte(byte: number, version: number): { host: boolean; plain?: boolean } {
  if (version < DIALECT_WITH_MEMBER_TRANSPORT) return { host: byte === 1 };
  return { host: (byte & MemberFlag.HOST) !== 0, plain: (byte & MemberFlag.PLAIN) !== 0 };
}

/**
 * Decodes a server datagram that starts with 0xFF, as dialect `version` (the negotiated one) defines
 * it. Returns null if malformed.
 */
export function decodeServerEvent(bytes: Uint8Array, version = TINCAN_DIALECT_VERSION): ServerEvent | null {
  if (bytes.length < 2 || bytes[0] !== CONTROL_MARKER) return null;
  switch (bytes[1]) {
    case ServerKind.CHAT: {
      if (bytes.length < CHAT_EVENT_HEADER_BYTES) return null;
      const sender = readName(bytes, 6);
      if (!sender) return null;
      const text = utf8DecodeStrict(bytes.subarray(sender.end));
      return text === null ? null : { kind: 'chat', seq: u32(bytes, 2), sender: sender.name, text };
    }
    case ServerKind.HISTORY: {
      if (bytes.length < HISTORY_ENTRY_HEADER_BYTES) return null;
      const sender = readName(bytes, 14);
      if (!sender) return null;
      const text = utf8DecodeStrict(bytes.subarray(sender.end));
      const high = u32(bytes, 6);
      // A time past 2^53 ms is no time a server could send, and would not survive as a number.
      if (text === null || high > 0x1f_ffff) return null;
      const at = high * 0x1_0000_0000 + u32(bytes, 10);
      return { kind: 'history', seq: u32(bytes, 2), at, sender: sender.name, text };
    }
    case ServerKind.HISTORY_END:
      return bytes.length === 4
        ? { kind: 'history-end', count: ((bytes[2] as number) << 8) | (bytes[3] as number) }
        : null;
    case ServerKind.JOINED:
    case ServerKind.LEFT: {
      if (bytes.length < 4) return null;
      const flag = bytes[2] as number;
      const name = readName(bytes, 3);
      if (!name || name.end !== bytes.length) return null;
      if (bytes[1] === ServerKind.JOINED) return { kind: 'joined', name: name.name, ...readMemberByte(flag, version) };
      if (!isLeftReasonCode(flag)) return null;
      return { kind: 'left', name: name.name, reason: flag as LeftReasonCode };
    }
    case ServerKind.CLOSED: {
      const reason = bytes[2];
      if (bytes.length !== 3 || reason === undefined || reason > ClosedReason.SERVER_SHUTDOWN) return null;
      return { kind: 'closed', reason: reason as ClosedReasonCode };
    }
    case ServerKind.REMOVED:
      return bytes.length === 2 ? { kind: 'removed' } : null;
    case ServerKind.TYPING: {
      const name = readName(bytes, 2);
      return name !== null && name.end === bytes.length && name.name.length > 0
        ? { kind: 'typing', name: name.name }
        : null;
    }
    case ServerKind.PONG:
      return bytes.length === 6 ? { kind: 'pong', nonce: u32(bytes, 2) } : null;
    case ServerKind.ACK:
      return bytes.length === 10 ? { kind: 'ack', id: u32(bytes, 2), seq: u32(bytes, 6) } : null;
    case ServerKind.ERROR: {
      if (bytes.length < 3) return null;
      const message = utf8DecodeStrict(bytes.subarray(3));
      return message === null ? null : { kind: 'error', code: bytes[2] as number, message };
    }
    case ServerKind.CHAT_ERROR: {
      if (bytes.length < CHAT_ERROR_HEADER_BYTES) return null;
      const message = utf8DecodeStrict(bytes.subarray(CHAT_ERROR_HEADER_BYTES));
      if (message === null) return null;
      return { kind: 'chat-error', id: u32(bytes, 2), code: bytes[6] as number, message };
    }
    case ServerKind.RECONNECTED: {
      if (version < DIALECT_WITH_MEMBER_TRANSPORT) {
        const name = readName(bytes, 2);
        return name && name.end === bytes.length ? { kind: 'reconnected', name: name.name } : null;
      }
      const flag = bytes[2];
      const name = readName(bytes, 3);
      if (flag === undefined || !name || name.end !== bytes.length) return null;
      return { kind: 'reconnected', name: name.name, plain: readMemberByte(flag, version).plain === true };
    }
    case ServerKind.MEMBERS: {
      if (bytes.length < 5) return null;
      const flags = bytes[2] as number;
      const count = ((bytes[3] as number) << 8) | (bytes[4] as number);
      const members: MemberEntry[] = [];
      let at = 5;
      for (let k = 0; k < count; k++) {
        const byte = bytes[at];
        if (byte === undefined) return null;
        const name = readName(bytes, at + 1);
        if (!name) return null;
        members.push({ name: name.name, ...readMemberByte(byte, version) });
        at = name.end;
      }
      if (at !== bytes.length) return null;
      return { kind: 'members', first: (flags & 1) !== 0, last: (flags & 2) !== 0, members };
    }
    default:
      return null;
  }
}
