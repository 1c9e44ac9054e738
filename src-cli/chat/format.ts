// What the CLI prints for each chat event. Everything that came from the network is made safe for a
// terminal first: one event is exactly one line, and no escape sequence reaches the user's screen.
// Names also go through visibleName, so one from a spec server cannot hide or reorder its line.
import type { ClientEvents, ConnectInfo, ConnectionState, Member } from '../../src-main/engine/index.js';
import { SEALED_CIPHER_NAMES } from '../../src-shared/protocol/cipher-offer.js';
import { isServerClosedReason } from '../../src-shared/protocol/closed-reasons.js';
import { leftReasonNotice, type WireLeftReason } from '../../src-shared/protocol/left-reasons.js';
import { visibleName } from '../../src-shared/protocol/names.js';
import { nameList, roomEncryption } from '../../src-shared/room-encryption.js';

type ClosedReason = ClientEvents['closed'][0]['reason'];

// Line breaks and tabs become spaces (the line stays readable); every other control character,
// ESC included, becomes U+FFFD so nothing can move the cursor or recolour the terminal.
const LINE_BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/gu;
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's whole job
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/gu;

export function safeText(text: string): string {
  return text.replace(LINE_BREAKS, ' ').replace(CONTROLS, '\uFFFD');
}

export function messageLine(from: string, text: string): string {
  return `${safeText(visibleName(from))}: ${safeText(text)}`;
}

/** A line said before we joined (catch-up), marked and with the local time it was said. */
export function earlierLine(from: string, text: string, at: number): string {
  const time = new Date(at);
  const hhmm = `${String(time.getHours()).padStart(2, '0')}:${String(time.getMinutes()).padStart(2, '0')}`;
  return `[earlier ${hhmm}] ${messageLine(from, text)}`;
}

/** Everyone in the room is told how much of it a newcomer will read (nothing when none is kept). */
export function historyLine(history: number | undefined): string | null {
  if (history === undefined || history <= 0) return null;
  return `* new members see the last ${history} message${history === 1 ? '' : 's'}`;
}

/** After the catch-up: where the earlier lines end (nothing when there were none). */
export function caughtUpLine(count: number): string | null {
  if (count === 0) return null;
  return `* ${count} earlier message${count === 1 ? '' : 's'} above`;
}

/**
 * " (host)", " (plain connection)": what a name is followed by in notices and lists. The plain tag
 * only matters on an encrypted connection of our own; on a plain one the whole room is in clear.
 */
function memberTags(member: Member, tagPlain: boolean): string {
  return `${member.host ? ' (host)' : ''}${tagPlain && member.plain === true ? ' (plain connection)' : ''}`;
}

export function joinedLine(member: Member, tagPlain = false): string {
  return `* ${safeText(visibleName(member.name))}${memberTags(member, tagPlain)} joined the room`;
}

/** A departure, or 'reconnected': a member that came back (the client's 'reconnected' event). */
export function leftLine(name: string, reason: WireLeftReason): string {
  return `* ${safeText(visibleName(name))} ${leftReasonNotice(reason)}`;
}

/** Free text from a plain server: shown as a notice, without doubling a "* " it already has. */
export function noticeLine(text: string): string {
  const clean = safeText(text);
  return clean.startsWith('* ') ? clean : `* ${clean}`;
}

// The CLI's own wording (terser than the UI's labels); one line per reason the client reports.
const CLOSED_LINE: Record<ClosedReason, string> = {
  'by-host': '* room closed by the host',
  'host-left': '* room closed: the host left',
  'host-timed-out': '* room closed: the host timed out',
  'server-shutdown': '* room closed: the server is shutting down',
  'gave-up': '* lost the connection to the server; gave up reconnecting',
  kicked: '* you were removed by the host',
  'timed-out': '* you timed out: the server heard nothing from this client in time',
  left: '* you left the room',
};

export function closedLine(reason: ClosedReason): string {
  return CLOSED_LINE[reason];
}

/** Closed for a reason that is the room's end (for us, too, when the host removed us), not ours: exit code 3. */
export function isRoomClosed(reason: ClosedReason): boolean {
  return isServerClosedReason(reason) || reason === 'kicked';
}

/** A line for a connection state change, or null when there is nothing worth saying. */
export function stateLine(
  state: ConnectionState,
  detail: { attempt?: number; reason?: string },
  wasReconnecting: boolean,
): string | null {
  if (state === 'reconnecting') {
    const attempt = detail.attempt !== undefined ? ` (attempt ${detail.attempt})` : '';
    const reason = detail.reason ? `: ${safeText(detail.reason)}` : '';
    return `* reconnecting${attempt}…${reason}`;
  }
  if (state === 'connected' && wasReconnecting) return '* reconnected';
  return null;
}

export function membersLine(members: readonly Member[], tagPlain = false): string {
  if (members.length === 0) return '* no member list yet';
  const names = members.map((m) => `${safeText(visibleName(m.name))}${memberTags(m, tagPlain)}`);
  return `* ${members.length} in the room: ${names.join(', ')}`;
}

/** The room's encryption as /members says it (src-shared/room-encryption.ts: one rule with the app). */
export function encryptionLine(transport: 'tls' | 'plain', members: readonly Member[]): string {
  const state = roomEncryption(transport === 'tls' ? 'encrypted' : 'plain', members);
  if (state === null) return '';
  const detail =
    state.level === 'partly'
      ? `${nameList(state.plainMembers.map(safeText))} ${state.plainMembers.length === 1 ? 'is' : 'are'} on a plain connection: what the room says reaches them in clear.`
      : state.detail;
  return `* ${state.label}: ${detail}`;
}

/** After "connected to room": a connection in clear says so, and why (nothing when encrypted). */
export function plainNote(info: ConnectInfo): string {
  if (info.dialect === 'plain') return ' (the server speaks the plain protocol)';
  if (info.transport === 'plain') return ' (in clear: the server does not speak TLS)';
  return '';
}

/** An encrypted connection says what protects it, on a line of its own. */
export function encryptedLine(info: ConnectInfo): string | null {
  if (info.transport !== 'tls') return null;
  const sealed = info.cipher !== undefined ? `, chat sealed with ${SEALED_CIPHER_NAMES[info.cipher]}` : '';
  return `* encrypted: TLS 1.3${sealed}`;
}

/**
 * Trust on first use, said out loud (as ssh does): the certificate was accepted only because this
 * address had none on record, so the user should compare it with the one the host sees.
 */
export function firstUseLine(address: string, info: ConnectInfo, remembered: boolean): string | null {
  if (info.trust !== 'first-use' || info.fingerprint === null) return null;
  const scope = remembered ? 'from now on' : 'for this run';
  return `* first connection to ${address}: its certificate ${info.fingerprint} will be expected ${scope}; check it against the fingerprint the host shows`;
}

export const CHAT_COMMANDS_HELP = [
  '* /members  who is in the room',
  '* /leave    leave the room (the host leaving closes it)',
  '* /close    close the room for everyone (host only)',
  '* /kick NAME  remove a member from the room (host only; they may join again)',
  '* /password   change the password new members need, empty clears it (host only)',
  '* /help     this list',
  '* //text    send a message that starts with "/"',
];
