// Dates for the message list: the day a line belongs to (local time), the separator's label and the
// full date and time shown on hover.

/** A number that is equal for two times on the same local day. */
export function dayKey(at: number): number {
  const d = new Date(at);
  return d.getFullYear() * 10_000 + d.getMonth() * 100 + d.getDate();
}

export function formatDay(at: number, now: number = Date.now()): string {
  const key = dayKey(at);
  if (key === dayKey(now)) return 'Today';
  if (key === dayKey(now - 86_400_000)) return 'Yesterday';
  return new Date(at).toLocaleDateString(undefined, {
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  });
}

export function formatFull(at: number): string {
  return new Date(at).toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'medium' });
}

/** Lines from one sender closer together than this share one header. */
export const GROUP_GAP_MS = 5 * 60_000;
