// Linux network namespaces with netem, for packet loss and delay on real kernel paths. The server runs
// in its own namespace, joined to the test's namespace by a veth pair; netem impairs both ends.
// Everything is named with a random suffix and torn down by `destroy()` (call it in afterAll).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

/**
 * Whether this machine lets us create a namespace and attach netem inside it. Returns null if so, or
 * the reason it cannot (not root, no `ip`/`tc`, no sch_netem in the kernel).
 */
export function netemUnavailableReason(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  const ns = `tincan-probe-${randomBytes(4).toString('hex')}`;
  try {
    run('ip', ['netns', 'add', ns]);
  } catch (err) {
    return `cannot create a network namespace (${firstLine(err)})`;
  }
  try {
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    run('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'loss', '1%']);
    return null;
  } catch (err) {
    return `tc netem is not usable here (${firstLine(err)})`;
  } finally {
    try {
      run('ip', ['netns', 'del', ns]);
    } catch {
      // nothing left to clean
    }
  }
}

function firstLine(err: unknown): string {
  const e = err as { stderr?: Buffer; message?: string };
  return (e.stderr?.toString() || e.message || String(err)).trim().split('\n')[0] ?? '';
}

export interface NetnsPair {
  /** Namespace the server runs in. */
  ns: string;
  /** Address of the server inside the namespace, and of our side of the veth pair. */
  serverIp: string;
  clientIp: string;
  /** Command prefix to run a process inside the namespace. */
  prefix: string[];
  /** Replaces the impairment on both ends. */
  impair(lossPercent: number, delayMs: number, jitterMs: number): void;
  destroy(): void;
}

export function createNetnsPair(): NetnsPair {
  const id = randomBytes(3).toString('hex');
  const ns = `tincan-${id}`;
  const outer = `tcv${id}a`; // interface names must stay under 16 characters
  const inner = `tcv${id}b`;
  const subnet = 1 + (parseInt(id, 16) % 250);
  const clientIp = `10.213.${subnet}.1`;
  const serverIp = `10.213.${subnet}.2`;
  const destroy = (): void => {
    for (const [cmd, args] of [
      ['ip', ['link', 'del', outer]],
      ['ip', ['netns', 'del', ns]],
    ] as const) {
      try {
        run(cmd, [...args]);
      } catch {
        // already gone
      }
    }
  };
  try {
    run('ip', ['netns', 'add', ns]);
    run('ip', ['link', 'add', outer, 'type', 'veth', 'peer', 'name', inner]);
    run('ip', ['link', 'set', inner, 'netns', ns]);
    run('ip', ['addr', 'add', `${clientIp}/30`, 'dev', outer]);
    run('ip', ['link', 'set', outer, 'up']);
    run('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', `${serverIp}/30`, 'dev', inner]);
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', inner, 'up']);
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
  } catch (err) {
    destroy();
    throw err;
  }
  let impaired = false;
  return {
    ns,
    serverIp,
    clientIp,
    prefix: ['ip', 'netns', 'exec', ns],
    impair(lossPercent, delayMs, jitterMs) {
      const verb = impaired ? 'change' : 'add';
      const spec = ['netem', 'delay', `${delayMs}ms`, `${jitterMs}ms`, 'loss', `${lossPercent}%`];
      run('tc', ['qdisc', verb, 'dev', outer, 'root', ...spec]);
      run('ip', ['netns', 'exec', ns, 'tc', 'qdisc', verb, 'dev', inner, 'root', ...spec]);
      impaired = true;
    },
    destroy,
  };
}
