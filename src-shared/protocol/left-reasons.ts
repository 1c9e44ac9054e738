// Why a member left a room, written once: the wire code of the LEFT event, the name every layer uses,
// and the plain dialect's notice ("* <name> <notice>"). Types and lookups elsewhere derive from it.

export const LEFT_REASONS = [
  { name: 'left', origin: 'server', key: 'LEFT', code: 0, notice: 'left the room' },
  { name: 'timed-out', origin: 'server', key: 'TIMED_OUT', code: 1, notice: 'timed out' },
  { name: 'reconnected', origin: 'server', key: 'RECONNECTED', code: 2, notice: 'reconnected' },
  { name: 'removed', origin: 'server', key: 'REMOVED', code: 3, notice: 'was removed by the host' },
  // Logged and emitted by the server only: an unused token ran out (announced as timed out).
  { name: 'expired', origin: 'server-log' },
] as const;

type Entry = (typeof LEFT_REASONS)[number];
type WireEntry = Extract<Entry, { origin: 'server' }>;

/** Every reason the server logs and emits for a member that is gone. */
export type LeftReasonName = Entry['name'];
/** The reasons on the wire (what the client reports in its 'left' event). */
export type WireLeftReason = WireEntry['name'];

/** Wire codes of the LEFT event, by key (LeftReason.TIMED_OUT === 1). */
export const LeftReason = Object.freeze(
  Object.fromEntries(LEFT_REASONS.filter(isWireEntry).map((r) => [r.key, r.code])),
) as { readonly [E in WireEntry as E['key']]: E['code'] };
export type LeftReasonCode = WireEntry['code'];

function isWireEntry(entry: Entry): entry is WireEntry {
  return entry.origin === 'server';
}

const WIRE = LEFT_REASONS.filter(isWireEntry);
const BY_CODE = new Map<number, WireEntry>(WIRE.map((r) => [r.code, r]));
const NOTICE = Object.fromEntries(
  WIRE.flatMap((r) => [
    [r.name, r.notice],
    [r.code, r.notice],
  ]),
) as Record<LeftReasonCode | WireLeftReason, string>;

export function isLeftReasonCode(code: number): code is LeftReasonCode {
  return BY_CODE.has(code);
}

/** The name of a wire code, or null for a code this version does not know. */
export function leftReasonName(code: LeftReasonCode): WireLeftReason;
export function leftReasonName(code: number): WireLeftReason | null;
export function leftReasonName(code: number): WireLeftReason | null {
  return BY_CODE.get(code)?.name ?? null;
}

/** What follows the member's name in a notice: "left the room", "timed out", "reconnected". */
export function leftReasonNotice(reason: LeftReasonCode | WireLeftReason): string {
  return NOTICE[reason];
}

/** The wire reasons with their notice texts, for recognising a plain server's notices. */
export const LEFT_REASON_NOTICES: readonly { name: WireLeftReason; notice: string }[] = WIRE.map((r) => ({
  name: r.name,
  notice: r.notice,
}));
