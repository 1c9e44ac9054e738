// Runs the load generator in N worker processes (or in this process when N = 0), hands each worker
// whole rooms, and adds their reports up.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import hdr from 'hdr-histogram-js';
import { pinProcess } from '../relay-handle.js';
import { LoadGenerator, newLatencyHistogram } from './load-generator.js';
import type { GeneratorConfig, JoinResult, PhaseResult, PhaseSpec } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

interface GeneratorLike {
  join(config: GeneratorConfig): Promise<JoinResult>;
  runPhase(spec: PhaseSpec): Promise<PhaseResult>;
  close(): Promise<void>;
}

class LocalGenerator implements GeneratorLike {
  private gen: LoadGenerator | null = null;
  join(config: GeneratorConfig): Promise<JoinResult> {
    this.gen = new LoadGenerator(config);
    return this.gen.join();
  }
  runPhase(spec: PhaseSpec): Promise<PhaseResult> {
    if (!this.gen) throw new Error('phase before join');
    return this.gen.runPhase(spec);
  }
  async close(): Promise<void> {
    await this.gen?.close();
  }
}

class WorkerGenerator implements GeneratorLike {
  private waiting: { type: string; resolve: (v: unknown) => void; reject: (e: Error) => void } | null = null;

  private constructor(readonly child: ChildProcess) {
    child.on('message', (msg: { type: string; result?: unknown; message?: string }) => {
      const w = this.waiting;
      if (!w) return;
      if (msg.type === 'error') {
        this.waiting = null;
        w.reject(new Error(`generator worker failed: ${String(msg.message)}`));
      } else if (msg.type === w.type) {
        this.waiting = null;
        w.resolve(msg.result);
      }
    });
    child.on('exit', (code) => {
      const w = this.waiting;
      this.waiting = null;
      w?.reject(new Error(`generator worker exited with code ${String(code)}`));
    });
  }

  static async start(pinCpus: string | null): Promise<WorkerGenerator> {
    const child = fork(path.join(here, 'worker.ts'), [], {
      // TINCAN_BENCH_GEN_FLAGS: extra node flags for the workers (e.g. --cpu-prof), as for the relay.
      execArgv: ['--import', 'tsx', ...(process.env['TINCAN_BENCH_GEN_FLAGS']?.split(' ') ?? [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`generator worker exited with code ${String(code)}`)));
    });
    if (pinCpus !== null && child.pid !== undefined) pinProcess(child.pid, pinCpus);
    return new WorkerGenerator(child);
  }

  private request<T>(msg: unknown, replyType: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting = { type: replyType, resolve: resolve as (v: unknown) => void, reject };
      this.child.send(msg as object);
    });
  }

  join(config: GeneratorConfig): Promise<JoinResult> {
    return this.request({ type: 'join', config }, 'joined');
  }
  runPhase(spec: PhaseSpec): Promise<PhaseResult> {
    return this.request({ type: 'phase', spec }, 'phase-done');
  }
  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'close' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** A phase's results from every worker, added up, with the merged latency histogram. */
export interface PhaseTotals extends Omit<PhaseResult, 'histogram' | 'cpuMicros'> {
  latency: hdr.Histogram;
  windowStartMicros: number;
  /** CPU of each generator process over the window, µs. */
  cpuMicrosPerProcess: number[];
}

export class GeneratorPool {
  private constructor(private readonly generators: GeneratorLike[]) {}

  /** procs = 0 runs the generator inside this process. */
  static async start(procs: number, pinCpus: string | null): Promise<GeneratorPool> {
    if (procs <= 0) {
      if (pinCpus !== null) pinProcess(process.pid, pinCpus);
      return new GeneratorPool([new LocalGenerator()]);
    }
    const gens: GeneratorLike[] = [];
    for (let i = 0; i < procs; i++) gens.push(await WorkerGenerator.start(pinCpus));
    return new GeneratorPool(gens);
  }

  async join(config: GeneratorConfig): Promise<JoinResult> {
    const n = this.generators.length;
    // The handshake concurrency is for the whole storm (the server caps connections per IP).
    const concurrency = Math.max(1, Math.floor(config.handshakeConcurrency / n));
    const results = await Promise.all(
      this.generators.map((g, i) =>
        g.join({
          ...config,
          handshakeConcurrency: concurrency,
          rooms: config.rooms.filter((_, r) => r % n === i),
          canaryCpus: i === 0 ? config.canaryCpus : undefined,
        }),
      ),
    );
    const stormStartMicros = Math.min(...results.map((r) => r.stormStartMicros));
    const stormEndMicros = Math.max(...results.map((r) => r.stormEndMicros));
    const total: JoinResult = {
      users: 0,
      joined: 0,
      failed: 0,
      failures: {},
      retries: 0,
      durationMs: (stormEndMicros - stormStartMicros) / 1_000,
      stormStartMicros,
      stormEndMicros,
      socketsOpened: 0,
    };
    for (const r of results) {
      total.users += r.users;
      total.joined += r.joined;
      total.failed += r.failed;
      total.retries += r.retries;
      total.socketsOpened += r.socketsOpened;
      for (const [k, v] of Object.entries(r.failures)) total.failures[k] = (total.failures[k] ?? 0) + v;
    }
    return total;
  }

  async runPhase(spec: PhaseSpec): Promise<PhaseTotals> {
    const results = await Promise.all(this.generators.map((g) => g.runPhase(spec)));
    const latency = newLatencyHistogram();
    const totals: PhaseTotals = {
      users: 0,
      sentTotal: 0,
      sentInWindow: 0,
      skipped: 0,
      skippedInWindow: 0,
      expected: 0,
      received: 0,
      receivedOutside: 0,
      notices: 0,
      acks: 0,
      unknown: 0,
      maxSendLagMs: 0,
      senderRealtime: results.length > 0,
      sendErrors: 0,
      sealed: null,
      windowMicros: spec.measureEnd - spec.measureStart,
      windowStartMicros: spec.measureStart,
      latency,
      cpuMicrosPerProcess: [],
      machineHolds: [],
    };
    for (const r of results) {
      totals.users += r.users;
      totals.sentTotal += r.sentTotal;
      totals.sentInWindow += r.sentInWindow;
      totals.skipped += r.skipped;
      totals.skippedInWindow += r.skippedInWindow;
      totals.expected += r.expected;
      totals.received += r.received;
      totals.receivedOutside += r.receivedOutside;
      totals.notices += r.notices;
      totals.acks += r.acks;
      totals.unknown += r.unknown;
      totals.sendErrors += r.sendErrors;
      if (r.sealed) {
        const s = (totals.sealed ??= { opened: 0, refused: 0, notSealed: 0, bufferDropped: 0, roomKeys: 0 });
        s.bufferDropped += r.sealed.bufferDropped;
        s.opened += r.sealed.opened;
        s.refused += r.sealed.refused;
        s.notSealed += r.sealed.notSealed;
        s.roomKeys += r.sealed.roomKeys;
      }
      totals.maxSendLagMs = Math.max(totals.maxSendLagMs, r.maxSendLagMs);
      totals.senderRealtime &&= r.senderRealtime;
      totals.cpuMicrosPerProcess.push(r.cpuMicros);
      totals.machineHolds.push(...r.machineHolds);
      latency.add(hdr.decodeFromCompressedBase64(r.histogram));
    }
    return totals;
  }

  async close(): Promise<void> {
    await Promise.all(this.generators.map((g) => g.close()));
  }
}
