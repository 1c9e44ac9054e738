// The late-delivery trace (bench/late-spells.ts) and the machine-hold canaries that feed it
// (bench/native/gen_canary.c), on the real native generator module.
import { describe, expect, it } from 'vitest';
import { describeSpells, lateSpells, type Timeline } from '../../bench/late-spells.js';
import { loadNativeGenUdp } from '../../bench/gen/native-udp.js';
import { nowMicros } from '../../bench/clock.js';
import { threadsOf } from '../support/processes.js';

/** A timeline of `n` 1 ms buckets, each at `base` µs, with the given buckets set. */
function timeline(
  n: number,
  set: Record<number, { max: number; late?: number; lag?: number }>,
  held?: number[][],
): Timeline {
  const t: Timeline = {
    startMicros: 1_000_000,
    bucketMicros: 1_000,
    lateMicros: 500,
    max: new Uint32Array(n).fill(100),
    late: new Uint32Array(n),
    lag: new Uint32Array(n),
    held: held?.map((h) => Uint32Array.from(h)),
  };
  for (const [at, b] of Object.entries(set)) {
    t.max[Number(at)] = b.max;
    t.late[Number(at)] = b.late ?? 0;
    t.lag[Number(at)] = b.lag ?? 0;
  }
  return t;
}

describe('late spells', () => {
  it('groups the buckets that reach the threshold, merging across short gaps, most late first', () => {
    const t = timeline(100, {
      10: { max: 2_000, late: 30 },
      12: { max: 1_500, late: 20 },
      13: { max: 400, late: 5 }, // below the threshold, inside the merged span: its late ones count
      15: { max: 900, late: 10, lag: 3_000 },
      40: { max: 5_000, late: 200 },
      80: { max: 600, late: 1 }, // below the threshold: no spell
    });
    const spells = lateSpells(t, 800, 5);
    expect(spells).toHaveLength(2);
    expect(spells[0]).toMatchObject({
      startMicros: 1_040_000,
      durationMs: 1,
      maxMicros: 5_000,
      late: 200,
      maxLagMicros: 0,
    });
    expect(spells[1]).toMatchObject({
      startMicros: 1_010_000,
      durationMs: 6,
      maxMicros: 2_000,
      late: 65,
      maxLagMicros: 3_000,
    });
    // A gap wider than gapBuckets splits: with one quiet bucket allowed, 10 and 12 still merge, 15 does not.
    expect(lateSpells(t, 800, 1).map((s) => s.durationMs)).toEqual([1, 3, 1]);
  });

  it('finds the longest hold of each canary in a spell or just before it', () => {
    const held = [new Array<number>(60).fill(0), new Array<number>(60).fill(0)];
    (held[0] as number[])[25] = 3_000; // 5 buckets before the spell: its backlog counts
    (held[1] as number[])[5] = 9_000; // 25 buckets before: too early to count
    const t = timeline(60, { 30: { max: 4_000, late: 50 } }, held);
    const [spell] = lateSpells(t, 1_000);
    expect(spell?.maxHeldMicros).toEqual([3_000, 0]);
    const lines = describeSpells(t, lateSpells(t, 1_000), 1_000, 0, 5, [0, 1]);
    expect(lines[0]).toContain('50 deliveries; 1 spells reach p99 1.000 ms and hold 50');
    expect(lines[1]).toContain('cpu0 held 3.0 ms');
    expect(lines[1]).not.toContain('cpu1');
  });

  it('has nothing to say about a calm window', () => {
    expect(lateSpells(timeline(50, {}), 1_000)).toEqual([]);
  });
});

describe.runIf(process.platform === 'linux')('machine-hold canaries (native generator)', () => {
  it('run one thread per CPU asked for and report each CPU over the window', async () => {
    const native = loadNativeGenUdp();
    if (typeof native === 'string') throw new Error(native); // built by npm install on Linux
    if (!native.startCanaries || !native.takeTimeline) throw new Error('gen_udp.node predates the canaries');
    native.startReceiver(0xff, 0x82, 0x81, 7, 0, 0);
    const before = threadsOf('self').length;
    const realtime = native.startCanaries([0], 1_000);
    try {
      expect(threadsOf('self').length).toBe(before + 1);
      // Real-time when allowed (root, or CAP_SYS_NICE); then it is the thread on CPU 0 alone.
      if (realtime === 1) expect(threadsOf('self').some((t) => t.policy === 1 && t.cpus === '0')).toBe(true);
      else expect(realtime).toBe(0);
      const start = nowMicros();
      native.setWindow(start, start + 100_000);
      await new Promise((resolve) => setTimeout(resolve, 150));
      const holds = native.takeStats().holds ?? [];
      expect(holds).toHaveLength(1);
      expect(holds[0]?.cpu).toBe(0);
      expect(holds[0]?.heldMs).toBeGreaterThanOrEqual(0);
      expect(holds[0]?.longestMs).toBeLessThanOrEqual(holds[0]?.heldMs ?? 0);
      const t = native.takeTimeline();
      expect(t.max).toHaveLength(101); // one bucket a millisecond, the window's end included
      expect(t.held).toHaveLength(1);
      expect(t.held?.[0]).toHaveLength(101);
      expect(() => native.startCanaries?.([0], 1_000)).toThrow(); // one set at a time
    } finally {
      native.stopCanaries?.();
      native.stopReceiver();
    }
    expect(threadsOf('self').length).toBe(before - 1); // the receiver's thread and the canary are gone
  });
});
