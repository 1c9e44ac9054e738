// The plain dialect: what a client that speaks only the spec sends and receives. Everything is
// readable UTF-8 text; chat is `name: text` and notices start with "* ".
import { closedReasonNotice, type ClosedReasonCode } from './closed-reasons.js';
import { leftReasonNotice, type LeftReasonCode } from './left-reasons.js';

/** Text commands a plain client may send instead of the structured LEAVE and CLOSE_ROOM. */
export const PLAIN_COMMAND_LEAVE = '/leave';
export const PLAIN_COMMAND_CLOSE = '/close';

export const NOTICE_PREFIX = '* ';

/** What a plain member the host removed is told (after "* "); its token is revoked right after. */
export const PLAIN_REMOVED_NOTICE = 'you were removed from the room by the host';

export function plainJoinedNotice(name: string): string {
  return `${NOTICE_PREFIX}${name} joined the room`;
}

export function plainLeftNotice(name: string, reason: LeftReasonCode): string {
  return `${NOTICE_PREFIX}${name} ${leftReasonNotice(reason)}`;
}

export function plainClosedNotice(reason: ClosedReasonCode): string {
  return `${NOTICE_PREFIX}${closedReasonNotice(reason)}`;
}

export type PlainLine =
  { kind: 'chat'; sender: string; text: string } | { kind: 'notice'; text: string } | { kind: 'text'; text: string };

// A sender is 1..64 characters without a colon or line break, followed by ": ".
const CHAT_LINE = /^([^:\r\n]{1,64}): ([\s\S]*)$/u;

/**
 * Interprets a datagram from a server that speaks the plain dialect. Servers differ, so this only
 * recognises `name: text` and `* notice`; anything else is shown as it came.
 */
export function parsePlainLine(text: string): PlainLine {
  if (text.startsWith(NOTICE_PREFIX)) return { kind: 'notice', text: text.slice(NOTICE_PREFIX.length) };
  const m = CHAT_LINE.exec(text);
  if (m) return { kind: 'chat', sender: m[1] as string, text: m[2] as string };
  return { kind: 'text', text };
}
