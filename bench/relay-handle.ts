// Parent side of a relay child process: start it, pin it, ask it for CPU/RSS, stop it.
import { fork, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { RELAY_PROCESS_FLAGS } from '../src-main/engine/index.js';
import { C_RELAY_THREAD } from './c-relay.js';
import { relayEntry } from './relay-bundle.js';
import type { RelayStatsMessage } from './relay-process.js';

export type RelayImpl = 'real' | 'naive' | 'minimal' | 'c';

export interface RelayStartOptions {
  impl: RelayImpl;
  serverOptions: Record<string, unknown>;
  /** CPU list for taskset, e.g. "0"; null: not pinned. */
  pinCpus: string | null;
  /** With shard processes: one CPU list per shard, pinned once they listen. */
  shardCpus?: string[];
  /** Directory for a --cpu-prof profile; null: no profile. */
  cpuProfDir: string | null;
  /**
   * Keep the server's per-IP abuse limits (hash budget, creates, enumeration answers). Benchmarks
   * set up thousands of rooms from a few IPs, so by default the limits are lifted.
   */
  keepAbuseLimits?: boolean;
}

/** Server options that lift the per-IP abuse limits for a load benchmark. */
export const LIFTED_ABUSE_LIMITS: Record<string, number> = {
  hashBurstPerIp: 0,
  createBurstPerIp: 0,
  refusalBurstPerIp: 0,
  // As many hashes at once as libuv has threads, and no queue or per-IP cap a set-up could reach.
  hashConcurrency: 4,
  maxQueuedHashes: 1_000_000,
  maxHashJobsPerIp: 1_000_000,
};

export interface RelayAddress {
  host: string;
  tcpPort: number;
  udpPort: number;
}

/** Pins every thread of a running process to the given CPUs. Returns false if taskset failed. */
export function pinProcess(pid: number, cpus: string): boolean {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export class RelayHandle {
  private pending: ((m: RelayStatsMessage) => void)[] = [];

  private constructor(
    readonly child: ChildProcess,
    readonly address: RelayAddress,
    readonly impl: RelayImpl,
    private readonly shardPids: number[],
  ) {
    child.on('message', (msg: { type?: string }) => {
      if (msg.type === 'stats') this.pending.shift()?.(msg as RelayStatsMessage);
    });
  }

  static async start(options: RelayStartOptions): Promise<RelayHandle> {
    // --expose-gc only lets the bench force a collection before reading live memory, between phases.
    const execArgv: string[] = ['--expose-gc'];
    // Our relay runs as `tincan serve` runs it (src-main/engine/server/relay-process-flags.ts).
    if (options.impl === 'real') execArgv.push(...RELAY_PROCESS_FLAGS);
    if (options.cpuProfDir) execArgv.push('--cpu-prof', '--cpu-prof-dir', options.cpuProfDir);
    // Confined to one core, V8's helper threads (concurrent marking, compilation) can only preempt
    // the event loop, for a scheduler slice of 10-20 ms at a time: keep the collector on the loop.
    if (options.pinCpus !== null) execArgv.push('--single-threaded-gc');
    if (process.env['TINCAN_BENCH_TRACE_GC']) execArgv.push('--trace-gc');
    if (process.env['TINCAN_BENCH_RELAY_FLAGS']) execArgv.push(...process.env['TINCAN_BENCH_RELAY_FLAGS'].split(' '));
    const serverOptions = options.keepAbuseLimits
      ? options.serverOptions
      : { ...LIFTED_ABUSE_LIMITS, ...options.serverOptions };
    const child = fork(await relayEntry(), [options.impl, JSON.stringify(serverOptions)], {
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let shardPids: number[] = [];
    const address = await new Promise<RelayAddress>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('relay did not start within 30 s')), 30_000);
      child.once('exit', (code) => reject(new Error(`relay exited with code ${String(code)} before it was ready`)));
      child.on('message', (msg: { type?: string; address?: RelayAddress; message?: string; shardPids?: number[] }) => {
        if (msg.type === 'ready' && msg.address) {
          clearTimeout(timer);
          shardPids = msg.shardPids ?? [];
          resolve(msg.address);
        } else if (msg.type === 'error') {
          clearTimeout(timer);
          reject(new Error(`relay failed to start: ${String(msg.message)}`));
        }
      });
    });
    if (options.pinCpus !== null && child.pid !== undefined) pinProcess(child.pid, options.pinCpus);
    shardPids.forEach((pid, i) => {
      const cpus = options.shardCpus?.[i];
      if (cpus !== undefined && pid > 0) pinProcess(pid, cpus);
    });
    return new RelayHandle(child, address, options.impl, shardPids);
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /**
   * Puts the event-loop thread of the relay (and of each shard) at real-time priority, or back to
   * the normal policy. For a pinned window: the relay's CPU is still not its own — the machine's
   * own agents and kernel threads run there too, and each of their 8-12 ms slices holds up every
   * datagram behind it (traced on 2026-12-06 with TINCAN_BENCH_TRACE_STALLS and a scheduler trace).
   * Only the thread that runs the relay's loop is raised: a Node relay's main thread (a V8 or libuv
   * helper at the same FIFO priority could otherwise hold the loop up until it blocks), the C
   * relay's own named thread (raising every thread of that process cost it 5.1 → 28.7 % CPU and
   * p99 0.13 → 3.2 ms at 1,000 datagrams/s in). The kernel's real-time throttling still leaves
   * other tasks 5 % of the CPU. Returns false if chrt is missing or not permitted.
   */
  setRealtime(on: boolean): boolean {
    const threads = this.loopThreads();
    const policy = on ? ['-f', '-p', '1'] : ['-o', '-p', '0'];
    try {
      for (const tid of threads) execFileSync('chrt', [...policy, String(tid)], { stdio: 'ignore' });
      return threads.length > 0;
    } catch {
      return false;
    }
  }

  /** The ids of the threads that run the relay's loop: one per process, or per shard. */
  private loopThreads(): number[] {
    const pids = [this.pid, ...this.shardPids].filter((pid) => pid > 0);
    if (this.impl !== 'c') return pids;
    return pids.flatMap((pid) => {
      try {
        return fs
          .readdirSync(`/proc/${pid}/task`)
          .filter((tid) => fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim() === C_RELAY_THREAD)
          .map(Number);
      } catch {
        return [];
      }
    });
  }

  /** The relay's counters; with `collect`, after a full garbage collection (for live-memory figures). */
  stats(collect = false): Promise<RelayStatsMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('relay did not answer a stats request')), 10_000);
      this.pending.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.child.send({ type: 'stats', collect });
    });
  }

  /** Closes the server and waits for the process to exit (so a CPU profile is complete). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'close' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}
