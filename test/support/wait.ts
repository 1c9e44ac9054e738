// Waiting in tests: for a condition, or (deliberately, and named as such) for time to pass.

export interface WaitOptions {
  /** Give up after this long (default 2 s). */
  timeoutMs?: number;
  /** How often to look (default 10 ms). */
  everyMs?: number;
  /** What is awaited, for the timeout message (default: the condition's source). */
  what?: string;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it is true; throws, naming what it waited for, if still false at the timeout. */
export async function waitUntil(check: () => boolean, opts: WaitOptions = {}): Promise<void> {
  if (!(await becomesTrue(check, opts))) {
    throw new Error(`timed out after ${opts.timeoutMs ?? 2_000} ms waiting until ${opts.what ?? String(check)}`);
  }
}

/**
 * Polls `check` until it is true or the timeout passes, and says which: for tests that assert on the
 * outcome themselves (`expect(await becomesTrue(…)).toBe(true)`).
 */
export async function becomesTrue(check: () => boolean, opts: WaitOptions = {}): Promise<boolean> {
  const deadline = Date.now() + (opts.timeoutMs ?? 2_000);
  while (!check()) {
    if (Date.now() >= deadline) return false;
    await pause(opts.everyMs ?? 10);
  }
  return true;
}

/**
 * Lets `ms` of wall-clock time pass, on purpose. Only for proving that something did NOT happen
 * (no datagram, no timeout, no reconnect) or for giving a timer under test room to fire; `why` says
 * which, so the wait reads as a decision rather than a guess.
 */
export function letTimePass(ms: number, why: string): Promise<void> {
  void why; // documentation at the call site
  return pause(ms);
}
