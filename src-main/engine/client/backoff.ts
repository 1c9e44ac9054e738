// Reconnect delays: exponential from `baseMs`, capped at `maxMs`, with ±20 % jitter so that every
// client of a restarted server does not knock at the same instant.
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
}

/** Delay before reconnect attempt `attempt` (1-based). */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const nominal = Math.min(opts.baseMs * 2 ** exponent, opts.maxMs);
  const jitter = 0.8 + 0.4 * (opts.random ?? Math.random)();
  return Math.round(Math.min(nominal * jitter, opts.maxMs));
}
