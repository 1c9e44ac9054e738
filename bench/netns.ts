// --rps: runs the whole bench again inside a fresh network namespace whose loopback steers receive
// processing (RPS) to the generator's CPUs. On plain loopback the relay's send call also runs each
// receiver's whole UDP receive path and wake-up on the relay's CPU; with separate hosts that work is
// the receivers'. Steering it away is the closest one machine gets to that (the relay still pays an
// inter-processor interrupt per burst). Needs root and iproute2; the namespace is removed afterwards.
import { execFileSync, spawn } from 'node:child_process';
import os from 'node:os';

const INSIDE = 'TINCAN_BENCH_NETNS';

/** The namespace this process runs in for --rps, or null. */
export function insideRpsNamespace(): string | null {
  return process.env[INSIDE] ?? null;
}

/** CPU mask (hex) of every CPU but 0, where the pinned relay runs. */
function generatorCpuMask(): string {
  const cpus = os.availableParallelism();
  const mask = cpus > 1 ? (2 ** cpus - 1) & ~1 : 1;
  return mask.toString(16);
}

/** Re-runs this bench inside a new namespace with RPS on its loopback; resolves to the exit code. */
export async function rerunInRpsNamespace(): Promise<number> {
  if (process.platform !== 'linux') throw new Error('--rps needs Linux');
  if (process.getuid?.() !== 0) throw new Error('--rps needs root (it creates a network namespace)');
  const name = `tincan-bench-${process.pid}`;
  const ip = (...args: string[]): void => {
    execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  };
  ip('netns', 'add', name);
  try {
    ip('-n', name, 'link', 'set', 'lo', 'up');
    const mask = generatorCpuMask();
    ip(
      'netns',
      'exec',
      name,
      'sh',
      '-c',
      `echo ${mask} > /sys/class/net/lo/queues/rx-0/rps_cpus; [ -n "$TINCAN_RFS" ] && echo 32768 > /sys/class/net/lo/queues/rx-0/rps_flow_cnt; true`,
    );
    console.log(`--rps: namespace ${name}, loopback receive processing on CPU mask ${mask}`);
    const child = spawn(
      'ip',
      ['netns', 'exec', name, process.execPath, ...process.execArgv, ...process.argv.slice(1)],
      {
        stdio: 'inherit',
        env: { ...process.env, [INSIDE]: name },
      },
    );
    return await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  } finally {
    ip('netns', 'del', name);
  }
}
