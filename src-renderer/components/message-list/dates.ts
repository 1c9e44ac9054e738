// Dates for the message list: the day a line belongs to (local time), the separator's label, the
// time on each line and the full date and time shown on hover. The formatters are built once:
// toLocale*String with options builds a new one per call, which is slow for every row mounted.

const CLOCK = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const DAY = new Intl.DateTimeFormat(undefined, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
const FULL = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' });

export function formatClock(at: number): string {
  return CLOCK.format(at);
}

/** A number that is equal for two times on the same local day. */
export function dayKey(at: number): number {
  const d = new Date(at);
  return d.getFullYear() * 10_000 + d.getMonth() * 100 + d.getDate();
}

export function formatDay(at: number, now: number = Date.now()): string {
  const key = dayKey(at);
  if (key === dayKey(now)) return 'Today';
  if (key === dayKey(now - 86_400_000)) return 'Yesterday';
  return DAY.format(at);
}

export function formatFull(at: number): string {
  return FULL.format(at);
}

/** Lines from one sender closer together than this share one header. */
export const GROUP_GAP_MS = 5 * 60_000;
