// The churn soak on a tiny configuration: churn must really happen (polite leaves, silent users the
// relay times out, fresh joins, rooms closed and recreated) and the relay must end with empty tables
// and its baseline fd count.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SOAK_OPTIONS, parseSoakArgs, type SoakOptions } from '../../bench/soak/options.js';
import { runSoak } from '../../bench/soak/run-soak.js';

describe('churn soak (tiny)', () => {
  it('churns users and rooms and leaves the relay empty with its baseline fds', async () => {
    const options: SoakOptions = {
      ...DEFAULT_SOAK_OPTIONS,
      minutes: 0.1,
      rooms: 4,
      users: 4,
      rate: 2,
      churnEverySec: 1,
      churnFraction: 0.15,
      roomClosesPerRound: 1,
      inactivityMs: 1_000,
      sweepMs: 200,
      sampleEverySec: 1,
      warmupSec: 0,
      writeJson: false,
    };
    const lines: string[] = [];
    const result = await runSoak(options, (l) => lines.push(l));
    const c = result.counts;
    // Churn really happened.
    expect(c.joins).toBeGreaterThan(options.rooms * options.users);
    expect(c.politeLeaves).toBeGreaterThan(0);
    expect(c.silenced).toBeGreaterThan(0);
    expect(c.roomCloses).toBeGreaterThan(0);
    expect(c.roomRecreates).toBeGreaterThan(0);
    expect(c.joinFailures).toBe(0);
    // The relay saw the users: full tables while running.
    const run = result.samples.filter((s) => s.phase === 'run');
    expect(run.length).toBeGreaterThan(0);
    expect(Math.max(...run.map((s) => s.rooms))).toBe(options.rooms);
    expect(Math.max(...run.map((s) => s.members))).toBeGreaterThanOrEqual(options.rooms * options.users);
    expect(c.received).toBeGreaterThan(0);
    // End state: empty tables, fds back to the baseline.
    const baseline = result.samples[0];
    const end = result.samples[result.samples.length - 1];
    expect(baseline?.phase).toBe('baseline');
    expect(end?.phase).toBe('end');
    expect(end?.rooms).toBe(0);
    expect(end?.members).toBe(0);
    expect(end?.fds).toBeGreaterThan(0);
    expect(end?.fds).toBeLessThanOrEqual(baseline?.fds ?? -1);
    expect(result.verdict.emptyAtEnd).toBe(true);
    expect(result.verdict.fdsBackToBaseline).toBe(true);
    expect(result.verdict.churnHappened).toBe(true);
  }, 40_000);

  it('parses the command-line options and rejects nonsense', () => {
    const o = parseSoakArgs(['--minutes', '2', '--rooms=50', '--users', '5', '--rate', '1', '--no-json']);
    expect(o).toMatchObject({ minutes: 2, rooms: 50, users: 5, rate: 1, writeJson: false });
    expect(() => parseSoakArgs(['--bogus', '1'])).toThrow(/unknown option/);
    expect(() => parseSoakArgs(['--minutes', 'x'])).toThrow(/number/);
    expect(() => parseSoakArgs(['--rooms', '0'])).toThrow(/≥ 1/);
  });
});
