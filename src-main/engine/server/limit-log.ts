// One log line per window when the abuse limits refuse requests: how many, by limit, from how many
// sources, and the busiest source. A flood must not turn into a flood of log lines.
import type { Logger } from '../log.js';

export type LimitName = 'hash-budget' | 'hash-queue' | 'hash-source-busy' | 'creates' | 'enumeration';

export class LimitLog {
  private counts = new Map<LimitName, number>();
  private sources = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  /** Summary lines written so far. */
  notes = 0;

  constructor(
    private readonly log: Logger,
    private readonly windowMs = 10_000,
  ) {}

  /** Counts one refusal; the first in a window schedules the window's summary. */
  tripped(limit: LimitName, source: string): void {
    this.counts.set(limit, (this.counts.get(limit) ?? 0) + 1);
    // Bounded: past 10,000 distinct sources in one window the rest count only in the totals.
    if (this.sources.size < 10_000 || this.sources.has(source))
      this.sources.set(source, (this.sources.get(source) ?? 0) + 1);
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.windowMs);
    this.timer.unref();
  }

  /** Writes the pending summary now (also on close, so the last window is not lost). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.counts.size === 0) return;
    let top = '';
    let topCount = 0;
    for (const [source, n] of this.sources) {
      if (n > topCount) [top, topCount] = [source, n];
    }
    this.log.warn('limits-tripped', {
      windowMs: this.windowMs,
      ...Object.fromEntries(this.counts),
      sources: this.sources.size,
      top,
      topCount,
    });
    this.notes++;
    this.counts = new Map();
    this.sources = new Map();
  }
}
