// The encrypted comparison's verdict over pairs of runs: ratios within each pair, targets judged on
// their medians, any lost delivery or generator-bound run counted against it; the pooled p99 beside
// it. Pure: fixed figures.
import { describe, expect, it } from 'vitest';
import hdr from 'hdr-histogram-js';
import { compareEncrypted, median, pooledP99Of, type RunPair } from '../../bench/encrypted-comparison.js';
import { newLatencyHistogram } from '../../bench/gen/load-generator.js';
import { parseBenchOptions } from '../../bench/options.js';
import type { PhaseReport } from '../../bench/workload.js';

function phase(cpu: number, p99: number, extra: Partial<PhaseReport> = {}): PhaseReport {
  return {
    achievedInRate: 10_000,
    offeredInRate: 10_000,
    lossPct: 0,
    relayCpuPct: cpu,
    relayCpuMicrosPerDelivery: cpu / 10,
    latencyMs: { count: 1, p50: p99 / 10, p99, p999: p99, max: p99, mean: p99 / 5 },
    sealed: null,
    ...extra,
  } as PhaseReport;
}

const pair = (plain: PhaseReport, encrypted: PhaseReport): RunPair => ({
  plain,
  encrypted,
  plainHandshakesPerSec: 2_000,
  tlsHandshakesPerSec: 500,
});

describe('encrypted comparison', () => {
  it('judges one pair on its own ratios', () => {
    const c = compareEncrypted([pair(phase(40, 2), phase(50, 3))]);
    expect(c.relayCpuPct).toEqual({ plain: 40, encrypted: 50, encryptedOverPlain: 1.25 });
    expect(c.p99Ms.encryptedOverPlain).toBe(1.5);
    expect(c.targets).toMatchObject({ measured: true, zeroLoss: true, cpuWithin: true, p99Within: true, met: true });
    expect(c.pairCount).toBe(1);
  });

  it('takes the median of the per-pair ratios, not the ratio of the medians', () => {
    const c = compareEncrypted([
      pair(phase(40, 2), phase(72, 3)), // 1.8x
      pair(phase(30, 2), phase(36, 5)), // 1.2x, p99 2.5x
      pair(phase(50, 4), phase(60, 4)), // 1.2x
    ]);
    expect(c.relayCpuPct.encryptedOverPlain).toBe(1.2);
    expect(c.relayCpuPct.plain).toBe(40);
    expect(c.p99Ms.encryptedOverPlain).toBe(1.5);
    expect(c.pairs.map((p) => p.relayCpuPct.encryptedOverPlain)).toEqual([1.8, 1.2, 1.2]);
    expect(c.targets.met).toBe(true);
  });

  it('fails on any lost delivery, and judges nothing when a run was generator-bound', () => {
    const lossy = compareEncrypted([
      pair(phase(40, 2), phase(44, 2)),
      pair(phase(40, 2), phase(44, 2, { lossPct: 0.01 })),
    ]);
    expect(lossy.targets).toMatchObject({ zeroLoss: false, met: false });
    const bound = compareEncrypted([pair(phase(40, 2, { achievedInRate: 9_000 }), phase(44, 2))]);
    expect(bound.targets).toMatchObject({ measured: false, met: false });
    expect(bound.generatorBound).toEqual({ plain: true, encrypted: false });
  });

  it('misses a target when the median ratio is above it', () => {
    const c = compareEncrypted([pair(phase(40, 2), phase(56, 5)), pair(phase(40, 2), phase(52, 4.2))]);
    expect(c.targets).toMatchObject({ cpuWithin: false, p99Within: false, met: false });
  });

  it('pools the deliveries of all windows for a p99 beside the verdict, which it leaves alone', () => {
    /** A window's histogram: `fast` deliveries at 100 µs and `slow` at 2 ms. */
    const windowOf = (fast: number, slow: number): string => {
      const h = newLatencyHistogram();
      h.recordValueWithCount(100, fast);
      if (slow > 0) h.recordValueWithCount(2_000, slow);
      return hdr.encodeIntoCompressedBase64(h);
    };
    const c = compareEncrypted([
      // The first encrypted window alone has 1 % slow (its own p99 is fast); the two together 1.5 %.
      pair(
        phase(40, 0.1, { latencyHistogram: windowOf(200, 0) }),
        phase(44, 0.1, { latencyHistogram: windowOf(99, 1) }),
      ),
      pair(
        phase(40, 0.1, { latencyHistogram: windowOf(200, 0) }),
        phase(44, 0.1, { latencyHistogram: windowOf(98, 2) }),
      ),
    ]);
    expect(pooledP99Of([phase(1, 1, { latencyHistogram: windowOf(99, 1) })])).toBe(0.1);
    expect(c.pooledP99Ms.plain).toBe(0.1);
    expect(c.pooledP99Ms.encrypted).toBeCloseTo(2, 2);
    expect(c.pooledP99Ms.encryptedOverPlain).toBeCloseTo(20, 0);
    expect(c.p99Ms.encryptedOverPlain).toBe(1);
    expect(c.targets.p99Within).toBe(true);
    // Runs without histograms (older result files) pool to nothing.
    expect(compareEncrypted([pair(phase(40, 2), phase(44, 2))]).pooledP99Ms).toEqual({
      plain: null,
      encrypted: null,
      encryptedOverPlain: null,
    });
  });

  it('has a median for odd and even counts, and none for no values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([null, 5])).toBe(5);
    expect(median([])).toBeNull();
    expect(() => compareEncrypted([])).toThrow(RangeError);
  });

  it('takes --pairs from the command line, one by default', () => {
    expect(parseBenchOptions([]).pairs).toBe(1);
    expect(parseBenchOptions(['--pairs', '3']).pairs).toBe(3);
    expect(() => parseBenchOptions(['--pairs', '0'])).toThrow(/pairs/);
  });
});
