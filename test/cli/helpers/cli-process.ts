// Runs the real CLI in a child process (TypeScript through tsx, no build step) and lets a test wait
// for lines on its stdout/stderr and for its exit. Every process started is killed by killAll().
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = 'src-cli/main.ts';

/** Generous: the child starts a TypeScript loader first, and CI machines are slow. */
const DEFAULT_WAIT_MS = 10_000;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

type Stream = 'stdout' | 'stderr';

const running = new Set<CliProcess>();

function childEnv(dataDir = mkdtempSync(join(tmpdir(), 'tincan-cli-'))): NodeJS.ProcessEnv {
  // Each process its own data folder unless a test shares one (a member that met a host before):
  // no host identity or known host leaks into the user's, or from one test into the next (a port
  // reused by another server must be a first contact).
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '1', TINCAN_DATA_DIR: dataDir };
  delete env.TINCAN_PASSWORD;
  return env;
}

export class CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: Record<Stream, string[]> = { stdout: [], stderr: [] };
  readonly exited: Promise<Exit>;
  private exit: Exit | null = null;
  private readonly waiters = new Set<() => void>();

  /**
   * `shared`: outlives single tests (a server for a whole describe); killAll() leaves it alone.
   * `netns`: run inside that network namespace (`ip netns exec` execs, so signals reach the CLI).
   * `dataDir`: the data folder (known hosts, identity) to use instead of a fresh one.
   */
  constructor(
    readonly args: string[],
    private readonly shared = false,
    netns?: string,
    dataDir?: string,
  ) {
    const command = [process.execPath, '--import', 'tsx', MAIN, ...args];
    const [file, ...rest] = netns === undefined ? command : ['ip', 'netns', 'exec', netns, ...command];
    this.child = spawn(file as string, rest, { cwd: ROOT, env: childEnv(dataDir), stdio: 'pipe' });
    for (const stream of ['stdout', 'stderr'] as const) {
      let partial = '';
      this.child[stream].setEncoding('utf8');
      this.child[stream].on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        this.lines[stream].push(...parts);
        this.wake();
      });
      this.child[stream].on('end', () => {
        if (partial) this.lines[stream].push(partial);
        partial = '';
        this.wake();
      });
    }
    // The child may exit before reading its input; that is not the test's failure.
    this.child.stdin.on('error', () => {});
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.exit = { code, signal };
        running.delete(this);
        this.wake();
        resolve(this.exit);
      });
    });
    if (!shared) running.add(this);
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Resolves with the first line (already seen or yet to come) matching `pattern`. */
  waitForLine(stream: Stream, pattern: RegExp, timeoutMs = DEFAULT_WAIT_MS): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (const line of this.lines[stream]) {
          const match = pattern.exec(line);
          if (match) {
            done();
            resolve(match);
            return true;
          }
        }
        if (this.exit) {
          done();
          reject(
            new Error(
              `tincan ${this.args.join(' ')} exited (${this.exit.code ?? this.exit.signal}) without ${stream} matching ${pattern}\n${this.transcript()}`,
            ),
          );
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${stream} matching ${pattern}\n${this.transcript()}`));
      }, timeoutMs);
      const waiter = (): void => void check();
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
      check();
    });
  }

  /** Resolves with the exit, or rejects if it does not come in time. */
  async waitForExit(timeoutMs = DEFAULT_WAIT_MS): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`tincan ${this.args.join(' ')} did not exit in time\n${this.transcript()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  writeLine(text: string): void {
    this.child.stdin.write(`${text}\n`);
  }

  endInput(): void {
    this.child.stdin.end();
  }

  signal(signal: NodeJS.Signals): void {
    if (!this.exit) this.child.kill(signal);
  }

  transcript(): string {
    return [
      `--- stdout of tincan ${this.args.join(' ')}`,
      ...this.lines.stdout,
      '--- stderr',
      ...this.lines.stderr,
    ].join('\n');
  }
}

export function spawnCli(
  args: string[],
  options: { shared?: boolean; netns?: string; dataDir?: string } = {},
): CliProcess {
  return new CliProcess(args, options.shared ?? false, options.netns, options.dataDir);
}

/** Kills every CLI process still running and waits until they are gone. */
export async function killAll(): Promise<void> {
  const all = [...running];
  for (const proc of all) proc.signal('SIGKILL');
  await Promise.all(all.map((proc) => proc.exited));
}
