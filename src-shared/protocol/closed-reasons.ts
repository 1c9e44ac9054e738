// Why a room ended for one of its members, written once. The server announces four reasons on the
// wire (a code in the CLOSED event, a notice for plain members); the client and the app add reasons
// only they know. Every type, validator, lookup and label elsewhere derives from this table.

export const CLOSED_REASONS = [
  {
    name: 'by-host',
    origin: 'server',
    key: 'BY_HOST',
    code: 0,
    notice: 'the host closed the room',
    label: 'The host closed this room.',
  },
  {
    name: 'host-left',
    origin: 'server',
    key: 'HOST_LEFT',
    code: 1,
    notice: 'the room closed: the host left',
    label: 'The room closed because the host left.',
  },
  {
    name: 'host-timed-out',
    origin: 'server',
    key: 'HOST_TIMED_OUT',
    code: 2,
    notice: 'the room closed: the host timed out',
    label: 'The host is gone: the room closed after the host timed out.',
  },
  {
    name: 'server-shutdown',
    origin: 'server',
    key: 'SERVER_SHUTDOWN',
    code: 3,
    notice: 'the room closed: the server is shutting down',
    label: 'The room closed because the server shut down.',
  },
  // The client stopped on its own: we left, reconnecting failed, or the server dropped us.
  { name: 'left', origin: 'client', label: 'You left this room.' },
  { name: 'gave-up', origin: 'client', label: 'The host is gone: reconnecting failed.' },
  // The host removed us (REMOVED, or the plain notice PLAIN_REMOVED_NOTICE): our token is revoked.
  { name: 'kicked', origin: 'client', label: 'The host removed you from this room.' },
  // The server told us it dropped our session for silence (our heartbeats did not reach it in time).
  { name: 'timed-out', origin: 'client', label: 'You timed out: the server heard nothing from you in time.' },
  // Only the app knows this one: the (re)join itself did not succeed.
  { name: 'failed', origin: 'app', label: 'Rejoining failed.' },
] as const;

type Entry = (typeof CLOSED_REASONS)[number];
type ServerEntry = Extract<Entry, { origin: 'server' }>;

/** Every reason a room session can end with (what the UI shows). */
export type ClosedReasonName = Entry['name'];
/** The reasons the chat client reports in its 'closed' event. */
export type ClientClosedReason = Exclude<Entry, { origin: 'app' }>['name'];
/** The reasons the server announces. */
export type ServerClosedReason = ServerEntry['name'];

/** Wire codes of the CLOSED event, by key (ClosedReason.HOST_LEFT === 1). */
export const ClosedReason = Object.freeze(
  Object.fromEntries(CLOSED_REASONS.filter(isServerEntry).map((r) => [r.key, r.code])),
) as { readonly [E in ServerEntry as E['key']]: E['code'] };
export type ClosedReasonCode = ServerEntry['code'];

/** The names as a non-empty tuple, for z.enum. */
export const CLOSED_REASON_NAMES = CLOSED_REASONS.map((r) => r.name) as [ClosedReasonName, ...ClosedReasonName[]];

/** What the UI says for each reason. */
export const CLOSED_REASON_LABEL = Object.freeze(
  Object.fromEntries(CLOSED_REASONS.map((r) => [r.name, r.label])),
) as Readonly<Record<ClosedReasonName, string>>;

function isServerEntry(entry: Entry): entry is ServerEntry {
  return entry.origin === 'server';
}

const BY_CODE = new Map<number, ServerEntry>(CLOSED_REASONS.filter(isServerEntry).map((r) => [r.code, r]));
const BY_NOTICE = new Map<string, ServerEntry>(CLOSED_REASONS.filter(isServerEntry).map((r) => [r.notice, r]));
const SERVER_NAMES = new Set<string>(CLOSED_REASONS.filter(isServerEntry).map((r) => r.name));

export function isClosedReasonCode(code: number): code is ClosedReasonCode {
  return BY_CODE.has(code);
}

/** The name of a wire code, or null for a code this version does not know. */
export function closedReasonName(code: ClosedReasonCode): ServerClosedReason;
export function closedReasonName(code: number): ServerClosedReason | null;
export function closedReasonName(code: number): ServerClosedReason | null {
  return BY_CODE.get(code)?.name ?? null;
}

/** The plain dialect's notice text for a wire code (without the "* " prefix). */
export function closedReasonNotice(code: ClosedReasonCode): string {
  return (BY_CODE.get(code) as ServerEntry).notice;
}

/** The reason a plain notice announces (text after "* "), or null when it announces no close. */
export function closedReasonFromNotice(notice: string): ServerClosedReason | null {
  return BY_NOTICE.get(notice)?.name ?? null;
}

/** True for the reasons that are the room's end (announced by the server), not the client's own. */
export function isServerClosedReason(name: string): name is ServerClosedReason {
  return SERVER_NAMES.has(name);
}
