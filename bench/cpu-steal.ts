// Time the hypervisor took from this (virtual) machine's CPUs: the "steal" column of /proc/stat,
// per CPU. A relay pinned at real-time priority can still stall when its whole virtual CPU is not
// running; the phase reports it so such a window is told apart from the relay's own slowness.
import fs from 'node:fs';

/** /proc/stat counts in USER_HZ, which is 100 on every Linux the bench runs on. */
const MS_PER_TICK = 10;

/** Steal so far per CPU (index = CPU number), in ms; null where /proc/stat cannot be read. */
export function readStealMs(): number[] | null {
  try {
    const out: number[] = [];
    for (const line of fs.readFileSync('/proc/stat', 'utf8').split('\n')) {
      const m = /^cpu(\d+)\s+(.*)$/.exec(line);
      if (!m) continue;
      // user nice system idle iowait irq softirq steal …
      const steal = Number(m[2]?.trim().split(/\s+/)[7] ?? 0);
      out[Number(m[1])] = Number.isFinite(steal) ? steal * MS_PER_TICK : 0;
    }
    return out.length > 0 ? out : null;
  } catch {
    return null;
  }
}

/** Steal between two readings, per CPU (ms); null unless both were read. */
export function stealBetween(before: number[] | null, after: number[] | null): number[] | null {
  if (before === null || after === null) return null;
  return after.map((ms, cpu) => ms - (before[cpu] ?? 0));
}
