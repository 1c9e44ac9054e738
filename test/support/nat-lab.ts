// A home network on one machine, for the port-mapping tests: network namespaces "wan" (the internet,
// with an outside member), "gw" (the router: NAT, a drop-by-default forward chain, and Debian's
// miniupnpd) and "host" (the LAN computer that hosts the room), joined by veth pairs. Needs root,
// `ip`, `nft` and `miniupnpd`; natLabUnavailable() says why not when they are missing.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IgdAction } from './scripted-igd.js';

const STUN_PROCESS = fileURLToPath(new URL('./stun-responder-process.ts', import.meta.url));
const IGD_PROCESS = fileURLToPath(new URL('./scripted-igd-process.ts', import.meta.url));

export const LAN_GATEWAY = '192.168.77.1';
export const LAN_HOST = '192.168.77.10';
/** An unrouted block outside miniupnpd 2.3.1's reserved list (TEST-NETs and 198.18/15 are on it). */
export const PUBLIC_WAN = { gateway: '11.0.0.2', outside: '11.0.0.1' };
/** A private outside address: the router itself is behind another NAT. */
export const PRIVATE_WAN = { gateway: '10.99.0.2', outside: '10.99.0.1' };
/**
 * Past the "wan" namespace when it NATs too (addUpstreamNat): the router's public-looking outside
 * address is rewritten again to `wan`'s address here, as a provider's or an upstream router's NAT does.
 */
export const UPSTREAM = { wan: '12.0.0.1', far: '12.0.0.2' };
/** Where the lab's STUN servers listen (STUN's registered port). */
export const STUN_PORT = 3478;

const WAIT_MS = 5000;
let labCount = 0;

function run(cmd: string, args: string[], input?: string): string {
  const result = spawnSync(cmd, args, { encoding: 'utf8', input, timeout: WAIT_MS });
  if (result.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${result.error?.message ?? result.stderr.trim()}`);
  }
  return result.stdout;
}

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

/** Why the lab cannot run here, or null when it can. */
export function natLabUnavailable(): string | null {
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  for (const command of ['ip', 'nft', 'miniupnpd']) {
    if (!has(command)) return `${command} is not installed (apt-get install -y miniupnpd miniupnpd-nftables nftables)`;
  }
  const probe = `tnc-probe-${process.pid}`;
  const added = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (added.status !== 0) return `network namespaces are not permitted here: ${added.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return null;
}

export interface NatRule {
  protocol: 'TCP' | 'UDP';
  externalPort: number;
  /** "192.168.77.10:7777" */
  to: string;
}

export interface GatewayConfig {
  natPmp: boolean;
  upnp: boolean;
  /** force_igd_desc_v1: describe itself as an IGDv1 device, like older routers. */
  igdV1Only?: boolean;
  /**
   * Drop PCP (version 2) datagrams to port 5351 before miniupnpd sees them, leaving NAT-PMP
   * (version 0): a router whose PCP is off. miniupnpd 2.3.1 answers both on one socket once
   * `enable_natpmp=yes`, with no switch for PCP alone.
   */
  dropPcp?: boolean;
}

export class NatLab {
  readonly ns: { wan: string; gw: string; host: string; far: string };
  private readonly dir = mkdtempSync(join(tmpdir(), 'tincan-natlab-'));
  private daemon: ChildProcess | null = null;
  /** What miniupnpd logged (it runs with -d: to stderr), e.g. "PCP MAP: added mapping TCP 7777->…". */
  log = '';
  private readonly veths: { gwWan: string; gwLan: string; wanFar: string };
  private readonly helpers: ChildProcess[] = [];
  private upstream = false;

  /** `wan`: the router's outside address and the outside member's. */
  constructor(readonly wan: { gateway: string; outside: string } = PUBLIC_WAN) {
    const id = `tl${process.pid % 10000}${String.fromCharCode(97 + (labCount++ % 26))}`;
    this.ns = { wan: `${id}-wan`, gw: `${id}-gw`, host: `${id}-host`, far: `${id}-far` };
    this.veths = { gwWan: `${id}-gwan`, gwLan: `${id}-glan`, wanFar: `${id}-wfar` };
  }

  /** Builds the namespaces, links, addresses, routes and the router's NAT and filter rules. */
  build(): void {
    const { wan, gw, host } = this.ns;
    const { gwWan, gwLan } = this.veths;
    for (const ns of [wan, gw, host]) {
      run('ip', ['netns', 'add', ns]);
      run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    run('ip', ['link', 'add', gwWan, 'netns', gw, 'type', 'veth', 'peer', 'name', 'wan0', 'netns', wan]);
    run('ip', ['link', 'add', gwLan, 'netns', gw, 'type', 'veth', 'peer', 'name', 'lan0', 'netns', host]);
    const addresses: [string, string, string][] = [
      [gw, gwWan, `${this.wan.gateway}/24`],
      [wan, 'wan0', `${this.wan.outside}/24`],
      [gw, gwLan, `${LAN_GATEWAY}/24`],
      [host, 'lan0', `${LAN_HOST}/24`],
    ];
    for (const [ns, dev, address] of addresses) {
      run('ip', ['-n', ns, 'addr', 'add', address, 'dev', dev]);
      run('ip', ['-n', ns, 'link', 'set', dev, 'up']);
    }
    run('ip', ['-n', host, 'route', 'add', 'default', 'via', LAN_GATEWAY]);
    run('ip', ['netns', 'exec', gw, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
    // The chains miniupnpd fills (its packaged nft_init.sh fails: it looks for iptables), hooked into
    // a router's usual rules: LAN out, replies back, everything else dropped unless mapped.
    run(
      'ip',
      ['netns', 'exec', gw, 'nft', '-f', '-'],
      `table inet filter {
  chain miniupnpd {
  }
  chain prerouting_miniupnpd {
  }
  chain postrouting_miniupnpd {
  }
  chain forward {
    type filter hook forward priority 0; policy drop;
    ct state established,related accept
    iifname "${gwLan}" oifname "${gwWan}" accept
    jump miniupnpd
  }
  chain prerouting {
    type nat hook prerouting priority -100; policy accept;
    jump prerouting_miniupnpd
  }
  chain postrouting {
    type nat hook postrouting priority 100; policy accept;
    jump postrouting_miniupnpd
    oifname "${gwWan}" ip saddr ${LAN_GATEWAY}/24 masquerade
  }
}
`,
    );
  }

  /** Starts miniupnpd in the router and waits until it listens. */
  async startGateway(config: GatewayConfig): Promise<void> {
    if (config.dropPcp) {
      // The first byte of the UDP payload (@th,64,8) is the version: 2 for PCP, 0 for NAT-PMP.
      run(
        'ip',
        ['netns', 'exec', this.ns.gw, 'nft', '-f', '-'],
        `table inet nopcp {
  chain input {
    type filter hook input priority 0; policy accept;
    udp dport 5351 @th,64,8 2 counter drop
  }
}
`,
      );
    }
    const file = join(this.dir, 'miniupnpd.conf');
    writeFileSync(
      file,
      [
        `ext_ifname=${this.veths.gwWan}`,
        `listening_ip=${this.veths.gwLan}`,
        'port=0',
        `enable_natpmp=${config.natPmp ? 'yes' : 'no'}`,
        `enable_upnp=${config.upnp ? 'yes' : 'no'}`,
        `force_igd_desc_v1=${config.igdV1Only ? 'yes' : 'no'}`,
        'secure_mode=yes',
        // PCP's floor on lifetimes (120 s by default): low, so the lab can watch renewals.
        'min_lifetime=2',
        'system_uptime=yes',
        'uuid=3d3c1c5e-6a1f-4b8e-9d3e-0a1b2c3d4e5f',
        `allow 1024-65535 ${LAN_GATEWAY}/24 1024-65535`,
        'deny 0-65535 0.0.0.0/0 0-65535',
        '',
      ].join('\n'),
    );
    const daemon = spawn(
      'ip',
      ['netns', 'exec', this.ns.gw, 'miniupnpd', '-d', '-f', file, '-P', join(this.dir, 'miniupnpd.pid')],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.daemon = daemon;
    const ready = config.natPmp ? /Listening for NAT-PMP/ : /HTTP listening on port/;
    this.log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`miniupnpd did not start:\n${this.log}`)), WAIT_MS);
      daemon.stderr?.setEncoding('utf8');
      daemon.stderr?.on('data', (chunk: string) => {
        this.log += chunk;
        if (ready.test(this.log)) {
          clearTimeout(timer);
          resolve();
        }
      });
      daemon.on('exit', () => {
        clearTimeout(timer);
        reject(new Error(`miniupnpd exited:\n${this.log}`));
      });
    });
  }

  /**
   * The port forwards miniupnpd holds (its prerouting chain), read from nft. The protocol is printed
   * as a raw header match (`@nh,72,8 0x6`: IPv4 protocol byte, TCP) or by name.
   */
  natRules(): NatRule[] {
    const listing = run('ip', [
      'netns',
      'exec',
      this.ns.gw,
      'nft',
      'list',
      'chain',
      'inet',
      'filter',
      'prerouting_miniupnpd',
    ]);
    const rules: NatRule[] = [];
    for (const line of listing.split('\n')) {
      const match = /(0x6|0x11|tcp|udp)\b.*\bdport (\d+) dnat ip to ([\d.]+):(\d+)/.exec(line);
      if (!match) continue;
      const protocol = match[1] === '0x6' || match[1] === 'tcp' ? 'TCP' : 'UDP';
      rules.push({ protocol, externalPort: Number(match[2]), to: `${match[3]}:${match[4]}` });
    }
    return rules;
  }

  /**
   * Makes "wan" a second NAT: a "far" namespace behind it (UPSTREAM), "wan" masquerading what the
   * router sends there, and the router's default route through "wan". Seen from "far", the router's
   * traffic comes from UPSTREAM.wan, not from the outside address the router reports.
   */
  addUpstreamNat(): void {
    const { wan, gw, far } = this.ns;
    const { wanFar } = this.veths;
    run('ip', ['netns', 'add', far]);
    this.upstream = true;
    run('ip', ['-n', far, 'link', 'set', 'lo', 'up']);
    run('ip', ['link', 'add', wanFar, 'netns', wan, 'type', 'veth', 'peer', 'name', 'far0', 'netns', far]);
    run('ip', ['-n', wan, 'addr', 'add', `${UPSTREAM.wan}/24`, 'dev', wanFar]);
    run('ip', ['-n', wan, 'link', 'set', wanFar, 'up']);
    run('ip', ['-n', far, 'addr', 'add', `${UPSTREAM.far}/24`, 'dev', 'far0']);
    run('ip', ['-n', far, 'link', 'set', 'far0', 'up']);
    run('ip', ['-n', gw, 'route', 'add', 'default', 'via', this.wan.outside]);
    run('ip', ['netns', 'exec', wan, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
    run(
      'ip',
      ['netns', 'exec', wan, 'nft', '-f', '-'],
      `table ip upstream {
  chain postrouting {
    type nat hook postrouting priority 100; policy accept;
    oifname "${wanFar}" masquerade
  }
}
`,
    );
  }

  /** Runs the test STUN server (test/support/stun-responder.ts) in a namespace, on address:3478. */
  async startStunServer(ns: string, address: string): Promise<void> {
    await this.spawnHelper(ns, STUN_PROCESS, [address, String(STUN_PORT)]);
  }

  /**
   * Runs the scripted IGD (test/support/scripted-igd.ts: permanent leases only, UPnP error 725) in
   * the router instead of miniupnpd; returns the SOAP actions it has seen so far, in order.
   */
  async startScriptedIgd(): Promise<{
    actions: () => IgdAction[];
    waitForActions: (count: number) => Promise<IgdAction[]>;
  }> {
    const helper = await this.spawnHelper(this.ns.gw, IGD_PROCESS, [LAN_GATEWAY, this.wan.gateway]);
    const actions = (): IgdAction[] => helper.lines.slice(1).map((line) => JSON.parse(line) as IgdAction);
    const waitForActions = (count: number): Promise<IgdAction[]> =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (actions().length < count) return;
          clearTimeout(timer);
          helper.events.off('line', check);
          resolve(actions());
        };
        const timer = setTimeout(() => {
          helper.events.off('line', check);
          reject(new Error(`the scripted IGD saw ${JSON.stringify(actions())}, not ${count} actions`));
        }, WAIT_MS);
        helper.events.on('line', check);
        check();
      });
    return { actions, waitForActions };
  }

  /** Starts a test helper process in a namespace and waits for its "listening <port>" line. */
  private async spawnHelper(
    ns: string,
    script: string,
    args: string[],
  ): Promise<{ lines: string[]; events: EventEmitter<{ line: [] }> }> {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', script, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    this.helpers.push(child);
    const lines: string[] = [];
    const events = new EventEmitter<{ line: [] }>();
    let partial = '';
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script} did not start:\n${stderr}`)), 15_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        const parts = (partial + chunk.toString('utf8')).split('\n');
        partial = parts.pop() ?? '';
        lines.push(...parts.filter((l) => l !== ''));
        events.emit('line');
        if (/^listening \d+$/.test(lines[0] ?? '')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', () => {
        clearTimeout(timer);
        reject(new Error(`${script} exited:\n${stderr}`));
      });
    });
    return { lines, events };
  }

  /** Stops miniupnpd (it deletes its rules on SIGTERM) and waits for its exit. */
  async stopGateway(): Promise<void> {
    const daemon = this.daemon;
    this.daemon = null;
    if (!daemon || daemon.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => daemon.once('exit', () => resolve()));
    daemon.kill('SIGTERM');
    const timer = setTimeout(() => daemon.kill('SIGKILL'), WAIT_MS);
    await exited;
    clearTimeout(timer);
  }

  async teardown(): Promise<void> {
    await this.stopGateway();
    for (const child of this.helpers.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    const made = this.upstream ? Object.values(this.ns) : Object.values(this.ns).filter((ns) => ns !== this.ns.far);
    for (const ns of made) spawnSync('ip', ['netns', 'del', ns]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
