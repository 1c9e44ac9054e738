// Runs a TypeScript fixture in a child Node process (through tsx) and waits for its first stdout line.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Child {
  proc: ChildProcess;
  /** First line the child printed. */
  line: string;
  kill(): void;
}

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** Starts `node --import tsx <script> ...args`, optionally under a command prefix (e.g. ip netns exec). */
export function startChild(
  script: string,
  args: string[],
  opts: { prefix?: string[]; timeoutMs?: number } = {},
): Promise<Child> {
  const prefix = opts.prefix ?? [];
  const argv = [...prefix, process.execPath, '--import', 'tsx', script, ...args];
  const proc = spawn(argv[0] as string, argv.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
  });
  const kill = (): void => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  };
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`child ${script} printed nothing in time; stderr: ${err.slice(0, 2000)}`));
    }, opts.timeoutMs ?? 15_000);
    proc.stderr?.on('data', (d: Buffer) => {
      if (err.length < 10_000) err += d.toString();
    });
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve({ proc, line: out.slice(0, nl), kill });
      }
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`child ${script} exited (${code ?? signal}) before it was ready; stderr: ${err.slice(0, 2000)}`),
      );
    });
  });
}
