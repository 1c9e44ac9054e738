// Nearby rooms between real "computers": Linux network namespaces on one bridge, the real CLI in
// each (`tincan host`, `serve --advertise`, `discover`), real multicast over veths, and avahi-daemon
// as a machine's own responder: sharing UDP 5353 with us on either side, and, through its own tools
// on a private D-Bus, resolving our rooms (avahi-browse) and announcing one we list (avahi-publish).
// Skips with the reason when namespaces cannot be made or avahi is missing.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_PER_SENDER } from '../../src-main/service/nearby/heard-rooms.js';
import { killAll, spawnCli, type CliProcess } from '../cli/helpers/cli-process.js';
import { AppBackendAgent } from '../support/app-backend-agent.js';
import { createLan, netnsUnavailable, type Lan, type LanHost } from '../support/netns.js';
import { waitUntil } from '../support/wait.js';

const unavailable = netnsUnavailable();
/** The figures: a room shows within 3 s and leaves within a few seconds of closing. */
const APPEAR_MS = 3000;
const LEAVE_MS = 3000;
/** Starting a CLI loads TypeScript first, which is slow on a busy machine. */
const START_MS = 30_000;

function discover(host: LanHost): CliProcess {
  return spawnCli(['discover'], { netns: host.ns });
}

function hostRoom(host: LanHost, room: string, extra: string[] = []): CliProcess {
  return spawnCli(['host', room, '--name', 'alice', '--port', '0', '--password', '', ...extra], {
    netns: host.ns,
  });
}

/** Waits for the discover watcher to be listening. */
async function watching(proc: CliProcess): Promise<void> {
  await proc.waitForLine('stderr', /watching the local network/, START_MS);
}

async function listedPort(proc: CliProcess): Promise<{ port: string; label: string; at: number }> {
  const server = await proc.waitForLine('stderr', /server listening on \S+:(\d+)/, START_MS);
  const listed = await proc.waitForLine('stderr', /is listed on the local network as "(.*)"/, START_MS);
  return { port: server[1] ?? '', label: listed[1] ?? '', at: Date.now() };
}

const agents = new Set<AppBackendAgent>();

/** The app's backend in `host`'s namespace; afterEach kills what a test left running. */
function appBackend(host: LanHost): AppBackendAgent {
  const agent = new AppBackendAgent(host.ns);
  agents.add(agent);
  return agent;
}

describe.skipIf(unavailable !== null)('nearby rooms across network namespaces', { timeout: 90_000 }, () => {
  let lan: Lan;

  beforeAll(() => {
    lan = createLan(3);
  });
  afterEach(async () => {
    for (const agent of agents) agent.kill();
    await Promise.all([...agents].map((agent) => agent.exited));
    agents.clear();
    await killAll();
  });
  afterAll(() => lan.destroy());

  it('a hosted room appears in another namespace within 3 s and leaves soon after it closes', async () => {
    const [a, b] = lan.hosts as [LanHost, LanHost];
    const watcher = discover(b);
    await watching(watcher);
    const host = hostRoom(a, 'lobby');
    const { port, at } = await listedPort(host);
    const line = new RegExp(`^\\+ ${a.address.replaceAll('.', '\\.')}:${port} open lobby$`);
    await watcher.waitForLine('stdout', line, APPEAR_MS + 2000);
    expect(Date.now() - at).toBeLessThan(APPEAR_MS);

    const closing = Date.now();
    host.endInput();
    await watcher.waitForLine(
      'stdout',
      new RegExp(`^- ${a.address.replaceAll('.', '\\.')}:${port} open lobby$`),
      10_000,
    );
    expect(Date.now() - closing).toBeLessThan(LEAVE_MS);
  });

  it('rooms of the same name on two hosts stay two rooms; the second host renames its label', async () => {
    const [a, b, c] = lan.hosts as [LanHost, LanHost, LanHost];
    const watcher = discover(b);
    await watching(watcher);
    const first = await listedPort(hostRoom(a, 'den'));
    // Namespaces share the host name, so both labels start "den (<name>)": the second must rename.
    const second = await listedPort(hostRoom(c, 'den', ['--password', 'pw']));
    expect(second.label).not.toBe(first.label);
    expect(second.label).toMatch(/ #2$/);
    await watcher.waitForLine(
      'stdout',
      new RegExp(`^\\+ ${a.address.replaceAll('.', '\\.')}:${first.port} open den$`),
      5000,
    );
    await watcher.waitForLine(
      'stdout',
      new RegExp(`^\\+ ${c.address.replaceAll('.', '\\.')}:${second.port} password den$`),
      5000,
    );
  });

  it('a room bound to one address is advertised only on that interface of a two-LAN host', async () => {
    const [a, b] = lan.hosts as [LanHost, LanHost];
    const other = createLan(1, { prefix: 'tcnb' });
    try {
      const g = other.hosts[0] as LanHost;
      const aThere = other.attach(a);
      const bound = hostRoom(a, 'bound', ['--host', a.address]);
      const everywhere = hostRoom(a, 'everywhere');
      const [boundAt, everywhereAt] = [await listedPort(bound), await listedPort(everywhere)];
      const seen = async (from: LanHost): Promise<string[]> => {
        const once = spawnCli(['discover', '--once', '3'], { netns: from.ns });
        await once.waitForExit(START_MS);
        return once.lines.stdout.filter(Boolean).sort();
      };
      // On the room's own LAN both rooms; on the other LAN only the one listening everywhere.
      expect(await seen(b)).toEqual(
        [`${a.address}:${boundAt.port} open bound`, `${a.address}:${everywhereAt.port} open everywhere`].sort(),
      );
      expect(await seen(g)).toEqual([`${aThere}:${everywhereAt.port} open everywhere`]);
    } finally {
      other.destroy();
    }
  });

  it('serve --advertise lists the rooms clients create on it', async () => {
    const [a, b] = lan.hosts as [LanHost, LanHost];
    const server = spawnCli(['serve', '--port', '0', '--advertise', '--log-level', 'silent'], { netns: a.ns });
    const port = (await server.waitForLine('stdout', /listening on \S+:(\d+)/, START_MS))[1] ?? '';
    const creator = spawnCli(['create', `127.0.0.1:${port}`, 'annex', '--name', 'bo', '--password', ''], {
      netns: a.ns,
    });
    await creator.waitForLine('stderr', /connected to room "annex"/, START_MS);
    const once = spawnCli(['discover', '--once', '3'], { netns: b.ns });
    await once.waitForExit(START_MS);
    expect(once.lines.stdout.filter(Boolean)).toEqual([`${a.address}:${port} open annex`]);
  });

  it('the app service lists a hosted room, follows its toggle and hears rooms hosted elsewhere', async () => {
    const [a, b] = lan.hosts as [LanHost, LanHost];
    const watcher = discover(b);
    await watching(watcher);
    const agent = appBackend(a);
    await agent.ready();
    const hosted = await agent.request('hostRoom', {
      room: 'app room',
      username: 'al',
      password: 'pw',
      port: 0,
      bindHost: '0.0.0.0',
    });
    const view = hosted as { id: string; share: { port: number } };
    const at = Date.now();
    const where = `${a.address.replaceAll('.', '\\.')}:${view.share.port}`;
    await watcher.waitForLine('stdout', new RegExp(`^\\+ ${where} password app room$`), APPEAR_MS + 2000);
    expect(Date.now() - at).toBeLessThan(APPEAR_MS);

    // The per-room toggle: off sends a goodbye, on lists the room again.
    const off = Date.now();
    await agent.request('setRoomListed', { roomId: view.id, listed: false });
    await watcher.waitForLine('stdout', new RegExp(`^- ${where} password app room$`), LEAVE_MS + 2000);
    expect(Date.now() - off).toBeLessThan(LEAVE_MS);
    await agent.request('setRoomListed', { roomId: view.id, listed: true });
    await waitUntil(() => watcher.lines.stdout.filter((l) => l.startsWith('+ ')).length === 2, {
      timeoutMs: APPEAR_MS + 2000,
      what: 'the room listed again',
    });

    // The other way: a room hosted in the other namespace reaches the service's nearby list.
    expect(await agent.request('getNearby', {})).toMatchObject({ problem: null });
    const other = hostRoom(b, 'elsewhere');
    const { port } = await listedPort(other);
    await agent.waitForNearby((state) =>
      state.rooms.some((r) => r.room === 'elsewhere' && r.host === b.address && r.port === Number(port)),
    );

    // Quitting the app (end of input) sends the goodbyes.
    const quitting = Date.now();
    agent.quit();
    await waitUntil(() => watcher.lines.stdout.filter((l) => l.startsWith(`- ${a.address}:`)).length === 2, {
      timeoutMs: LEAVE_MS + 2000,
      what: 'the room gone after quitting',
    });
    expect(Date.now() - quitting).toBeLessThan(LEAVE_MS);
    await agent.exited;
  });

  it('the app lists no room hosted on this computer only, and says so in its state', async () => {
    const [a, b] = lan.hosts as [LanHost, LanHost];
    const watcher = discover(b);
    await watching(watcher);
    const agent = appBackend(a);
    await agent.ready();
    const hidden = (await agent.request('hostRoom', {
      room: 'hidden room',
      username: 'al',
      password: '',
      port: 0,
      bindHost: '127.0.0.1',
    })) as { id: string };
    expect(await agent.request('getNearby', {})).toMatchObject({ lanUnreachable: [hidden.id], unlisted: [] });
    // A room on all interfaces from the same app is listed: the advertiser works, it left the first out.
    await agent.request('closeRoom', { roomId: hidden.id });
    const shown = (await agent.request('hostRoom', {
      room: 'shown room',
      username: 'al',
      password: '',
      port: 0,
      bindHost: '0.0.0.0',
    })) as { share: { port: number } };
    const where = `${a.address.replaceAll('.', '\\.')}:${shown.share.port}`;
    await watcher.waitForLine('stdout', new RegExp(`^\\+ ${where} open shown room$`), APPEAR_MS + 2000);
    expect(watcher.lines.stdout.filter((l) => l.includes('hidden room'))).toEqual([]);
  });

  it('host --no-advertise and serve without --advertise stay off the list', async () => {
    const [a, b, c] = lan.hosts as [LanHost, LanHost, LanHost];
    const quiet = hostRoom(a, 'quiet', ['--no-advertise']);
    await quiet.waitForLine('stderr', /connected to room "quiet"/, START_MS);
    const server = spawnCli(['serve', '--port', '0', '--log-level', 'silent'], { netns: a.ns });
    const port = (await server.waitForLine('stdout', /listening on \S+:(\d+)/, START_MS))[1] ?? '';
    const creator = spawnCli(['create', `127.0.0.1:${port}`, 'annex', '--name', 'bo', '--password', ''], {
      netns: a.ns,
    });
    await creator.waitForLine('stderr', /connected to room "annex"/, START_MS);
    // The control: a room hosted by default is heard in the same listen.
    const loud = await listedPort(hostRoom(c, 'loud'));
    const once = spawnCli(['discover', '--once', '3'], { netns: b.ns });
    await once.waitForExit(START_MS);
    expect(once.lines.stdout.filter(Boolean)).toEqual([`${c.address}:${loud.port} open loud`]);
    expect(quiet.lines.stderr.some((l) => l.includes('listed on the local network'))).toBe(false);
  });

  it('a burst of queries gets at most one answer a second (RFC 6762 §6), not one per query', async () => {
    const [a, , c] = lan.hosts as [LanHost, LanHost, LanHost];
    await listedPort(hostRoom(c, 'paced'));
    // 100 queries over about 2 s: unpaced, about 100 answers; paced, one per second of the burst.
    const burst = spawn(
      'ip',
      ['netns', 'exec', a.ns, process.execPath, '--import', 'tsx', 'test/nearby/query-burster.ts', '100', '20'],
      { cwd: join(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const out = await new Promise<string>((resolve) => {
      let text = '';
      burst.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      burst.on('close', () => resolve(text));
    });
    const answers = Number(/^answers (\d+)$/m.exec(out)?.[1] ?? NaN);
    expect(answers).toBeGreaterThanOrEqual(1);
    expect(answers).toBeLessThanOrEqual(5);
  });

  it('a flood of junk announcements stays bounded and does not push out a real room', async () => {
    const [a, b, c] = lan.hosts as [LanHost, LanHost, LanHost];
    const watcher = discover(b);
    await watching(watcher);
    const real = await listedPort(hostRoom(c, 'real'));
    const junk = spawn(
      'ip',
      ['netns', 'exec', a.ns, process.execPath, '--import', 'tsx', 'test/nearby/junk-announcer.ts', '200'],
      { cwd: join(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const junkGone = new Promise((resolve) => junk.on('close', resolve));
    try {
      const sent = await new Promise<string>((resolve, reject) => {
        junk.stdout.on('data', (chunk: Buffer) => resolve(chunk.toString()));
        junk.on('close', () => reject(new Error('the junk announcer exited early')));
      });
      expect(sent.trim()).toBe('sent 800');
      // A browser that starts in the middle of the flood.
      const once = spawnCli(['discover', '--once', '3'], { netns: b.ns });
      await once.waitForExit(START_MS);
      const lines = once.lines.stdout.filter(Boolean);
      const fromJunk = lines.filter((l) => l.startsWith(`${a.address}:`));
      // Only well-formed rooms, and no more from one sender than the per-sender cap.
      expect(fromJunk.length).toBe(DEFAULT_MAX_PER_SENDER);
      expect(fromJunk.every((l) => /open junk \d+$/.test(l))).toBe(true);
      expect(lines).toContain(`${c.address}:${real.port} open real`);
      // The watcher that heard the whole flood printed no more than that either.
      const added = watcher.lines.stdout.filter((l) => l.startsWith('+ '));
      expect(added.filter((l) => l.startsWith(`+ ${a.address}:`)).length).toBe(DEFAULT_MAX_PER_SENDER);
      expect(added).toContain(`+ ${c.address}:${real.port} open real`);
    } finally {
      junk.kill('SIGKILL');
      await junkGone;
    }
  });
});

/** A D-Bus bus of our own for avahi and its tools: a socket in `dir`, open to everyone (root only runs it). */
function startPrivateBus(host: LanHost, dir: string): { bus: ChildProcess; address: string } {
  const socket = join(dir, 'bus');
  const conf = join(dir, 'bus.conf');
  writeFileSync(
    conf,
    [
      '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"',
      ' "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">',
      '<busconfig>',
      '  <type>system</type>',
      `  <listen>unix:path=${socket}</listen>`,
      '  <auth>EXTERNAL</auth>',
      '  <policy context="default">',
      '    <allow user="*"/>',
      '    <allow own="*"/>',
      '    <allow send_type="method_call"/>',
      '    <allow send_type="signal"/>',
      '    <allow send_type="method_return"/>',
      '    <allow send_type="error"/>',
      '    <allow receive_type="method_call"/>',
      '    <allow receive_type="signal"/>',
      '    <allow receive_type="method_return"/>',
      '    <allow receive_type="error"/>',
      '  </policy>',
      '</busconfig>',
      '',
    ].join('\n'),
  );
  const bus = spawn(
    'ip',
    ['netns', 'exec', host.ns, 'dbus-daemon', `--config-file=${conf}`, '--nofork', '--nopidfile'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  return { bus, address: `unix:path=${socket}` };
}

/**
 * avahi-daemon with every file under a temp dir (its /run is a private tmpfs); on the given D-Bus
 * bus when there is one (so avahi-browse and avahi-publish can talk to it), else with D-Bus off.
 */
function startAvahi(host: LanHost, dir: string, busAddress: string | null): ChildProcess {
  const conf = join(dir, 'avahi-daemon.conf');
  writeFileSync(
    conf,
    [
      '[server]',
      'use-ipv4=yes',
      'use-ipv6=no',
      `enable-dbus=${busAddress ? 'yes' : 'no'}`,
      '[publish]',
      'publish-hinfo=no',
      'publish-workstation=no',
      '',
    ].join('\n'),
  );
  const script = `mount -t tmpfs tmpfs /run && exec avahi-daemon --no-drop-root --no-chroot --no-rlimits --debug -f '${conf}'`;
  return spawn('ip', ['netns', 'exec', host.ns, 'unshare', '-m', 'sh', '-c', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: busAddress ? { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: busAddress } : process.env,
  });
}

function missing(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return false;
  } catch {
    return true;
  }
}

function avahiUnavailable(): string | null {
  return missing('avahi-daemon') ? 'avahi-daemon is not installed (Debian: apt-get install avahi-daemon)' : null;
}

/** Why avahi's own browser and publisher cannot be run beside it, or null. */
function avahiToolsUnavailable(): string | null {
  for (const command of ['dbus-daemon', 'avahi-browse', 'avahi-publish'])
    if (missing(command)) return `${command} is not installed (Debian: apt-get install dbus avahi-utils)`;
  return null;
}

const noAvahi = unavailable ?? avahiUnavailable();
const noAvahiTools = noAvahi ?? avahiToolsUnavailable();

/** A long-running avahi tool in `host`'s namespace, on avahi's bus; its stdout in lines. */
class AvahiTool {
  readonly lines: string[] = [];
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();
  readonly exited: Promise<unknown>;

  constructor(host: LanHost, busAddress: string, args: string[]) {
    this.child = spawn('ip', ['netns', 'exec', host.ns, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: busAddress },
    });
    let partial = '';
    const read = (chunk: Buffer): void => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts);
      for (const wake of [...this.waiters]) wake();
    };
    this.child.stdout?.on('data', read);
    this.child.stderr?.on('data', read);
    this.exited = new Promise((resolve) => this.child.on('close', resolve));
  }

  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        for (const line of this.lines) {
          const match = pattern.exec(line);
          if (!match) continue;
          done();
          resolve(match);
          return;
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no line matching ${pattern} in ${timeoutMs} ms:\n${this.lines.join('\n')}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise((resolve) => child.on('close', resolve));
  child.kill('SIGTERM');
  await closed;
}

describe.skipIf(noAvahi !== null)('nearby rooms beside a running avahi-daemon', { timeout: 90_000 }, () => {
  let lan: Lan;
  let dir: string;
  let avahi: ChildProcess;
  let bus: ChildProcess | null = null;
  let busAddress: string | null = null;
  const tools: AvahiTool[] = [];
  let avahiLog = '';

  beforeAll(async () => {
    lan = createLan(2);
    const avahiHost = lan.hosts[1] as LanHost;
    dir = mkdtempSync(join(tmpdir(), 'tincan-avahi-'));
    if (noAvahiTools === null) {
      ({ bus, address: busAddress } = startPrivateBus(avahiHost, dir));
      const socket = join(dir, 'bus');
      await waitUntil(() => existsSync(socket), { timeoutMs: 10_000, what: 'the private D-Bus socket' });
    }
    avahi = startAvahi(avahiHost, dir, busAddress);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`avahi-daemon did not start:\n${avahiLog}`)), 20_000);
      const read = (chunk: Buffer): void => {
        avahiLog += chunk.toString();
        if (!avahiLog.includes('Server startup complete')) return;
        clearTimeout(timer);
        resolve();
      };
      avahi.stdout?.on('data', read);
      avahi.stderr?.on('data', read);
      avahi.on('close', () => reject(new Error(`avahi-daemon exited:\n${avahiLog}`)));
    });
  });
  afterEach(async () => {
    await Promise.all(tools.splice(0).map((tool) => tool.stop()));
    await killAll();
  });
  afterAll(async () => {
    await stopChild(avahi);
    if (bus) await stopChild(bus);
    lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  function avahiTool(args: string[]): AvahiTool {
    const tool = new AvahiTool(lan.hosts[1] as LanHost, busAddress ?? '', args);
    tools.push(tool);
    return tool;
  }

  it('the browsing namespace shares UDP 5353 with avahi and still sees rooms come and go', async () => {
    const [a, b] = lan.hosts as [LanHost, LanHost];
    const watcher = discover(b);
    await watching(watcher);
    const host = hostRoom(a, 'avahi side');
    const { port, at } = await listedPort(host);
    const where = `${a.address.replaceAll('.', '\\.')}:${port}`;
    await watcher.waitForLine('stdout', new RegExp(`^\\+ ${where} open avahi side$`), APPEAR_MS + 2000);
    expect(Date.now() - at).toBeLessThan(APPEAR_MS);
    const closing = Date.now();
    host.endInput();
    await watcher.waitForLine('stdout', new RegExp(`^- ${where} open avahi side$`), 10_000);
    expect(Date.now() - closing).toBeLessThan(LEAVE_MS);
    expect(avahi.exitCode).toBeNull();
  });

  it('a room hosted beside avahi (sharing its port) is heard in the other namespace', async () => {
    const [a, b] = lan.hosts as [LanHost, LanHost];
    const watcher = discover(a);
    await watching(watcher);
    const { port } = await listedPort(hostRoom(b, 'next to avahi', ['--password', 'pw']));
    const where = `${b.address.replaceAll('.', '\\.')}:${port}`;
    await watcher.waitForLine('stdout', new RegExp(`^\\+ ${where} password next to avahi$`), APPEAR_MS + 2000);
    expect(avahi.exitCode).toBeNull();
  });

  it.skipIf(noAvahiTools !== null)('avahi-browse resolves a room tincan advertises: name, port, TXT', async () => {
    const [a] = lan.hosts as [LanHost, LanHost];
    const { port, label } = await listedPort(hostRoom(a, 'seen by avahi'));
    const browse = avahiTool(['avahi-browse', '--resolve', '--parsable', '--no-db-lookup', '_tincan._tcp']);
    // "=;iface;IPv4;name;type;domain;host;address;port;txt…", the name with avahi's \DDD escapes.
    const resolved = await browse.waitForLine(
      /^=;[^;]*;IPv4;([^;]*);_tincan\._tcp;local;([^;]*);([^;]*);(\d+);(.*)$/,
      15_000,
    );
    const [, name, target, address, resolvedPort, txt] = resolved;
    const unescaped = (name ?? '').replace(/\\(\d{3})/g, (_, code: string) => String.fromCharCode(Number(code)));
    expect(unescaped).toBe(label);
    expect(target).toMatch(/^tincan-[0-9a-f]{8}\.local$/);
    expect(address).toBe(a.address);
    expect(resolvedPort).toBe(port);
    // avahi lists TXT strings in its own order; ours are these four.
    const strings = [...(txt ?? '').matchAll(/"([^"]*)"/g)].map((m) => m[1]).sort();
    expect(strings.filter((t) => !t?.startsWith('fp='))).toEqual(['pw=0', 'room=seen by avahi', 'v=1']);
    expect(strings.filter((t) => t?.startsWith('fp='))).toEqual([expect.stringMatching(/^fp=[0-9a-f]{64}$/)]);
  });

  it.skipIf(noAvahiTools !== null)('tincan discover lists a room avahi-publish announces', async () => {
    const [a, b] = lan.hosts as [LanHost, LanHost];
    const watcher = discover(a);
    await watching(watcher);
    const publish = avahiTool([
      'avahi-publish',
      '--service',
      'published by avahi',
      '_tincan._tcp',
      '7000',
      'v=1',
      'room=from avahi',
      'pw=1',
    ]);
    await publish.waitForLine(/^Established under name/, 15_000);
    await watcher.waitForLine(
      'stdout',
      new RegExp(`^\\+ ${b.address.replaceAll('.', '\\.')}:7000 password from avahi$`),
      APPEAR_MS + 2000,
    );
    // avahi-publish withdraws on SIGTERM: avahi's goodbye takes the room off our list.
    await publish.stop();
    await watcher.waitForLine(
      'stdout',
      new RegExp(`^- ${b.address.replaceAll('.', '\\.')}:7000 password from avahi$`),
      10_000,
    );
  });
});
