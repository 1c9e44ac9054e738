// `npm run bench`: the spec workload end to end against the real relay (and the naive reference),
// then with encrypted members beside the plain relay, plus --find-max, --scaling, --soak and
// --cpu-prof. Prints a summary and writes bench/results/*.json.
import fs from 'node:fs';
import path from 'node:path';
import { formatTopFrames, newestProfile, readProfile, topSelfFrames, type TopFrame } from './cpuprofile-top.js';
import {
  compareEncrypted,
  generatorBound,
  ratio,
  type EncryptedComparison,
  type RunPair,
} from './encrypted-comparison.js';
import { encryptedSendsNative, loadNativeGenUdp } from './gen/native-udp.js';
import { cpuPlan } from './cpu-plan.js';
import { machineInfo } from './machine.js';
import { insideRpsNamespace, rerunInRpsNamespace } from './netns.js';
import { parseBenchOptions, USAGE, type BenchOptions } from './options.js';
import { pinProcess, type RelayImpl } from './relay-handle.js';
import { searchMaxRate } from './rate-search.js';
import { Workload, type PhasePlan, type PhaseReport, type WorkloadReport, type WorkloadSpec } from './workload.js';

/** --find-max fails a step at more loss than this (percent) ... */
const MAX_LOSS_PCT = 0.1;
/** ... or a p99 one-way latency above this (ms). */
const MAX_P99_MS = 50;
/** Above this many users per generator process the fd limit (and receive cost) calls for more processes. */
const USERS_PER_GEN_PROC = 12_000;

const log = (line: string): void => console.log(line);

/**
 * How the simulated users connect: as the options say; encrypted (which fixes the dialect); or as
 * the options say but sending from the JS tick, as encrypted members do when the native generator
 * cannot seal (dgram io, or a build without gen_sealed.c).
 */
type Members = 'as-options' | 'encrypted' | 'js-paced';

/** Runs profiled so far: each gets its own folder, so a summary never reads another run's profile. */
let profiledRuns = 0;

function specFor(
  opts: BenchOptions,
  impl: RelayImpl,
  label: string,
  rooms: number,
  users: number,
  extra: Record<string, unknown>,
  cpuProfDir: string | null,
  members: Members = opts.encrypted === 'only' ? 'encrypted' : 'as-options',
): WorkloadSpec {
  const encrypted = members === 'encrypted';
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
    // Sealing is a Tincan-dialect feature; each member has a socket of its own (it tells whose key
    // opens a datagram) and handshakes from 127.0.0.1 (the engine's client binds no source address).
    dialect: encrypted ? 'tincan' : opts.dialect,
    genProcs,
    socketPool: encrypted ? 0 : opts.socketPool,
    sourceIps: encrypted ? 1 : opts.sourceIps,
    handshakeConcurrency: opts.handshakeConcurrency,
    pin: opts.pin,
    genIo: opts.genIo ?? 'dgram',
    rxPollMicros: opts.rxPollMicros,
    cpuProfDir:
      impl === 'real' && cpuProfDir !== null
        ? path.join(cpuProfDir, `run-${++profiledRuns}-${encrypted ? 'encrypted' : 'plain'}`)
        : null,
    encrypted,
    sendFromJs: members === 'js-paced',
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

/** The canaries' held time per CPU over a phase, relay's CPU first: "12/8". */
function heldMs(p: PhaseReport): string {
  return p.machineHolds.map((h) => h.heldMs.toFixed(0)).join('/');
}

function phaseLine(p: PhaseReport): string {
  const l = p.latencyMs;
  return (
    `in ${p.achievedInRate}/s (offered ${p.offeredInRate}/s)  out ${p.deliveriesPerSec}/s  ` +
    `loss ${p.lossPct}% (${p.receivedDeliveries}/${p.expectedDeliveries})  ` +
    `latency p50 ${l.p50} p99 ${l.p99} p99.9 ${l.p999} max ${l.max} ms  ` +
    `relay CPU ${p.relayCpuPct}% (sys ${p.relayCpuSystemPct}) ${p.relayCpuMicrosPerDelivery} µs/delivery RSS ${p.relayRssMB} MB${p.relayLoopDelayMs ? ` loop delay p99 ${p.relayLoopDelayMs.p99} max ${p.relayLoopDelayMs.max} ms` : ''}  ` +
    `relay in/out ${p.relayInPerSec ?? '?'}/${p.relayOutPerSec ?? '?'} per s  kernel UDP drops ${p.kernelUdpRcvbufDrops ?? '?'}  ` +
    `gen CPU ${p.generatorCpuPct.join('+')}% ${p.generatorCpuMicrosPerDelivery} µs/delivery${p.senderRealtime ? ' (sender real-time)' : ''}${p.relayRealtime ? ' (relay real-time)' : ''}${p.maxSendLagMs > 20 ? ` send lag ${p.maxSendLagMs} ms` : ''}${p.generatorSkipped > 0 ? ` skipped ${p.generatorSkipped}` : ''}` +
    (p.stealMs?.some((ms) => ms > 0) ? `  steal ${p.stealMs.map((ms, cpu) => `cpu${cpu} ${ms}`).join(' ')} ms` : '') +
    (p.machineHolds.length > 0
      ? `  held ${p.machineHolds.map((h) => `cpu${h.cpu} ${h.heldMs.toFixed(1)} ms (longest ${h.longestMs.toFixed(1)})`).join(' ')}`
      : '') +
    (generatorBound(p) ? '  [GENERATOR-BOUND: offered rate not reached]' : '')
  );
}

function passes(p: PhaseReport): boolean {
  return p.lossPct <= MAX_LOSS_PCT && p.latencyMs.p99 <= MAX_P99_MS && !generatorBound(p);
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

async function steady(
  opts: BenchOptions,
  impl: RelayImpl,
  cpuProfDir: string | null,
  members?: Members,
): Promise<WorkloadReport> {
  const spec = specFor(opts, impl, '', opts.rooms, opts.users, {}, cpuProfDir, members);
  const how = spec.encrypted ? ' encrypted' : spec.sendFromJs ? ' (sent from the JS tick)' : '';
  spec.label = `${impl}${how} ${opts.rooms}x${opts.users} @${opts.rate}/s`;
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

/**
 * The encrypted relay beside the plain one, each pair back to back (this machine drifts by tens of
 * per cent within minutes): the same workload through the same generator, `--pairs` times. With the
 * native generator, its paced sender thread seals the encrypted members' chat and its receiver thread
 * opens their room datagrams (bench/native/gen_sealed.c), so the plain run just before (`before`) is
 * the first pair's other half and later pairs run the plain relay again. Otherwise encrypted members
 * send from the generator's 1 ms JS tick, in small bursts where the C sender is smooth, and every
 * pair's plain run sends from that tick too: either way the ratios are the encryption's alone.
 */
async function encryptedBeside(
  opts: BenchOptions,
  cpuProfDir: string | null,
  runs: WorkloadReport[],
  before: WorkloadReport,
): Promise<EncryptedComparison | null> {
  const native = encryptedSendsNative(opts.genIo ?? 'dgram');
  const how = native ? 'sent by the native paced sender' : 'sent from the JS tick';
  const count = opts.pairs > 1 ? `, ${opts.pairs} pairs` : '';
  log(`encrypted beside plain: the same workload ${how}, plain then TLS 1.3 + sealed datagrams${count}`);
  const pairs: RunPair[] = [];
  let last: WorkloadReport | null = null;
  for (let i = 0; i < opts.pairs; i++) {
    let plain = before;
    if (!native || i > 0) {
      plain = await steady(opts, 'real', cpuProfDir, native ? 'as-options' : 'js-paced');
      runs.push(plain);
    }
    const sealed = await steady(opts, 'real', cpuProfDir, 'encrypted');
    runs.push(sealed);
    last = sealed;
    const p = plain.phases[0];
    const e = sealed.phases[0];
    if (!p || !e) return null;
    pairs.push({
      plain: p,
      encrypted: e,
      plainHandshakesPerSec: plain.join.handshakesPerSec,
      tlsHandshakesPerSec: sealed.join.handshakesPerSec,
    });
    if (opts.pairs > 1) {
      const c = compareEncrypted([pairs.at(-1) as RunPair]);
      log(
        `  pair ${i + 1}: relay CPU ${e.relayCpuPct}% vs ${p.relayCpuPct}% = ${String(c.relayCpuPct.encryptedOverPlain)}x; p99 ${e.latencyMs.p99} vs ${p.latencyMs.p99} ms = ${String(c.p99Ms.encryptedOverPlain)}x; loss ${e.lossPct}% vs ${p.lossPct}%` +
          // A pair's ratio means little when the machine held one window's CPUs far longer.
          (e.machineHolds.length > 0 ? `; held ${heldMs(e)} vs ${heldMs(p)} ms (relay's/generator's CPU)` : ''),
      );
    }
  }
  const c = compareEncrypted(pairs);
  const t = c.targets;
  const yes = (ok: boolean): string => (!t.measured ? 'not measured' : ok ? 'ok' : 'NOT MET');
  const med = pairs.length > 1 ? `medians of ${pairs.length} pairs, ` : '';
  log(`  encrypted vs plain (${med}same workload, same generator, both ${how}):`);
  log(`    loss ${c.lossPct.encrypted}% vs ${c.lossPct.plain}% [0 loss: ${yes(t.zeroLoss)}]`);
  log(
    `    relay CPU ${String(c.relayCpuPct.encrypted)}% vs ${String(c.relayCpuPct.plain)}% = ${String(c.relayCpuPct.encryptedOverPlain)}x [≤ ${t.maxCpuRatio}x: ${yes(t.cpuWithin)}]; ${String(c.cpuMicrosPerDelivery.encrypted)} vs ${String(c.cpuMicrosPerDelivery.plain)} µs per delivery`,
  );
  log(
    `    latency p50 ${String(c.p50Ms.encrypted)} vs ${String(c.p50Ms.plain)} ms; p99 ${String(c.p99Ms.encrypted)} vs ${String(c.p99Ms.plain)} ms = ${String(c.p99Ms.encryptedOverPlain)}x [≤ ${t.maxP99Ratio}x: ${yes(t.p99Within)}]`,
  );
  log(
    `    p99 of all pairs' deliveries together: ${String(c.pooledP99Ms.encrypted)} vs ${String(c.pooledP99Ms.plain)} ms = ${String(c.pooledP99Ms.encryptedOverPlain)}x (the verdict is on the pairs' median ratio)`,
  );
  if (last)
    log(
      `    TLS handshakes ${String(c.handshakesPerSec.tls)}/s (plain TCRP ${String(c.handshakesPerSec.plain)}/s), ${last.join.joined}/${last.join.users} members, ${opts.handshakeConcurrency} at a time`,
    );
  const sealed = pairs.at(-1)?.encrypted.sealed;
  if (sealed)
    log(
      `    sealed datagrams received: ${sealed.opened} opened, ${sealed.refused} refused, ${sealed.notSealed} not sealed; ${sealed.roomKeys} room keys taken`,
    );
  if (!t.measured)
    log(
      `    [GENERATOR-BOUND: the ${c.generatorBound.encrypted ? 'encrypted' : 'plain'} run did not offer the full rate, so the targets are not measured]`,
    );
  return c;
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
      // This process too keeps off the relay's CPUs: unpinned, its collector threads took CPU 0
      // from the relay for 5-10 ms at a time (scheduler trace, 2026-12-06).
      pinProcess(process.pid, cpuPlan(machineInfo().nproc, opts.relayWorkers).generator);
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
    opts.dialect === 'plain' && opts.impl === 'real' && opts.encrypted !== 'only'
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
    `generator UDP: ${opts.genIo}${opts.genIo === 'native' ? ` (receiver ${opts.rxPollMicros > 0 ? `polls every ${opts.rxPollMicros} µs` : 'woken per datagram'})` : ''}; real relay UDP: ${opts.relayUdp}${opts.pin ? '; pinned: relay CPU 0 (real-time in each phase), generator and bench CPU 1' : ''}${opts.rps ? `; RPS namespace ${String(insideRpsNamespace())}` : ''}`,
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
      `steady: ${opts.rooms} rooms x ${opts.users} users x ${opts.rate} msg/s, ${opts.size} B, ${opts.encrypted === 'only' ? 'encrypted members' : opts.dialect}${opts.password ? ', passwords' : ''}; ${opts.warmupSec} s warm-up + ${opts.durationSec} s`,
    );
    const real = await steady(opts, opts.impl, cpuProfDir);
    runs.push(real);
    if (opts.encrypted === 'beside') {
      if (opts.impl !== 'real' || opts.relayWorkers > 1)
        log('encrypted beside plain: skipped (it needs the real relay as one process)');
      else result['encrypted'] = await encryptedBeside(opts, cpuProfDir, runs, real);
    }
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
    // One profile per profiled relay run (the plain and the encrypted relay each have their own).
    const profiled = runs.filter((r) => r.cpuProfile !== null);
    const profiles: Record<string, unknown>[] = [];
    for (const run of profiled) {
      const file = run.cpuProfile as string;
      // Only the run's measured windows: not start-up, not the join storm.
      const windows = run.phases.map((p) => ({ start: p.windowStartMicros, end: p.windowEndMicros }));
      const top: TopFrame[] = topSelfFrames(readProfile(file), 15, windows);
      const whole: TopFrame[] = topSelfFrames(readProfile(file), 15);
      profiles.push({ run: run.label, file, topInMeasuredWindows: top, topWholeRun: whole });
      log(
        `\nrelay CPU profile of ${run.label}: ${file}\ntop 15 self-time frames in the measured window(s), idle excluded:\n${formatTopFrames(top)}`,
      );
    }
    if (profiles.length === 0) log('no CPU profile was written');
    // `cpuProfile` stays the first profile, as earlier result files have it.
    if (profiles.length > 0) result['cpuProfile'] = profiles[0];
    if (profiles.length > 1) result['cpuProfiles'] = profiles;
  }

  const out = path.join(opts.outDir, `${stamp}.json`);
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  log(`\nresults: ${out}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
