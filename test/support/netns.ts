// A small LAN of Linux network namespaces for tests that need real multicast between "computers":
// every host namespace has a veth whose other end sits on a bridge in a switch namespace, with
// addresses 10.<x>.<y>.1, .2, … Names are unique per process and per LAN, and destroy() kills what
// still runs in the namespaces and deletes them (and so their veths): parallel runs and other users
// of `ip netns` are left alone. Needs root (or CAP_NET_ADMIN); netnsUnavailable() says why not, for a clean skip.
import { execFileSync } from 'node:child_process';

export interface LanHost {
  ns: string;
  address: string;
}

export interface Lan {
  hosts: LanHost[];
  /**
   * Plugs a host of another LAN into this one with a second interface (a multi-homed computer);
   * returns its address here. Its veth goes with the namespaces when either LAN is destroyed.
   */
  attach(host: LanHost): string;
  destroy(): void;
}

let lans = 0;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Kills what still runs inside `ns` (a test that failed half-way): a namespace with a process in it
 * outlives `ip netns del`, and only this test's own processes can be in a namespace it made.
 */
function killInside(ns: string): void {
  let pids: string[];
  try {
    pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .filter((line) => /^\d+$/.test(line));
  } catch {
    return; // the namespace is gone already
  }
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
}

/** Null when namespaces can be made here, else the reason they cannot. */
export function netnsUnavailable(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  const probe = `tcnprobe${process.pid}`;
  try {
    ip('netns', 'add', probe);
    ip('netns', 'del', probe);
    return null;
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    return `"ip netns add" is not permitted here: ${stderr || (err as Error).message}`;
  }
}

export interface LanOptions {
  /** Starts every namespace name, so a suite's namespaces are told apart in `ip netns list`. */
  prefix?: string;
}

/** Builds a LAN of `count` hosts on one bridge. */
export function createLan(count: number, options: LanOptions = {}): Lan {
  const prefix = options.prefix ?? 'tcn';
  const id = `${process.pid % 100_000}${String.fromCharCode(97 + (lans++ % 26))}`;
  const subnet = `10.${(process.pid % 200) + 20}.${lans % 250}`;
  const made: string[] = [];
  const destroy = (): void => {
    for (const ns of made.reverse()) {
      killInside(ns);
      try {
        ip('netns', 'del', ns);
      } catch {
        // already gone
      }
    }
    made.length = 0;
  };
  try {
    const sw = `${prefix}sw${id}`;
    ip('netns', 'add', sw);
    made.push(sw);
    ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0');
    ip('-n', sw, 'link', 'set', 'br0', 'up');
    const hosts: LanHost[] = [];
    for (let i = 0; i < count; i++) {
      const ns = `${prefix}h${id}${i}`;
      const inside = `tcv${id}${i}`;
      const outside = `tcs${id}${i}`;
      ip('netns', 'add', ns);
      made.push(ns);
      ip('link', 'add', inside, 'type', 'veth', 'peer', 'name', outside);
      ip('link', 'set', inside, 'netns', ns);
      ip('link', 'set', outside, 'netns', sw);
      ip('-n', sw, 'link', 'set', outside, 'master', 'br0', 'up');
      const address = `${subnet}.${i + 1}`;
      ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', inside);
      ip('-n', ns, 'link', 'set', inside, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      hosts.push({ ns, address });
    }
    let attached = 0;
    const attach = (host: LanHost): string => {
      const n = count + attached++;
      const inside = `tcv${id}${n}`;
      const outside = `tcs${id}${n}`;
      ip('link', 'add', inside, 'type', 'veth', 'peer', 'name', outside);
      ip('link', 'set', inside, 'netns', host.ns);
      ip('link', 'set', outside, 'netns', sw);
      ip('-n', sw, 'link', 'set', outside, 'master', 'br0', 'up');
      const address = `${subnet}.${n + 1}`;
      ip('-n', host.ns, 'addr', 'add', `${address}/24`, 'dev', inside);
      ip('-n', host.ns, 'link', 'set', inside, 'up');
      return address;
    };
    return { hosts, attach, destroy };
  } catch (err) {
    destroy();
    throw err;
  }
}
