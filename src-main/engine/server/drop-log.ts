// Rate-limited log lines for dropped datagrams: at most one line per reason per interval, with the
// number dropped since the last line, so a flood of garbage cannot flood the log.
import type { Logger } from '../log.js';
import type { DropReason } from './counters.js';

export class DropLog {
  private readonly last = new Map<DropReason, { at: number; suppressed: number }>();

  constructor(
    private readonly log: Logger,
    private readonly intervalMs = 5_000,
  ) {}

  note(reason: DropReason, from: string, port: number): void {
    const now = Date.now();
    const entry = this.last.get(reason);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    const suppressed = entry ? entry.suppressed : 0;
    this.last.set(reason, { at: now, suppressed: 0 });
    this.log.info('datagram-dropped', { reason, from: `${from}:${port}`, similarSinceLastLine: suppressed });
  }
}
