// A diagnostic for the generator (TINCAN_BENCH_TRACE_LATE=1): when in the window the tail happened.
// The native receiver keeps, per millisecond of send stamps, the latest delivery and how many were
// late; this groups the milliseconds whose latest delivery reached the phase's p99 into spells, so
// that each can be lined up with the relay's stall and collection trace (same wall clock).

export interface Timeline {
  /** Monotonic µs of the first bucket (the window's start). */
  startMicros: number;
  bucketMicros: number;
  /** What `late` counts: deliveries that took at least this many µs. */
  lateMicros: number;
  /** Per bucket: the highest latency in µs (0: nothing sent then was received). */
  max: Uint32Array;
  /** Per bucket: deliveries that took lateMicros or more. */
  late: Uint32Array;
  /** Per bucket: how far (µs) the paced sender was behind its schedule at worst (then it bursts). */
  lag: Uint32Array;
  /** Per canary (bench/native/gen_canary.c), per bucket: its CPU's longest hold by the machine, µs. */
  held?: Uint32Array[];
}

export interface Spell {
  /** Monotonic µs at which the spell's first bucket starts. */
  startMicros: number;
  durationMs: number;
  maxMicros: number;
  /** Late deliveries (≥ lateMicros) inside the spell. */
  late: number;
  /** The sender's largest lag behind its schedule inside the spell, µs. */
  maxLagMicros: number;
  /** Per canary: the longest hold of its CPU inside the spell or the HOLD_LOOKBACK_BUCKETS before it, µs. */
  maxHeldMicros: number[];
}

/** A hold this many buckets before a spell still counts for it: the backlog it left takes a while to drain. */
const HOLD_LOOKBACK_BUCKETS = 10;

/**
 * Runs of buckets whose highest latency is at least `thresholdMicros`, two runs merged when at most
 * `gapBuckets` quiet buckets lie between them; most late deliveries first.
 */
export function lateSpells(t: Timeline, thresholdMicros: number, gapBuckets = 5): Spell[] {
  const spells: Spell[] = [];
  let current: { first: number; last: number; max: number; late: number; lag: number } | null = null;
  const close = (): void => {
    if (current === null) return;
    const { first, last } = current;
    spells.push({
      startMicros: t.startMicros + first * t.bucketMicros,
      durationMs: ((last - first + 1) * t.bucketMicros) / 1000,
      maxMicros: current.max,
      late: current.late,
      maxLagMicros: current.lag,
      maxHeldMicros: (t.held ?? []).map((held) => {
        let most = 0;
        for (let j = Math.max(0, first - HOLD_LOOKBACK_BUCKETS); j <= last; j++)
          most = Math.max(most, held[j] as number);
        return most;
      }),
    });
    current = null;
  };
  for (let i = 0; i < t.max.length; i++) {
    const max = t.max[i] as number;
    if (max < thresholdMicros) {
      if (current !== null && i - current.last > gapBuckets) close();
      continue;
    }
    if (current === null) current = { first: i, last: i - 1, max: 0, late: 0, lag: 0 };
    // The quiet buckets a merge spans count too.
    for (let j = current.last + 1; j <= i; j++) {
      current.late += t.late[j] as number;
      current.lag = Math.max(current.lag, t.lag[j] as number);
    }
    current.last = i;
    current.max = Math.max(current.max, max);
  }
  close();
  return spells.sort((a, b) => b.late - a.late);
}

/** The trace's lines: a summary, then the spells with the most late deliveries (wall-clock seconds). */
export function describeSpells(
  t: Timeline,
  spells: Spell[],
  p99Micros: number,
  wallMinusMonoMicros: number,
  top = 12,
  canaryCpus: readonly number[] = [],
): string[] {
  const lateTotal = t.late.reduce((sum, n) => sum + n, 0);
  const inSpells = spells.reduce((sum, s) => sum + s.late, 0);
  const lines = [
    `late (≥ ${t.lateMicros / 1000} ms): ${lateTotal} deliveries; ${spells.length} spells reach p99 ${(p99Micros / 1000).toFixed(3)} ms and hold ${inSpells}`,
  ];
  for (const s of spells.slice(0, top)) {
    const wall = ((s.startMicros + wallMinusMonoMicros) / 1e6).toFixed(4);
    const lag = s.maxLagMicros >= 1000 ? `, sender behind by ${(s.maxLagMicros / 1000).toFixed(1)} ms` : '';
    const held = s.maxHeldMicros
      .map((micros, i) => (micros > 0 ? `, cpu${canaryCpus[i] ?? `#${i}`} held ${(micros / 1000).toFixed(1)} ms` : ''))
      .join('');
    lines.push(
      `  spell at ${wall}: ${s.durationMs} ms, max ${(s.maxMicros / 1000).toFixed(2)} ms, ${s.late} late${lag}${held}`,
    );
  }
  return lines;
}
