// The soak itself: the real relay in its own process, users with churn, samples every few seconds,
// then everyone leaves and the relay must return to empty tables and its baseline fd count.
import { readdirSync } from 'node:fs';
import { RelayHandle } from '../relay-handle.js';
import { ChurnDriver, type ChurnCounts } from './churn-driver.js';
import type { SoakOptions } from './options.js';

export interface SoakSample {
  atSec: number;
  phase: 'baseline' | 'run' | 'end';
  rssMb: number;
  heapUsedMb: number;
  fds: number;
  /** Active handles reported by the relay process, null when it does not report them. */
  handles: number | null;
  rooms: number;
  members: number;
  liveUsers: number;
}

export interface SoakVerdict {
  pass: boolean;
  rssGrowthMb: number;
  rssAllowedMb: number;
  rssFlat: boolean;
  fdsFlat: boolean;
  handlesFlat: boolean;
  emptyAtEnd: boolean;
  fdsBackToBaseline: boolean;
  churnHappened: boolean;
  reasons: string[];
}

export interface SoakResult {
  options: SoakOptions;
  startedAt: string;
  samples: SoakSample[];
  counts: ChurnCounts;
  verdict: SoakVerdict;
}

/** Counts a process's open file descriptors; -1 when /proc is not readable. */
export function countFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return -1;
  }
}

const MB = 1024 * 1024;
/** Run-time fd/handle counts may wobble by in-flight handshakes; beyond this they are not flat. */
const RUN_WOBBLE = 24;

export async function runSoak(options: SoakOptions, log: (line: string) => void): Promise<SoakResult> {
  const startedAt = new Date().toISOString();
  const relay = await RelayHandle.start({
    impl: 'real',
    serverOptions: {
      host: '127.0.0.1',
      port: 0,
      inactivityTimeoutMs: options.inactivityMs,
      sweepIntervalMs: options.sweepMs,
      maxConnectionsPerIp: 10_000,
      maxMessagesPerSecond: Math.max(50, options.rate * 4),
    },
    pinCpus: null,
    cpuProfDir: null,
  });
  const t0 = Date.now();
  const samples: SoakSample[] = [];
  const driver = new ChurnDriver(
    {
      tcpHost: relay.address.host,
      tcpPort: relay.address.tcpPort,
      udpHost: relay.address.host,
      udpPort: relay.address.udpPort,
    },
    options.rooms,
    options.users,
    options.rate,
    Math.max(200, Math.floor(options.inactivityMs / 3)),
    options.handshakeConcurrency,
  );
  const sample = async (phase: SoakSample['phase']): Promise<SoakSample> => {
    const s = await relay.stats();
    const server = (s.server ?? {}) as { rooms?: number; members?: number };
    const row: SoakSample = {
      atSec: Math.round((Date.now() - t0) / 100) / 10,
      phase,
      rssMb: round1(s.rssBytes / MB),
      heapUsedMb: round1(s.heapUsedBytes / MB),
      fds: countFds(relay.pid),
      handles: s.activeHandles,
      rooms: server.rooms ?? -1,
      members: server.members ?? -1,
      liveUsers: driver.liveUsers,
    };
    samples.push(row);
    log(
      `[soak] t=${row.atSec}s ${phase} rss=${row.rssMb}MB heap=${row.heapUsedMb}MB fds=${row.fds} handles=${String(row.handles)} rooms=${row.rooms} members=${row.members} users=${row.liveUsers}`,
    );
    return row;
  };

  try {
    const baseline = await sample('baseline');
    await driver.populate();
    log(
      `[soak] populated: ${driver.liveUsers} users in ${options.rooms} rooms (${driver.counts.joinFailures} join failures)`,
    );
    driver.startTraffic();
    const endAt = Date.now() + options.minutes * 60_000;
    const perRound = Math.max(1, Math.round(options.rooms * options.users * options.churnFraction));
    let nextChurn = Date.now() + options.churnEverySec * 1000;
    let nextSample = Date.now() + options.sampleEverySec * 1000;
    // Bounded by the clock: one pass per churn round or sample, whichever is next.
    while (Date.now() < endAt) {
      const wakeAt = Math.min(nextChurn, nextSample, endAt);
      await new Promise((r) => setTimeout(r, Math.max(0, wakeAt - Date.now())));
      if (Date.now() >= nextChurn && Date.now() < endAt) {
        await driver.churnRound(perRound, options.roomClosesPerRound);
        nextChurn = Date.now() + options.churnEverySec * 1000;
      }
      if (Date.now() >= nextSample) {
        await sample('run');
        nextSample += options.sampleEverySec * 1000;
      }
    }
    // The last run sample, unless the loop just took one.
    const lastRun = samples[samples.length - 1];
    if (!lastRun || lastRun.phase !== 'run' || Date.now() - t0 - lastRun.atSec * 1000 > 1_000) await sample('run');
    await driver.stopAll();
    // Silent users need the inactivity timeout plus a sweep; poll until empty, bounded.
    const giveUpAt = Date.now() + options.inactivityMs * 2 + options.sweepMs * 4 + 5_000;
    await new Promise((r) => setTimeout(r, options.inactivityMs + options.sweepMs * 2));
    let end = await sample('end');
    while (
      (end.rooms !== 0 || end.members !== 0 || end.fds > baseline.fds + options.fdTolerance) &&
      Date.now() < giveUpAt
    ) {
      await new Promise((r) => setTimeout(r, 500));
      samples.pop();
      end = await sample('end');
    }
    const verdict = judge(options, samples, baseline, end, driver.counts);
    return { options, startedAt, samples, counts: driver.counts, verdict };
  } finally {
    await driver.stopAll().catch(() => undefined);
    await relay.stop();
  }
}

function judge(
  options: SoakOptions,
  samples: SoakSample[],
  baseline: SoakSample,
  end: SoakSample,
  counts: ChurnCounts,
): SoakVerdict {
  const run = samples.filter((s) => s.phase === 'run');
  const warm = run.find((s) => s.atSec >= options.warmupSec) ?? run[0] ?? baseline;
  const last = run[run.length - 1] ?? warm;
  const reasons: string[] = [];
  const rssGrowthMb = round1(last.rssMb - warm.rssMb);
  const rssAllowedMb = round1(Math.max(options.rssGrowthMb, (warm.rssMb * options.rssGrowthPercent) / 100));
  const rssFlat = rssGrowthMb <= rssAllowedMb;
  if (!rssFlat) reasons.push(`RSS grew ${rssGrowthMb} MB after warm-up (allowed ${rssAllowedMb} MB)`);
  const fdsFlat = last.fds - warm.fds <= RUN_WOBBLE;
  if (!fdsFlat) reasons.push(`fds grew from ${warm.fds} to ${last.fds} during the run`);
  const handlesFlat = warm.handles === null || last.handles === null || last.handles - warm.handles <= RUN_WOBBLE;
  if (!handlesFlat) reasons.push(`active handles grew from ${String(warm.handles)} to ${String(last.handles)}`);
  const emptyAtEnd = end.rooms === 0 && end.members === 0;
  if (!emptyAtEnd) reasons.push(`tables not empty at the end: ${end.rooms} rooms, ${end.members} members`);
  const fdsBackToBaseline = end.fds >= 0 && end.fds <= baseline.fds + options.fdTolerance;
  if (!fdsBackToBaseline) reasons.push(`fds at the end ${end.fds} > baseline ${baseline.fds} + ${options.fdTolerance}`);
  const churnHappened = counts.politeLeaves > 0 && counts.silenced > 0 && counts.joins > 0;
  if (!churnHappened) reasons.push('no churn happened (run too short for a churn round?)');
  const pass = rssFlat && fdsFlat && handlesFlat && emptyAtEnd && fdsBackToBaseline && churnHappened;
  return {
    pass,
    rssGrowthMb,
    rssAllowedMb,
    rssFlat,
    fdsFlat,
    handlesFlat,
    emptyAtEnd,
    fdsBackToBaseline,
    churnHappened,
    reasons,
  };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
