// One bench scenario end to end: start a relay child, connect the simulated users (the join storm),
// run one or more measured phases, and report them. An encrypted scenario gives the relay a host
// identity in a temporary folder and has every simulated user pin its fingerprint.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import hdr from 'hdr-histogram-js';
import { loadOrCreateHostIdentity } from '../src-main/engine/index.js';
import { nowMicros, sleep, sleepUntil } from './clock.js';
import { cpuPlan } from './cpu-plan.js';
import { readStealMs, stealBetween } from './cpu-steal.js';
import { machineInfo } from './machine.js';
import { GeneratorPool, type PhaseTotals } from './gen/generator-pool.js';
import { encryptedSendsNative } from './gen/native-udp.js';
import type { Dialect, GenIo, GenRoomSpec, JoinResult, MachineHold, SealedCounts } from './gen/types.js';
import { RelayHandle, type RelayImpl } from './relay-handle.js';
import type { RelayStatsMessage } from './relay-process.js';
import { readUdpCounters, type UdpCounters } from './udp-drops.js';

export interface WorkloadSpec {
  label: string;
  impl: RelayImpl;
  rooms: number;
  usersPerRoom: number;
  messageBytes: number;
  password: boolean;
  dialect: Dialect;
  genProcs: number;
  socketPool: number;
  sourceIps: number;
  handshakeConcurrency: number;
  pin: boolean;
  genIo: GenIo;
  rxPollMicros: number;
  cpuProfDir: string | null;
  /**
   * Encrypted members (real relay only): TLS handshakes with the relay's certificate pinned, sealed
   * datagrams both ways (Tincan dialect, node:dgram generator, a socket per user).
   */
  encrypted: boolean;
  /** Send chat from the JS tick even with native io, paced as encrypted members are (default false). */
  sendFromJs?: boolean;
  /** Extra options for the real server (the naive relay ignores them). */
  serverOptions: Record<string, unknown>;
}

export interface PhasePlan {
  ratePerUser: number;
  warmupMs: number;
  durationMs: number;
  drainMs: number;
  /** Sample the relay's RSS this often during the phase (soak); 0: only at the ends. */
  rssSampleEveryMs: number;
}

export interface LatencySummaryMs {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface PhaseReport {
  /** The measured window in nowMicros() time (also the CPU profile's clock). */
  windowStartMicros: number;
  windowEndMicros: number;
  ratePerUser: number;
  users: number;
  offeredInRate: number;
  achievedInRate: number;
  expectedDeliveries: number;
  receivedDeliveries: number;
  lossPct: number;
  deliveriesPerSec: number;
  latencyMs: LatencySummaryMs;
  /** The window's whole latency histogram (µs, HdrHistogram compressed base64): for pooling runs. */
  latencyHistogram: string;
  relayCpuPct: number;
  /** The kernel's share of relayCpuPct (on loopback the sender's sendmsg also runs the receiver's UDP stack). */
  relayCpuSystemPct: number;
  relayCpuMicrosPerDelivery: number;
  relayCpuMicrosPerInbound: number;
  relayRssMB: number;
  /** The relay's event-loop delay over the window (ms), from monitorEventLoopDelay. */
  relayLoopDelayMs: { p50: number; p99: number; max: number } | null;
  generatorCpuPct: number[];
  /** Generator CPU (all processes) per delivery received, µs: the cost of the measuring side. */
  generatorCpuMicrosPerDelivery: number;
  maxSendLagMs: number;
  /** Whether every generator's paced sender ran at real-time priority. */
  senderRealtime: boolean;
  /** Whether the relay's event loop ran at real-time priority over the phase (pinned runs). */
  relayRealtime: boolean;
  /** Messages the generator skipped in the window because it lagged (0 when it kept up). */
  generatorSkipped: number;
  notices: number;
  acks: number;
  unknown: number;
  sendErrors: number;
  rssSamplesMB: { atSec: number; rssMB: number }[];
  /** Datagrams the relay counted in and out during the window (from its stats()), per second. */
  relayInPerSec: number | null;
  relayOutPerSec: number | null;
  /** Kernel-wide UDP receive-buffer drops during the window (Linux), all sockets on the machine. */
  kernelUdpRcvbufDrops: number | null;
  /** CPU time the hypervisor took per CPU over the window, ms (bench/cpu-steal.ts); with --pin CPU 0 is the relay's. */
  stealMs: number[] | null;
  /**
   * Pinned runs: how long the machine held the relay's CPU and the generator's from a canary at the
   * highest priority (bench/native/gen_canary.c) — the hypervisor or the kernel, never our code.
   */
  machineHolds: MachineHold[];
  /** Encrypted runs: received datagrams opened, refused, not sealed, and room keys taken (else null). */
  sealed: SealedCounts | null;
  relayServerStats: unknown;
}

/** Live memory of the relay (after a forced GC) idle and with every user joined. */
export interface RelayMemory {
  idleHeapMB: number;
  afterJoinHeapMB: number;
  heapBytesPerMember: number;
  rssBytesPerMember: number;
}

export interface WorkloadReport {
  label: string;
  impl: RelayImpl;
  rooms: number;
  usersPerRoom: number;
  messageBytes: number;
  dialect: Dialect;
  password: boolean;
  encrypted: boolean;
  /** Chat was sent from the generator's JS tick (encrypted members, and the plain run beside them). */
  sendFromJs: boolean;
  genProcs: number;
  socketPool: number;
  genIo: GenIo;
  rxPollMicros: number;
  /** The real relay's send path as it reported it ('sendmmsg' or 'dgram'); null for the naive relay. */
  relaySendPath: string | null;
  pinned: boolean;
  join: JoinResult & { handshakesPerSec: number };
  relayRssAfterJoinMB: number;
  relayIdleRssMB: number;
  relayMemory: RelayMemory;
  phases: PhaseReport[];
  cpuProfile: string | null;
}

const MB = 2 ** 20;
const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

export function roomSpecs(rooms: number, usersPerRoom: number, password: boolean): GenRoomSpec[] {
  const out: GenRoomSpec[] = [];
  for (let r = 0; r < rooms; r++) {
    const users: string[] = [];
    for (let u = 0; u < usersPerRoom; u++) users.push(`u${u}-r${r}`);
    out.push({ name: `bench-${r}`, users, password: password ? `pw-${r}` : '' });
  }
  return out;
}

function summarize(totals: PhaseTotals): LatencySummaryMs {
  const h = totals.latency;
  const ms = (us: number): number => round(us / 1_000, 3);
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
    mean: ms(h.mean),
  };
}

/** A running scenario: relay + connected users, ready for phases. */
export class Workload {
  private constructor(
    readonly spec: WorkloadSpec,
    readonly relay: RelayHandle,
    readonly pool: GeneratorPool,
    readonly join: JoinResult,
    readonly relayIdleRssMB: number,
    readonly relayRssAfterJoinMB: number,
    readonly relaySendPath: string | null,
    readonly memory: RelayMemory,
    /** The temporary folder of the relay's host identity (encrypted runs), removed by stop(). */
    private readonly identityDir: string | null,
  ) {}

  static async start(spec: WorkloadSpec, log: (line: string) => void): Promise<Workload> {
    const workers = typeof spec.serverOptions['workers'] === 'number' ? spec.serverOptions['workers'] : 1;
    const plan = spec.pin ? cpuPlan(machineInfo().nproc, workers) : null;
    if (spec.encrypted && (spec.impl !== 'real' || workers > 1))
      throw new Error('encrypted runs need the real relay as one process (no --relay-workers)');
    // The identity is made here and read back by the relay from the same files, so the pin the users
    // check comes from the bench, not from what the relay says about itself.
    const identityDir = spec.encrypted ? fs.mkdtempSync(path.join(os.tmpdir(), 'tincan-bench-identity-')) : null;
    const fingerprint = identityDir ? (await loadOrCreateHostIdentity(identityDir)).fingerprint : null;
    const relay = await RelayHandle.start({
      impl: spec.impl,
      serverOptions: {
        host: '127.0.0.1',
        port: 0,
        ...spec.serverOptions,
        ...(identityDir ? { identityDir } : {}),
      },
      pinCpus: plan?.relay ?? null,
      shardCpus: plan?.shards,
      cpuProfDir: spec.cpuProfDir,
    });
    let pool: GeneratorPool | null = null;
    try {
      const idle = await relay.stats(true);
      const sendPath = (idle.server as { sendPath?: string } | null)?.sendPath ?? null;
      // Relay (or its shards) on the first CPUs, generators on all the others (bench/cpu-plan.ts).
      pool = await GeneratorPool.start(spec.genProcs, plan?.generator ?? null);
      const sourceIps: string[] = [];
      for (let i = 0; i < Math.max(1, spec.sourceIps); i++) sourceIps.push(`127.0.0.${1 + i}`);
      log(
        `  ${spec.label}: ${spec.impl} relay pid ${relay.pid} on ${relay.address.host}:${relay.address.tcpPort}${sendPath ? ` (UDP: ${sendPath})` : ''}; join storm of ${spec.rooms * spec.usersPerRoom} users…`,
      );
      const join = await pool.join({
        tcpHost: relay.address.host,
        tcpPort: relay.address.tcpPort,
        udpHost: relay.address.host,
        udpPort: relay.address.udpPort,
        localAddresses: sourceIps,
        rooms: roomSpecs(spec.rooms, spec.usersPerRoom, spec.password),
        dialect: spec.dialect,
        messageBytes: spec.messageBytes,
        handshakeConcurrency: spec.handshakeConcurrency,
        handshakeTimeoutMs: 30_000,
        socketPool: spec.socketPool,
        io: spec.genIo,
        rxPollMicros: spec.rxPollMicros,
        encryption: fingerprint ? { fingerprint } : null,
        sendFromJs: spec.sendFromJs === true,
        canaryCpus: plan !== null ? [parseInt(plan.relay, 10), parseInt(plan.generator, 10)] : [],
      });
      // Let the join notices drain (a big room announces every join to every member) before
      // anything is measured: wait until the relay is mostly idle, at most 60 s.
      const settleStart = nowMicros();
      let last = await relay.stats();
      for (;;) {
        await sleep(250);
        const now = await relay.stats();
        const busy = now.cpuUserMicros + now.cpuSystemMicros - last.cpuUserMicros - last.cpuSystemMicros;
        last = now;
        if (busy < 0.25 * 250_000 || nowMicros() - settleStart > 60_000_000) break;
      }
      const afterJoin = await relay.stats(true);
      log(
        `  joined ${join.joined}/${join.users} in ${round(join.durationMs / 1000)} s (${Math.round((join.joined * 1000) / join.durationMs)} ${spec.encrypted ? 'TLS ' : ''}handshakes/s, ${spec.handshakeConcurrency} at a time)${join.failed ? `, failures ${JSON.stringify(join.failures)}` : ''}`,
      );
      const memory = {
        idleHeapMB: idle.heapUsedBytes / MB,
        afterJoinHeapMB: afterJoin.heapUsedBytes / MB,
        heapBytesPerMember:
          join.joined > 0 ? Math.round((afterJoin.heapUsedBytes - idle.heapUsedBytes) / join.joined) : 0,
        rssBytesPerMember: join.joined > 0 ? Math.round((afterJoin.rssBytes - idle.rssBytes) / join.joined) : 0,
      };
      log(
        `  live heap ${round(memory.idleHeapMB, 1)} MB idle → ${round(memory.afterJoinHeapMB, 1)} MB with ${join.joined} members: ${memory.heapBytesPerMember} B heap, ${memory.rssBytesPerMember} B RSS per member (incl. ${spec.rooms} rooms)`,
      );
      return new Workload(
        spec,
        relay,
        pool,
        join,
        idle.rssBytes / MB,
        afterJoin.rssBytes / MB,
        sendPath,
        memory,
        identityDir,
      );
    } catch (err) {
      await pool?.close();
      await relay.stop();
      if (identityDir) fs.rmSync(identityDir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Runs one phase; the relay's CPU is read at the window's two ends. */
  async runPhase(plan: PhasePlan): Promise<PhaseReport> {
    // Pinned, the relay gets its CPU to itself for the phase (RelayHandle.setRealtime), and only
    // for the phase: the join storm before it runs at the normal priority.
    const relayRealtime = this.spec.pin && this.relay.setRealtime(true);
    try {
      return { ...(await this.measurePhase(plan)), relayRealtime };
    } finally {
      if (relayRealtime) this.relay.setRealtime(false);
    }
  }

  private async measurePhase(plan: PhasePlan): Promise<Omit<PhaseReport, 'relayRealtime'>> {
    const startAt = nowMicros() + 300_000;
    const measureStart = startAt + plan.warmupMs * 1_000;
    const measureEnd = measureStart + plan.durationMs * 1_000;
    const drainUntil = measureEnd + plan.drainMs * 1_000;
    const phase = this.pool.runPhase({ ratePerUser: plan.ratePerUser, startAt, measureStart, measureEnd, drainUntil });
    await sleepUntil(measureStart);
    const before = await this.relay.stats();
    const udpBefore = readUdpCounters();
    const stealBefore = readStealMs();
    const rssSamples: { atSec: number; rssMB: number }[] = [{ atSec: 0, rssMB: round(before.rssBytes / MB, 1) }];
    let sampler: NodeJS.Timeout | null = null;
    if (plan.rssSampleEveryMs > 0) {
      sampler = setInterval(() => {
        void this.relay
          .stats()
          .then((s) =>
            rssSamples.push({ atSec: round((nowMicros() - measureStart) / 1e6, 1), rssMB: round(s.rssBytes / MB, 1) }),
          );
      }, plan.rssSampleEveryMs);
    }
    await sleepUntil(measureEnd);
    if (sampler) clearInterval(sampler);
    const after = await this.relay.stats();
    const udpAfter = readUdpCounters();
    const stealMs = stealBetween(stealBefore, readStealMs());
    const totals = await phase;
    return report(plan, totals, before, after, this.join.joined, rssSamples, udpBefore, udpAfter, stealMs);
  }

  async stop(): Promise<void> {
    await this.pool.close();
    await this.relay.stop();
    if (this.identityDir) fs.rmSync(this.identityDir, { recursive: true, force: true });
  }

  summary(phases: PhaseReport[], cpuProfile: string | null): WorkloadReport {
    const s = this.spec;
    return {
      label: s.label,
      impl: s.impl,
      rooms: s.rooms,
      usersPerRoom: s.usersPerRoom,
      messageBytes: s.messageBytes,
      dialect: s.dialect,
      password: s.password,
      encrypted: s.encrypted,
      sendFromJs: (s.encrypted && !encryptedSendsNative(s.genIo)) || s.sendFromJs === true,
      genProcs: s.genProcs,
      socketPool: s.socketPool,
      genIo: s.genIo,
      rxPollMicros: s.rxPollMicros,
      relaySendPath: this.relaySendPath,
      pinned: s.pin,
      join: {
        ...this.join,
        handshakesPerSec: Math.round((this.join.joined * 1000) / Math.max(1, this.join.durationMs)),
      },
      relayIdleRssMB: round(this.relayIdleRssMB, 1),
      relayRssAfterJoinMB: round(this.relayRssAfterJoinMB, 1),
      relayMemory: {
        ...this.memory,
        idleHeapMB: round(this.memory.idleHeapMB, 1),
        afterJoinHeapMB: round(this.memory.afterJoinHeapMB, 1),
      },
      phases,
      cpuProfile,
    };
  }
}

function report(
  plan: PhasePlan,
  totals: PhaseTotals,
  before: RelayStatsMessage,
  after: RelayStatsMessage,
  users: number,
  rssSamplesMB: { atSec: number; rssMB: number }[],
  udpBefore: UdpCounters | null,
  udpAfter: UdpCounters | null,
  stealMs: number[] | null,
): Omit<PhaseReport, 'relayRealtime'> {
  const seconds = totals.windowMicros / 1e6;
  const relayCpu = after.cpuUserMicros + after.cpuSystemMicros - before.cpuUserMicros - before.cpuSystemMicros;
  rssSamplesMB.push({ atSec: round(seconds, 1), rssMB: round(after.rssBytes / MB, 1) });
  return {
    windowStartMicros: totals.windowStartMicros,
    windowEndMicros: totals.windowStartMicros + totals.windowMicros,
    ratePerUser: plan.ratePerUser,
    users,
    offeredInRate: round(users * plan.ratePerUser, 1),
    achievedInRate: round(totals.sentInWindow / seconds, 1),
    expectedDeliveries: totals.expected,
    receivedDeliveries: totals.received,
    lossPct: totals.expected > 0 ? round((100 * (totals.expected - totals.received)) / totals.expected, 4) : 0,
    deliveriesPerSec: round(totals.received / seconds, 1),
    latencyMs: summarize(totals),
    latencyHistogram: hdr.encodeIntoCompressedBase64(totals.latency),
    relayCpuPct: round((100 * relayCpu) / totals.windowMicros, 1),
    relayCpuSystemPct: round((100 * (after.cpuSystemMicros - before.cpuSystemMicros)) / totals.windowMicros, 1),
    relayCpuMicrosPerDelivery: totals.received > 0 ? round(relayCpu / totals.received, 2) : 0,
    relayCpuMicrosPerInbound: totals.sentInWindow > 0 ? round(relayCpu / totals.sentInWindow, 2) : 0,
    relayRssMB: round(after.rssBytes / MB, 1),
    relayLoopDelayMs: after.loopDelayMs
      ? {
          p50: round(after.loopDelayMs.p50, 2),
          p99: round(after.loopDelayMs.p99, 2),
          max: round(after.loopDelayMs.max, 2),
        }
      : null,
    generatorCpuPct: totals.cpuMicrosPerProcess.map((c) => round((100 * c) / totals.windowMicros, 1)),
    generatorCpuMicrosPerDelivery:
      totals.received > 0 ? round(totals.cpuMicrosPerProcess.reduce((a, b) => a + b, 0) / totals.received, 2) : 0,
    maxSendLagMs: totals.maxSendLagMs,
    senderRealtime: totals.senderRealtime,
    generatorSkipped: totals.skippedInWindow,
    notices: totals.notices,
    acks: totals.acks,
    unknown: totals.unknown,
    sendErrors: totals.sendErrors,
    rssSamplesMB: plan.rssSampleEveryMs > 0 ? rssSamplesMB : [],
    relayInPerSec: counterRate(before.server, after.server, 'datagramsIn', seconds),
    relayOutPerSec:
      counterRate(before.server, after.server, 'datagramsRelayed', seconds) ??
      counterRate(before.server, after.server, 'datagramsOut', seconds),
    kernelUdpRcvbufDrops: udpBefore && udpAfter ? udpAfter.rcvbufErrors - udpBefore.rcvbufErrors : null,
    stealMs,
    machineHolds: totals.machineHolds,
    sealed: totals.sealed,
    relayServerStats: after.server,
  };
}

/** Per-second rate of a numeric counter in two stats() snapshots, or null if the relay lacks it. */
function counterRate(before: unknown, after: unknown, key: string, seconds: number): number | null {
  const a = (before as Record<string, unknown> | null)?.[key];
  const b = (after as Record<string, unknown> | null)?.[key];
  return typeof a === 'number' && typeof b === 'number' ? round((b - a) / seconds, 1) : null;
}
