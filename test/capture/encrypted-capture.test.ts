// What an on-path observer sees of an encrypted room: tcpdump records every packet on loopback to
// and from the server's port while our clients create a password room over TLS, join it and chat
// (sealed UDP). The capture must hold none of the password, tokens, room name, names or text. A
// plain member in another room, captured at the same time, shows the capture does see clear bytes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateHostIdentity, MemoryTrustStore, type HostIdentity } from '../../src-main/engine/index.js';
import { ClientFactory } from '../support/clients.js';
import { waitForEvent } from '../support/events.js';
import { waitUntil } from '../support/wait.js';
import { startServer, type TestServer } from '../support/server.js';

const CAPTURE_READY_MS = 10_000;

/** Why a loopback capture cannot run here, or null. */
function captureUnavailable(): string | null {
  if (process.platform !== 'linux') return 'loopback capture is Linux-only here';
  const probe = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
  if (probe.error) return 'tcpdump is not installed (apt-get install tcpdump)';
  if (process.getuid?.() !== 0) return 'capturing needs root';
  return null;
}

const skip = captureUnavailable();

/** tcpdump on `lo` for the server's ports (TCP and UDP, both directions), written packet by packet. */
class Capture {
  private readonly dir = mkdtempSync(join(tmpdir(), 'tincan-capture-'));
  private readonly file = join(this.dir, 'lo.pcap');
  private child: ChildProcess | null = null;
  /** What tcpdump wrote to stderr (its start line; on exit, how many packets it dropped). */
  private said = '';

  async start(ports: readonly number[]): Promise<void> {
    const filter = ports.flatMap((p, i) => [...(i > 0 ? ['or'] : []), 'port', String(p)]);
    const child = spawn(
      'tcpdump',
      // -B: an 8 MiB kernel buffer (the default is 2), so a tcpdump starved of CPU while the whole
      // suite runs still loses no packet.
      ['-i', 'lo', '--immediate-mode', '-U', '-B', '8192', '-n', '-s', '0', '-w', this.file, ...filter],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('tcpdump did not start listening')), CAPTURE_READY_MS);
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        this.said += chunk;
        if (this.said.includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`tcpdump exited (${String(code)}): ${this.said}`));
      });
    });
  }

  /**
   * Waits until the capture file holds `last` (the final packet the test sent: everything before
   * it has been written too), then stops the capture and returns every byte it wrote.
   */
  async stopAfter(last: string): Promise<Buffer> {
    const marker = Buffer.from(last, 'utf8');
    try {
      await waitUntil(() => readFileSync(this.file).includes(marker), {
        timeoutMs: CAPTURE_READY_MS,
        everyMs: 50,
        what: `"${last}" is in the capture`,
      });
    } catch (err) {
      // Say what tcpdump saw, so a failure tells a lost packet from a stalled or dead capture.
      const alive = this.child?.exitCode === null;
      await this.stop();
      throw new Error(
        `${(err as Error).message}; tcpdump was ${alive ? 'running' : 'gone'}, wrote ${readFileSync(this.file).length} B, said: ${this.said.trim()}`,
        { cause: err },
      );
    }
    await this.stop();
    return readFileSync(this.file);
  }

  /** Stops tcpdump (SIGINT: it writes what it holds and reports its counts) and waits for it. */
  private async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null) {
      // 'close', not 'exit': its last words on stderr have then been read too.
      const closed = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGINT');
      await closed;
    }
  }

  dispose(): void {
    this.child?.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

let identity: HostIdentity;
beforeAll(async () => {
  identity = await generateHostIdentity();
});

const clients = new ClientFactory();
let srv: TestServer | null = null;
let capture: Capture | null = null;
afterEach(async () => {
  await clients.leaveAll();
  await srv?.close();
  capture?.dispose();
  srv = null;
  capture = null;
});

describe.skipIf(skip !== null)(`loopback capture of an encrypted room${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('shows no password, token, room name, name or text; a plain room beside it shows its text', async () => {
    srv = await startServer({ identity });
    const ports = { tcpPort: srv.tcpPort, udpPort: srv.udpPort };
    capture = new Capture();
    await capture.start([srv.tcpPort, srv.udpPort]);

    const PASSWORD = 'S3cretRoomPW!';
    const trust = new MemoryTrustStore();
    const encryption = { knownHosts: trust };
    const alice = clients.make(ports, { room: 'hidden-den', username: 'alicesecret', password: PASSWORD, encryption });
    const bob = clients.make(ports, {
      room: 'hidden-den',
      username: 'bobsecret',
      mode: 'join',
      password: PASSWORD,
      encryption,
    });
    const aliceInfo = await alice.connect();
    const bobInfo = await bob.connect();
    expect([aliceInfo.transport, bobInfo.transport]).toEqual(['tls', 'tls']);
    // Both sessions seal their datagrams (the channel exists only then).
    expect([alice.sealedDrops, bob.sealedDrops].every((d) => d !== null)).toBe(true);
    const toAlice = waitForEvent(alice, 'message', (m) => m.text === 'meet at the old mill');
    bob.send('meet at the old mill');
    await toAlice;
    const toBob = waitForEvent(bob, 'message', (m) => m.text === 'bring the blue folder');
    alice.send('bring the blue folder');
    await toBob;

    // The control: two spec-dialect members in a room of their own, in clear on the same port.
    const plain = { room: 'open-porch', negotiate: false };
    const carol = clients.make(ports, { ...plain, username: 'carolplain' });
    const dave = clients.make(ports, { ...plain, username: 'daveplain', mode: 'join' });
    await carol.connect();
    await dave.connect();
    const echoed = waitForEvent(dave, 'message', (m) => m.text === 'plainly-visible-canary');
    carol.send('plainly-visible-canary');
    await echoed;

    await clients.leaveAll();
    const bytes = await capture.stopAfter('plainly-visible-canary');
    const seen = (text: string) => bytes.includes(Buffer.from(text, 'utf8'));

    expect(seen('plainly-visible-canary')).toBe(true);
    expect(seen('open-porch')).toBe(true);
    for (const secret of [
      PASSWORD,
      aliceInfo.token,
      bobInfo.token,
      'hidden-den',
      'alicesecret',
      'bobsecret',
      'meet at the old mill',
      'bring the blue folder',
    ])
      expect(seen(secret), secret).toBe(false);
  });
});
