// A diagnostic for the relay child (TINCAN_BENCH_TRACE_STALLS=MS): every event-loop stall longer than
// MS is printed with its wall-clock end, the process's CPU over it and the collections inside it.
// CPU close to the stall's length means the relay itself was busy (a batch, a collection); much less
// means it was waiting for its CPU, and a scheduler trace (`perf record -e sched:sched_switch -C 0`)
// over the same seconds says who had it. The relay child prints the lines at the window's edges, not
// as they come (a write to a log file could block the loop being traced).
import { performance, PerformanceObserver } from 'node:perf_hooks';

interface Collection {
  start: number;
  duration: number;
  /** perf_hooks' gc kind: 1 minor, 4 major, 8 incremental, 16 weak callbacks. */
  kind: number;
}

export function traceStalls(thresholdMs: number, print: (line: string) => void): void {
  const collections: Collection[] = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as { detail?: { kind?: number } }).detail?.kind ?? 0;
      collections.push({ start: e.startTime, duration: e.duration, kind });
    }
  }).observe({ entryTypes: ['gc'] });
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  // A 1 ms timer, the resolution monitorEventLoopDelay already runs at in the relay child.
  setInterval(() => {
    const now = performance.now();
    const gap = now - last;
    if (gap > thresholdMs) {
      const cpu = process.cpuUsage(lastCpu);
      const inside = collections.filter((c) => c.start + c.duration > last && c.start < now);
      const gcMs = inside.reduce((sum, c) => sum + c.duration, 0);
      print(
        `stall ${gap.toFixed(1)} ms ending ${wallClock(now)}: cpu ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms, gc ${gcMs.toFixed(1)} ms${inside.length > 0 ? ` (kinds ${inside.map((c) => c.kind).join('/')})` : ''}`,
      );
    }
    collections.length = 0;
    last = now;
    lastCpu = process.cpuUsage();
  }, 1).unref();
}

/** Seconds since the epoch, to line a stall up with a scheduler trace or the bench's window. */
export function wallClock(now = performance.now()): string {
  return ((performance.timeOrigin + now) / 1000).toFixed(4);
}
