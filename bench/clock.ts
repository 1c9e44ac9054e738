// One clock for every process of a bench run. process.hrtime() reads CLOCK_MONOTONIC on Linux, which
// is system-wide, so a timestamp taken in a generator worker can be compared with one taken in
// another worker: that is what makes one-way latency measurable across processes.

/** Monotonic microseconds, comparable between processes on the same machine. */
export function nowMicros(): number {
  const t = process.hrtime();
  return t[0] * 1_000_000 + Math.floor(t[1] / 1_000);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sleeps until the given nowMicros() instant (returns at once if it has passed). */
export function sleepUntil(atMicros: number): Promise<void> {
  const ms = (atMicros - nowMicros()) / 1_000;
  return ms > 0 ? sleep(ms) : Promise.resolve();
}
