// The shard processes of a ShardedChatServer (docs/MULTICORE.md): starts one per descriptor of the
// SO_REUSEPORT group, checks what each one says, starts a new one when one dies, and stops them all
// in order. What the messages mean is the server's business (hooks).
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log.js';
import { RELAY_PROCESS_FLAGS } from './relay-process-flags.js';
import { isFromShard, SHARD_UDP_FD, type FromShard, type ShardConfig, type ToShard } from './shard-messages.js';

/** How close() waits for a shard to send its shutdown notices and exit. */
const SHARD_CLOSE_MS = 5_000;
/** How long a shard may take to start listening. */
const SHARD_START_MS = 30_000;
/** Delay before starting a shard again after a failed restart. */
const RESTART_RETRY_MS = 1_000;

export interface ShardEntry {
  path: string;
  execArgv: string[];
}

/** One shard: its socket of the group, and the process serving it (none while it is replaced). */
export interface ShardProcess {
  readonly index: number;
  readonly fd: number;
  child: ChildProcess | null;
  /** The child listens and takes connections. */
  ready: boolean;
}

export interface ShardExit {
  /** The server is closing: the child was asked to go. */
  closing: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SupervisorHooks {
  /** What the current child of a shard said (anything but its start-up report). */
  message(shard: ShardProcess, msg: Exclude<FromShard, { type: 'ready' | 'failed' }>): void;
  /** The shard's child listens: connections held for it can go. */
  ready(shard: ShardProcess): void;
  /** The shard's child died; a new one starts unless the server is closing. */
  exited(shard: ShardProcess, exit: ShardExit): void;
}

/** Runs shard-process.js (or .ts through tsx) next to this file, with the relay's V8 flags. */
export function defaultShardEntry(): ShardEntry {
  const here = import.meta.url;
  // Under a TypeScript loader (tests, tsx) this module is .ts, and so is its sibling.
  if (here.endsWith('.ts'))
    return {
      path: fileURLToPath(new URL('./shard-process.ts', here)),
      execArgv: [...RELAY_PROCESS_FLAGS, '--import', 'tsx'],
    };
  return { path: fileURLToPath(new URL('./shard-process.js', here)), execArgv: [...RELAY_PROCESS_FLAGS] };
}

export class ShardSupervisor {
  readonly shards: ShardProcess[];
  private closing = false;

  constructor(
    fds: number[],
    private readonly entry: ShardEntry,
    private readonly configFor: (index: number) => ShardConfig,
    private readonly hooks: SupervisorHooks,
    private readonly log: Logger,
  ) {
    this.shards = fds.map((fd, index) => ({ index, fd, child: null, ready: false }));
  }

  /** Starts every shard; rejects if one fails to start (the caller then closes). */
  async startAll(): Promise<void> {
    await Promise.all(this.shards.map((s) => this.start(s)));
  }

  /** Process ids of the shards, in shard order (0 while one is starting). */
  get pids(): number[] {
    return this.shards.map((s) => (s.ready ? (s.child?.pid ?? 0) : 0));
  }

  /** The shard's child if it takes messages now. */
  reachable(index: number): ChildProcess | null {
    const shard = this.shards[index];
    const child = shard?.child;
    return shard?.ready && child?.connected ? child : null;
  }

  /** Starts (or restarts) a shard on its descriptor; resolves once it listens. */
  private start(shard: ShardProcess): Promise<void> {
    // The shard's socket at stdio[SHARD_UDP_FD] (3), where the child finds it; IPC after it.
    const stdio: (number | 'inherit' | 'ipc')[] = ['inherit', 'inherit', 'inherit'];
    stdio[SHARD_UDP_FD] = shard.fd;
    stdio.push('ipc');
    const child = fork(this.entry.path, [JSON.stringify(this.configFor(shard.index))], {
      execArgv: this.entry.execArgv,
      stdio,
    });
    shard.child = child;
    shard.ready = false;
    // A send to a child that just went away reports here; the exit handler does the rest.
    child.on('error', (err) => this.log.warn('shard-ipc-error', { shard: shard.index, err }));
    child.once('exit', (code, signal) => this.onExit(shard, child, code, signal));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`shard ${shard.index} did not start within ${SHARD_START_MS} ms`));
      }, SHARD_START_MS);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`shard ${shard.index} exited (${String(code)}) before it listened`));
      });
      child.on('message', (msg: unknown) => {
        if (!isFromShard(msg)) {
          this.log.warn('shard-message-invalid', { shard: shard.index });
          return;
        }
        if (msg.type === 'ready') {
          clearTimeout(timer);
          shard.ready = true;
          this.hooks.ready(shard);
          resolve();
        } else if (msg.type === 'failed') {
          reject(new Error(`shard ${shard.index}: ${msg.message}`));
          child.kill('SIGKILL'); // it exits by itself; its exit schedules the next attempt either way
        } else if (shard.child === child) {
          // A replaced child's late words (a room event, a close report) must not count for its successor.
          this.hooks.message(shard, msg);
        }
      });
    });
  }

  /** A shard died: a new one takes its socket, at once after a crash, after a pause if it died starting. */
  private onExit(shard: ShardProcess, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (shard.child !== child) return;
    const wasReady = shard.ready;
    shard.child = null;
    shard.ready = false;
    this.hooks.exited(shard, { closing: this.closing, code, signal });
    if (this.closing) return;
    if (wasReady) this.restart(shard);
    else setTimeout(() => this.restart(shard), RESTART_RETRY_MS).unref();
  }

  /** Every failed start ends with the child's exit, which schedules the next attempt. */
  private restart(shard: ShardProcess): void {
    // Never two children on one shard's socket: they would split its datagrams between them.
    if (this.closing || shard.child !== null) return;
    this.start(shard).catch((err: unknown) => this.log.error('shard-restart-failed', { shard: shard.index, err }));
  }

  /** Lets every shard tell its rooms the server is shutting down and exit (killed after a while). */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      this.shards.map(async (s) => {
        const child = s.child;
        if (child && child.exitCode === null && child.signalCode === null) {
          const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
          if (child.connected) child.send({ type: 'close' } satisfies ToShard);
          const timer = setTimeout(() => child.kill('SIGKILL'), SHARD_CLOSE_MS);
          await exited;
          clearTimeout(timer);
        }
        try {
          closeSync(s.fd);
        } catch {
          // already closed
        }
      }),
    );
  }
}
