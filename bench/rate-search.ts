// The search --find-max runs: step the per-user rate up through multiples of the start rate until a
// step fails, then halve the gap between the last rate that passed and the first that failed
// `refine` times. The measuring is the caller's (`tryRate`); this only decides which rate is next.

/** Multipliers of the start rate (0.5 → 0.5, 1, 1.5, 2, 2.5, 3, 4, 5, ...). */
export const FIND_MAX_STEPS = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 40, 50, 64];

/** Returns the highest rate that passed (0 if none did). */
export async function searchMaxRate(
  startRate: number,
  refine: number,
  tryRate: (rate: number, refining: boolean) => Promise<boolean>,
): Promise<number> {
  let best = 0;
  let failed: number | null = null;
  for (const k of FIND_MAX_STEPS) {
    const rate = startRate * k;
    if (!(await tryRate(rate, false))) {
      failed = rate;
      break;
    }
    best = rate;
  }
  for (let i = 0; i < refine && failed !== null && best > 0; i++) {
    const rate = Math.round(((best + failed) / 2) * 10_000) / 10_000;
    if (await tryRate(rate, true)) best = rate;
    else failed = rate;
  }
  return best;
}
