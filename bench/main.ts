// `npm run bench`: the spec workload end to end against the real relay (and the naive reference),
// plus --find-max, --scaling, --soak and --cpu-prof. Prints a summary and writes bench/results/*.json.
import fs from 'node:fs';
import path from 'node:path';
import { formatTopFrames, newestProfile, readProfile, topSelfFrames, type TopFrame } from './cpuprofile-top.js';
import { loadNativeGenUdp } from './gen/native-udp.js';
import { cpuPlan } from './cpu-plan.js';
import { machineInfo } from './machine.js';
import { insideRpsNamespace, rerunInRpsNamespace } from './netns.js';
import { parseBenchOptions, USAGE, type BenchOptions } from './options.js';
import type { RelayImpl } from './relay-handle.js';
import { searchMaxRate } from './rate-search.js';
import { Workload, type PhasePlan, type PhaseReport, type WorkloadReport, type WorkloadSpec } from './workload.js';

/** --find-max fails a step at more loss than this (percent) ... */
const MAX_LOSS_PCT = 0.1;
/** ... or a p99 one-way latency above this (ms). */
const MAX_P99_MS = 50;
/** Above this many users per generator process the fd limit (and receive cost) calls for more processes. */
const USERS_PER_GEN_PROC = 12_000;

const log = (line: string): void => console.log(line);

function specFor(
  opts: BenchOptions,
  impl: RelayImpl,
  label: string,
  rooms: number,
  users: number,
  extra: Record<string, unknown>,
  cpuProfDir: string | null,
): WorkloadSpec {
  const total = rooms * users;
  const genProcs =
    opts.socketPool === 0 && opts.genProcs > 0
      ? Math.max(opts.genProcs, Math.ceil(total / USERS_PER_GEN_PROC))
      : opts.genProcs;
  return {
    label,
    impl,
    rooms,
    usersPerRoom: users,
    messageBytes: opts.size,
    password: opts.password,
    dialect: opts.dialect,
    genProcs,
    socketPool: opts.socketPool,
    sourceIps: opts.sourceIps,
    handshakeConcurrency: opts.handshakeConcurrency,
    pin: opts.pin,
    genIo: opts.genIo ?? 'dgram',
    rxPollMicros: opts.rxPollMicros,
    cpuProfDir: impl === 'real' ? cpuProfDir : null,
    serverOptions: {
      nativeUdp: opts.relayUdp === 'native',
      ...(opts.relayWorkers > 1 ? { workers: opts.relayWorkers } : {}),
      ...extra,
    },
  };
}

function plan(
  opts: BenchOptions,
  ratePerUser: number,
  durationSec: number,
  warmupSec: number,
  rssEveryMs = 0,
): PhasePlan {
  return {
    ratePerUser,
    warmupMs: warmupSec * 1000,
    durationMs: durationSec * 1000,
    drainMs: opts.drainSec * 1000,
    rssSampleEveryMs: rssEveryMs,
  };
}

function phaseLine(p: PhaseReport): string {
  const l = p.latencyMs;
  return (
    `in ${p.achievedInRate}/s (offered ${p.offeredInRate}/s)  out ${p.deliveriesPerSec}/s  ` +
    `loss ${p.lossPct}% (${p.receivedDeliveries}/${p.expectedDeliveries})  ` +
    `latency p50 ${l.p50} p99 ${l.p99} p99.9 ${l.p999} max ${l.max} ms  ` +
    `relay CPU ${p.relayCpuPct}% (sys ${p.relayCpuSystemPct}) ${p.relayCpuMicrosPerDelivery} µs/delivery RSS ${p.relayRssMB} MB${p.relayLoopDelayMs ? ` loop delay p99 ${p.relayLoopDelayMs.p99} max ${p.relayLoopDelayMs.max} ms` : ''}  ` +
    `relay in/out ${p.relayInPerSec ?? '?'}/${p.relayOutPerSec ?? '?'} per s  kernel UDP drops ${p.kernelUdpRcvbufDrops ?? '?'}  ` +
    `gen CPU ${p.generatorCpuPct.join('+')}% ${p.generatorCpuMicrosPerDelivery} µs/delivery${p.maxSendLagMs > 20 ? ` send lag ${p.maxSendLagMs} ms` : ''}${p.generatorSkipped > 0 ? ` skipped ${p.generatorSkipped}` : ''}` +
    (generatorBound(p) ? '  [GENERATOR-BOUND: offered rate not reached]' : '')
  );
}

/** The generator fell behind its schedule: the step says nothing about the relay. */
function generatorBound(p: PhaseReport): boolean {
  return p.achievedInRate < 0.95 * p.offeredInRate;
}

function passes(p: PhaseReport): boolean {
  return p.lossPct <= MAX_LOSS_PCT && p.latencyMs.p99 <= MAX_P99_MS && p.achievedInRate >= 0.95 * p.offeredInRate;
}

async function withWorkload(
  spec: WorkloadSpec,
  body: (w: Workload) => Promise<PhaseReport[]>,
): Promise<WorkloadReport> {
  const w = await Workload.start(spec, log);
  let phases: PhaseReport[];
  try {
    phases = await body(w);
  } finally {
    await w.stop();
  }
  let cpuProfile: string | null = null;
  if (spec.cpuProfDir) cpuProfile = newestProfile(spec.cpuProfDir);
  return w.summary(phases, cpuProfile);
}

async function steady(opts: BenchOptions, impl: RelayImpl, cpuProfDir: string | null): Promise<WorkloadReport> {
  const spec = specFor(
    opts,
    impl,
    `${impl} ${opts.rooms}x${opts.users} @${opts.rate}/s`,
    opts.rooms,
    opts.users,
    {},
    cpuProfDir,
  );
  return withWorkload(spec, async (w) => {
    const p = await w.runPhase(plan(opts, opts.rate, opts.durationSec, opts.warmupSec));
    log(`  ${phaseLine(p)}`);
    return [p];
  });
}

async function findMax(
  opts: BenchOptions,
  impl: RelayImpl,
  cpuProfDir: string | null,
): Promise<{ report: WorkloadReport; maxInRate: number; maxRatePerUser: number }> {
  // The server's per-member rate limit would cap the search, so it is lifted for this mode.
  const spec = specFor(
    opts,
    impl,
    `${impl} find-max ${opts.rooms}x${opts.users}`,
    opts.rooms,
    opts.users,
    { maxMessagesPerSecond: 100_000 },
    cpuProfDir,
  );
  let maxInRate = 0;
  let maxRatePerUser = 0;
  const report = await withWorkload(spec, async (w) => {
    const phases: PhaseReport[] = [];
    // Each rate is tried once more if it fails: other work on the machine can spoil one step. A rate
    // that passes is always above every one that passed before it, so its in-rate is the new maximum.
    maxRatePerUser = await searchMaxRate(opts.startRate, opts.refine, async (rate, refining) => {
      for (let attempt = 1; attempt <= 2; attempt++) {
        const p = await w.runPhase(plan(opts, rate, opts.stepSec, 1));
        phases.push(p);
        const ok = passes(p);
        log(
          `  ${rate}/s per user${refining ? ' (refine)' : ''}${attempt > 1 ? ' (retry)' : ''}: ${ok ? 'ok  ' : 'FAIL'} ${phaseLine(p)}`,
        );
        if (ok) {
          maxInRate = p.achievedInRate;
          return true;
        }
      }
      return false;
    });
    return phases;
  });
  log(`  → ${impl}: max sustained in-rate ${maxInRate}/s (${maxRatePerUser} msg/s per user)`);
  return { report, maxInRate, maxRatePerUser };
}

/** Datagrams the kernel calibration sends (about a second of CPU). */
const CALIBRATION_DATAGRAMS = 200_000;

/**
 * The machine's kernel UDP cost right now (the native generator's `calibrate`): the relay's µs per
 * delivery moves with it, so runs from different days or machines are compared through it.
 */
type Calibration = { loopbackMicrosPerDatagram: number } | null;
const CALIBRATION_ENV = 'TINCAN_BENCH_CALIBRATION';

function calibrate(): Calibration {
  const native = loadNativeGenUdp();
  if (typeof native === 'string') return null;
  const ns = native.calibrate(CALIBRATION_DATAGRAMS);
  return ns > 0 ? { loopbackMicrosPerDatagram: Math.round(ns / 10) / 100 } : null;
}

function ratio(a: number, b: number): number | null {
  return b > 0 ? Math.round((a / b) * 100) / 100 : null;
}

async function main(): Promise<void> {
  let opts: BenchOptions;
  try {
    opts = parseBenchOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (opts.help) {
    console.log(USAGE);
    return;
  }
  if (opts.pin) {
    try {
      cpuPlan(machineInfo().nproc, opts.relayWorkers);
    } catch (err) {
      console.error((err as Error).message);
      process.exit(2);
    }
  }
  // Calibrated on the host's loopback even for --rps (whose namespace moves receive work to other CPUs).
  const calibration = process.env[CALIBRATION_ENV]
    ? (JSON.parse(process.env[CALIBRATION_ENV]) as Calibration)
    : calibrate();
  if (opts.rps && insideRpsNamespace() === null) {
    process.env[CALIBRATION_ENV] = JSON.stringify(calibration);
    process.exit(await rerunInRpsNamespace());
  }
  if (opts.genIo === null) {
    const native = loadNativeGenUdp();
    opts.genIo = typeof native === 'string' ? 'dgram' : 'native';
    if (typeof native === 'string') log(`generator UDP: node:dgram (${native})`);
  }
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  fs.mkdirSync(opts.outDir, { recursive: true });
  const cpuProfDir = opts.cpuProf ? path.resolve(opts.outDir, `prof-${stamp}`) : null;
  const machine = machineInfo();
  // The reference relays speak only the plain dialect.
  const references: RelayImpl[] =
    opts.dialect === 'plain' && opts.impl === 'real'
      ? [
          ...(opts.compareNaive ? ['naive' as const] : []),
          ...(opts.compareMinimal ? ['minimal' as const] : []),
          ...(opts.compareC ? ['c' as const] : []),
        ]
      : [];
  log(
    `tincan bench — ${machine.cpuModel}, ${machine.nproc} CPUs, node ${machine.node}, load ${machine.loadAverage.join(' ')}`,
  );
  log(`command: npm run bench -- ${process.argv.slice(2).join(' ')}`);
  if (calibration !== null)
    log(
      `kernel UDP on loopback: ${calibration.loopbackMicrosPerDatagram} µs of CPU per datagram sent and received (sendmmsg/recvmmsg, ${CALIBRATION_DATAGRAMS} datagrams)`,
    );
  log(
    `generator UDP: ${opts.genIo}${opts.genIo === 'native' ? ` (receiver ${opts.rxPollMicros > 0 ? `polls every ${opts.rxPollMicros} µs` : 'woken per datagram'})` : ''}; real relay UDP: ${opts.relayUdp}${opts.pin ? '; pinned: relay CPU 0, generator CPU 1' : ''}${opts.rps ? `; RPS namespace ${String(insideRpsNamespace())}` : ''}`,
  );

  const runs: WorkloadReport[] = [];
  const result: Record<string, unknown> = {
    startedAt: startedAt.toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine,
    calibration,
    options: opts,
    criteria: { maxLossPct: MAX_LOSS_PCT, maxP99Ms: MAX_P99_MS },
    runs,
  };

  if (opts.findMax) {
    log(
      `find-max: ${opts.rooms} rooms x ${opts.users} users, steps of ${opts.stepSec} s, pass = loss <= ${MAX_LOSS_PCT}% and p99 <= ${MAX_P99_MS} ms`,
    );
    const real = await findMax(opts, opts.impl, cpuProfDir);
    runs.push(real.report);
    const summary: Record<string, unknown> = {
      [opts.impl]: { maxInRate: real.maxInRate, maxRatePerUser: real.maxRatePerUser },
    };
    for (const ref of references) {
      const other = await findMax(opts, ref, null);
      runs.push(other.report);
      summary[ref] = { maxInRate: other.maxInRate, maxRatePerUser: other.maxRatePerUser };
      // `ratio` stays the real/naive figure earlier result files have.
      summary[ref === 'naive' ? 'ratio' : `ratioTo_${ref}`] = ratio(real.maxInRate, other.maxInRate);
      log(`  real / ${ref} max in-rate: ${String(ratio(real.maxInRate, other.maxInRate))}x`);
    }
    result['findMax'] = summary;
  } else if (opts.scaling) {
    // [rooms, users per room, msg/s per user]; the fan-out row has its own rate: at 2 msg/s each of
    // 1,000 messages a second would go to 499 people (~500,000 datagrams/s out).
    const table: [number, number, number][] = [
      [100, 10, opts.rate],
      [500, 10, opts.rate],
      [1000, 10, opts.rate],
      [2500, 10, opts.rate],
      [1, 500, opts.fanoutRate],
    ];
    for (const [rooms, users, rate] of table) {
      const spec = specFor(opts, opts.impl, `${opts.impl} ${rooms}x${users} @${rate}/s`, rooms, users, {}, cpuProfDir);
      log(`scaling: ${rooms} rooms x ${users} users x ${rate} msg/s`);
      runs.push(
        await withWorkload(spec, async (w) => {
          const p = await w.runPhase(plan(opts, rate, opts.durationSec, opts.warmupSec));
          log(`  ${phaseLine(p)}`);
          return [p];
        }),
      );
    }
  } else if (opts.soak) {
    const spec = specFor(
      opts,
      opts.impl,
      `${opts.impl} soak ${opts.rooms}x${opts.users}`,
      opts.rooms,
      opts.users,
      {},
      cpuProfDir,
    );
    log(`soak: ${opts.soakSec} s, relay RSS every 10 s`);
    const report = await withWorkload(spec, async (w) => [
      await w.runPhase(plan(opts, opts.rate, opts.soakSec, opts.warmupSec, 10_000)),
    ]);
    runs.push(report);
    const samples = report.phases[0]?.rssSamplesMB ?? [];
    log(`  ${report.phases[0] ? phaseLine(report.phases[0]) : ''}`);
    log(`  RSS MB over time: ${samples.map((s) => `${s.atSec}s:${s.rssMB}`).join(' ')}`);
    const rss = samples.map((s) => s.rssMB);
    // Flat: the second half never climbs more than 10 % (+5 MB of noise) above the first half's peak.
    const half = Math.max(1, Math.floor(rss.length / 2));
    const firstPeak = Math.max(...rss.slice(0, half));
    const secondPeak = Math.max(...rss.slice(half));
    const flat = secondPeak <= firstPeak * 1.1 + 5;
    result['soak'] = {
      rssMinMB: Math.min(...rss),
      rssMaxMB: Math.max(...rss),
      rssFirstMB: rss[0],
      rssLastMB: rss[rss.length - 1],
      firstHalfPeakMB: firstPeak,
      secondHalfPeakMB: secondPeak,
      flat,
    };
    log(`  RSS ${flat ? 'flat' : 'GROWING'}: first-half peak ${firstPeak} MB, second-half peak ${secondPeak} MB`);
  } else {
    log(
      `steady: ${opts.rooms} rooms x ${opts.users} users x ${opts.rate} msg/s, ${opts.size} B, ${opts.dialect}${opts.password ? ', passwords' : ''}; ${opts.warmupSec} s warm-up + ${opts.durationSec} s`,
    );
    const real = await steady(opts, opts.impl, cpuProfDir);
    runs.push(real);
    for (const ref of references) {
      const other = await steady(opts, ref, null);
      runs.push(other);
      const r = real.phases[0];
      const o = other.phases[0];
      if (r && o) {
        // Keys named after the reference ({real, naive, naiveOverReal}), as earlier result files have.
        const pair = (a: number, b: number): Record<string, number | null> => ({
          real: a,
          [ref]: b,
          [`${ref}OverReal`]: ratio(b, a),
        });
        const cmp = {
          relayCpuPct: pair(r.relayCpuPct, o.relayCpuPct),
          cpuMicrosPerDelivery: pair(r.relayCpuMicrosPerDelivery, o.relayCpuMicrosPerDelivery),
          p99Ms: { real: r.latencyMs.p99, [ref]: o.latencyMs.p99 },
          lossPct: { real: r.lossPct, [ref]: o.lossPct },
          handshakesPerSec: { real: real.join.handshakesPerSec, [ref]: other.join.handshakesPerSec },
        };
        result[ref === 'naive' ? 'comparison' : `comparison_${ref}`] = cmp;
        log(`  ${ref} / real CPU per delivery: ${String(cmp.cpuMicrosPerDelivery[`${ref}OverReal`])}x`);
      }
    }
  }

  if (cpuProfDir) {
    const file = newestProfile(cpuProfDir);
    if (file) {
      // Only the measured windows of the profiled (real) relay: not start-up, not the join storm.
      const windows = runs
        .filter((r) => r.impl === opts.impl && r.cpuProfile !== null)
        .flatMap((r) => r.phases.map((p) => ({ start: p.windowStartMicros, end: p.windowEndMicros })));
      const top: TopFrame[] = topSelfFrames(readProfile(file), 15, windows);
      const whole: TopFrame[] = topSelfFrames(readProfile(file), 15);
      result['cpuProfile'] = { file, topInMeasuredWindows: top, topWholeRun: whole };
      log(
        `\nrelay CPU profile ${file}\ntop 15 self-time frames in the measured window(s), idle excluded:\n${formatTopFrames(top)}`,
      );
    } else {
      log('no CPU profile was written');
    }
  }

  const out = path.join(opts.outDir, `${stamp}.json`);
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  log(`\nresults: ${out}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
