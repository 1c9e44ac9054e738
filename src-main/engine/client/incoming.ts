// Turns datagrams from the server into the client's typed events: structured 0xFF events from a Tincan
// server, readable `name: text` / `* notice` lines from a plain one. Pure (no sockets), so it is easy
// to test and never trusts a byte: anything malformed is reported as null and dropped by the caller.
import {
  closedReasonFromNotice,
  closedReasonName,
  decodeServerEvent,
  errorCodeName,
  isControl,
  LEFT_REASON_NOTICES,
  leftReasonName,
  parsePlainLine,
  PLAIN_REMOVED_NOTICE,
  TINCAN_DIALECT_VERSION,
  utf8DecodeLenient,
  type WireLeftReason,
} from '../../../src-shared/protocol/index.js';
import type { ClientEvents, Member } from './types.js';

type LeftWhy = ClientEvents['left'][0]['reason'];
/** The reason a plain notice or a version-1 LEFT gives for a session taken over by its new one. */
const RECONNECTED = 'reconnected';
type ClosedWhy = ClientEvents['closed'][0]['reason'];

export type IncomingEvent =
  | { type: 'message'; from: string; text: string; seq: number | null }
  | { type: 'earlier'; from: string; text: string; seq: number; at: number }
  | { type: 'caught-up'; count: number }
  | { type: 'joined'; member: Member }
  | { type: 'left'; name: string; reason: LeftWhy }
  | { type: 'reconnected'; name: string; plain?: boolean }
  | { type: 'members'; members: Member[] }
  | { type: 'closed'; reason: ClosedWhy }
  | { type: 'pong'; nonce: number }
  | { type: 'delivered'; id: number; seq: number }
  | { type: 'error'; code: string; message: string; chatId?: number }
  | { type: 'notice'; text: string }
  | { type: 'typing'; name: string };

/** A member list never needs more entries than this; a server sending more is ignored past it. */
export const MAX_MEMBERS_ASSEMBLED = 10_000;

// A name in a notice must not contain ':' so that "* a: b joined the room" (chat from a user named
// "* a") cannot pass for a join notice.
const PLAIN_JOINED = /^([^:\r\n]+) joined the room$/u;
// The notice texts hold no regular-expression syntax, so they go into the pattern as they are.
const PLAIN_LEFT: readonly [RegExp, WireLeftReason][] = LEFT_REASON_NOTICES.map(({ name, notice }) => [
  new RegExp(`^([^:\\r\\n]+) ${notice}$`, 'u'),
  name,
]);

export function interpretPlainNotice(notice: string): IncomingEvent {
  if (notice === PLAIN_REMOVED_NOTICE) return { type: 'closed', reason: 'kicked' };
  const closed = closedReasonFromNotice(notice);
  if (closed) return { type: 'closed', reason: closed };
  const joined = PLAIN_JOINED.exec(notice);
  if (joined) return { type: 'joined', member: { name: joined[1] as string, host: false } };
  for (const [pattern, reason] of PLAIN_LEFT) {
    const m = pattern.exec(notice);
    if (m) return leftOrReconnected(m[1] as string, reason);
  }
  return { type: 'notice', text: notice };
}

/** A departure, or (a reason older servers use) a member whose new session took over: not a departure. */
function leftOrReconnected(name: string, reason: WireLeftReason): IncomingEvent {
  return reason === RECONNECTED ? { type: 'reconnected', name } : { type: 'left', name, reason };
}

/** A member as the event told it: the transport bit only when the version carries it. */
function memberOf(entry: { name: string; host: boolean; plain?: boolean }): Member {
  return entry.plain === undefined
    ? { name: entry.name, host: entry.host }
    : { name: entry.name, host: entry.host, plain: entry.plain };
}

export class IncomingDecoder {
  /** Member list being assembled from chunks, or null between lists. */
  private pendingMembers: Member[] | null = null;
  /** The dialect version of the session (0 plain): it decides how structured events read. */
  private version = TINCAN_DIALECT_VERSION;

  /** A new session: its negotiated version from now on, and no half-assembled list from the last one. */
  setVersion(version: number): void {
    this.version = version;
    this.pendingMembers = null;
  }

  /** Interprets one datagram; null when it is malformed, empty, or only part of a member list. */
  decode(bytes: Uint8Array): IncomingEvent | null {
    if (isControl(bytes)) return this.decodeStructured(bytes);
    if (bytes.length > 0 && bytes[0] === 0xff) return null; // a lone 0xFF is neither text nor an event
    return this.decodePlain(bytes);
  }

  private decodeStructured(bytes: Uint8Array): IncomingEvent | null {
    const event = decodeServerEvent(bytes, this.version);
    if (event === null) return null;
    switch (event.kind) {
      case 'chat':
        return { type: 'message', from: event.sender, text: event.text, seq: event.seq };
      case 'history':
        return { type: 'earlier', from: event.sender, text: event.text, seq: event.seq, at: event.at };
      case 'history-end':
        return { type: 'caught-up', count: event.count };
      case 'removed':
        return { type: 'closed', reason: 'kicked' };
      case 'typing':
        return { type: 'typing', name: event.name };
      case 'joined':
        return { type: 'joined', member: memberOf(event) };
      case 'left':
        return leftOrReconnected(event.name, leftReasonName(event.reason));
      case 'reconnected':
        return event.plain === undefined
          ? { type: 'reconnected', name: event.name }
          : { type: 'reconnected', name: event.name, plain: event.plain };
      case 'closed':
        return { type: 'closed', reason: closedReasonName(event.reason) };
      case 'pong':
        return { type: 'pong', nonce: event.nonce };
      case 'ack':
        return { type: 'delivered', id: event.id, seq: event.seq };
      case 'error':
        return { type: 'error', code: errorCodeName(event.code), message: event.message };
      case 'chat-error':
        return { type: 'error', code: errorCodeName(event.code), message: event.message, chatId: event.id };
      case 'members': {
        if (event.first) this.pendingMembers = [];
        if (this.pendingMembers === null) return null; // a middle chunk of a list whose start we lost
        for (const m of event.members) {
          if (this.pendingMembers.length >= MAX_MEMBERS_ASSEMBLED) break;
          this.pendingMembers.push(memberOf(m));
        }
        if (!event.last) return null;
        const members = this.pendingMembers;
        this.pendingMembers = null;
        return { type: 'members', members };
      }
    }
  }

  private decodePlain(bytes: Uint8Array): IncomingEvent | null {
    // Foreign servers may end lines with a newline; strip one. Invalid UTF-8 is shown with U+FFFD.
    const text = utf8DecodeLenient(bytes).replace(/\r?\n$/u, '');
    if (text.length === 0) return null;
    const line = parsePlainLine(text);
    switch (line.kind) {
      case 'chat':
        return { type: 'message', from: line.sender, text: line.text, seq: null };
      case 'notice':
        return interpretPlainNotice(line.text);
      case 'text':
        return { type: 'notice', text: line.text };
    }
  }
}
