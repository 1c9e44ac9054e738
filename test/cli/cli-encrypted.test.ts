// The CLI over TLS with real processes: `serve` prints its fingerprint, members pin it or learn it
// on first use, a wrong pin is refused with a message that says what to do, and --plain still
// speaks the spec dialect to the same server; --cipher picks the cipher of a member's sealed datagrams;
// `serve --identity` keeps its fingerprint across restarts, and a member that met it refuses another
// certificate or a plain answer on that address.
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src-cli/errors.js';
import { SealedCipher, SEALED_CLIENT_MARKER } from '../../src-shared/protocol/index.js';
import { LossyUdpRelay } from '../faults/lossy-udp-relay.js';
import { Rng } from '../fuzz/random-bytes.js';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAll, spawnCli, type CliProcess } from './helpers/cli-process.js';
import { CONNECTED, enter, LISTENING, startServe } from './helpers/cli-scenarios.js';

/** The second line `serve` prints. (Tests here run several CLI processes one after another, each loading TypeScript first: 60 s.) */
const FINGERPRINT = /^host certificate fingerprint: ([0-9a-f]{64}) /;

afterEach(killAll);

describe('tincan over TLS', () => {
  it('prints the fingerprint; a member pinning it chats, one pinning another is refused', async () => {
    const { proc: server, port } = await startServe();
    const fingerprint = (await server.waitForLine('stdout', FINGERPRINT))[1] as string;
    const alice = await enter('create', port, 'lobby', 'alice');
    // Alice had no pin: she is told the certificate is trusted on first use, and which it is.
    await alice.waitForLine('stderr', /^\* encrypted: TLS 1\.3, chat sealed with aes-256-gcm$/);
    await alice.waitForLine(
      'stderr',
      new RegExp(
        `^\\* first connection to 127\\.0\\.0\\.1:${port}: its certificate ${fingerprint} will be expected from now on`,
      ),
    );
    const bob = spawnCli(['join', `127.0.0.1:${port}`, 'lobby', '--name', 'bob', '--fingerprint', fingerprint]);
    await bob.waitForLine('stderr', CONNECTED);
    await bob.waitForLine('stderr', /^\* encrypted: TLS 1\.3/);
    bob.child.stdin.write('hello over TLS\n');
    await alice.waitForLine('stdout', /^bob: hello over TLS$/);

    const other = 'ab'.repeat(32);
    const mallory = spawnCli(['join', `127.0.0.1:${port}`, 'lobby', '--name', 'carol', '--fingerprint', other]);
    expect((await mallory.waitForExit()).code).toBe(ExitCode.FAILURE);
    const said = mallory.lines.stderr.join('\n');
    expect(said).toContain(`presented certificate ${fingerprint}, not the pinned ${other}`);
    // Bob pinned the fingerprint: nothing was trusted on first use.
    expect(bob.lines.stderr.some((line) => line.startsWith('* first connection'))).toBe(false);
  }, 60_000);

  it('lets a --plain member (spec dialect, no TLS) chat on the same port', async () => {
    const { port } = await startServe();
    const alice = await enter('create', port, 'lobby', 'alice');
    const carol = spawnCli(['join', `127.0.0.1:${port}`, 'lobby', '--name', 'carol', '--plain']);
    await carol.waitForLine('stderr', /the server speaks the plain protocol/);
    expect(carol.lines.stderr.some((line) => line.startsWith('* encrypted'))).toBe(false);
    carol.child.stdin.write('plain hello\n');
    await alice.waitForLine('stdout', /^carol: plain hello$/);
  }, 60_000);

  it('serve --encrypted-only refuses a --plain member, saying what to do, and admits a TLS one', async () => {
    const { port } = await startServe({ extra: ['--encrypted-only'] });
    const alice = await enter('create', port, 'lobby', 'alice');
    await alice.waitForLine('stderr', /^\* encrypted: TLS 1\.3/);
    const carol = spawnCli(['join', `127.0.0.1:${port}`, 'lobby', '--name', 'carol', '--plain']);
    expect((await carol.waitForExit()).code).toBe(ExitCode.FAILURE);
    expect(carol.lines.stderr.join('\n')).toContain(
      `127.0.0.1:${port} admits encrypted members only; connect without --plain`,
    );
    const bob = await enter('join', port, 'lobby', 'bob');
    bob.child.stdin.write('sealed hello\n');
    await alice.waitForLine('stdout', /^bob: sealed hello$/);
  }, 60_000);

  it("--cipher chacha20-poly1305 seals the member's datagrams with ChaCha20; another name is a usage error", async () => {
    const { proc: server, port } = await startServe();
    const udpPort = Number((await server.waitForLine('stdout', LISTENING))[2]);
    const alice = await enter('create', port, 'lobby', 'alice');
    // Bob's datagrams cross a relay that keeps them, so their cipher byte can be read.
    const up: Buffer[] = [];
    const relay = await LossyUdpRelay.start(
      udpPort,
      {
        loss: 0,
        delayMs: 0,
        jitterMs: 0,
        dropIf: (dir, bytes) => {
          if (dir === 'up') up.push(Buffer.from(bytes));
          return false;
        },
      },
      new Rng(1),
    );
    try {
      const bob = await enter('join', port, 'lobby', 'bob', [
        '--cipher',
        'chacha20-poly1305',
        '--udp-port',
        String(relay.port),
      ]);
      await bob.waitForLine('stderr', /^\* encrypted: TLS 1\.3, chat sealed with chacha20-poly1305$/);
      bob.child.stdin.write('hello under chacha\n');
      await alice.waitForLine('stdout', /^bob: hello under chacha$/);
      expect(up.length).toBeGreaterThan(0);
      for (const d of up) expect([d[0], d[1]]).toEqual([SEALED_CLIENT_MARKER, SealedCipher.CHACHA20_POLY1305]);
    } finally {
      relay.close();
    }

    const wrong = spawnCli(['join', `127.0.0.1:${port}`, 'lobby', '--name', 'carol', '--cipher', 'des']);
    expect((await wrong.waitForExit()).code).toBe(ExitCode.USAGE);
    expect(wrong.lines.stderr.join('\n')).toContain('--cipher must be aes-256-gcm or chacha20-poly1305');
  }, 60_000);

  it('serve --identity keeps its fingerprint across restarts; a member that met it refuses another and a plain answer', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tincan-identities-'));
    const [first, other] = [join(root, 'first'), join(root, 'other')];
    // Alice's own data folder, kept from one run of hers to the next: her known hosts live there.
    const aliceData = mkdtempSync(join(tmpdir(), 'tincan-alice-'));
    const alice = (port: number) =>
      spawnCli(['create', `127.0.0.1:${port}`, 'lobby', '--name', 'alice'], { dataDir: aliceData });
    try {
      const a = await startServe({ extra: ['--identity', first] });
      const port = a.port;
      const original = (await a.proc.waitForLine('stdout', FINGERPRINT))[1] as string;
      expect(statSync(first).mode & 0o777).toBe(0o700);
      expect(statSync(join(first, 'host-key.pem')).mode & 0o777).toBe(0o600);
      const met = alice(port);
      await met.waitForLine(
        'stderr',
        new RegExp(`^\\* first connection to 127\\.0\\.0\\.1:${port}: its certificate ${original}`),
      );
      await met.waitForLine('stderr', CONNECTED);
      await stop(met, a.proc);

      // The same identity after a restart: the same fingerprint, and alice knows it without a word.
      const b = await startServe({ extra: ['--identity', first], port });
      expect((await b.proc.waitForLine('stdout', FINGERPRINT))[1]).toBe(original);
      const again = alice(port);
      await again.waitForLine('stderr', CONNECTED);
      expect(again.lines.stderr.some((line) => line.startsWith('* first connection'))).toBe(false);
      await stop(again, b.proc);

      // Another identity on that address: refused, with both fingerprints and what to do.
      const c = await startServe({ extra: ['--identity', other], port });
      const changed = (await c.proc.waitForLine('stdout', FINGERPRINT))[1] as string;
      expect(changed).not.toBe(original);
      const refusedChange = alice(port);
      expect((await refusedChange.waitForExit()).code).toBe(ExitCode.FAILURE);
      expect(refusedChange.lines.stderr.join('\n')).toContain(`its certificate changed from ${original} to ${changed}`);
      await stop(c.proc);

      // A server on that address answering in plain (the sharded relay speaks no TLS): a downgrade.
      const d = await startServe({ extra: ['--workers', '2'], port });
      const refusedPlain = alice(port);
      expect((await refusedPlain.waitForExit()).code).toBe(ExitCode.FAILURE);
      expect(refusedPlain.lines.stderr.join('\n')).toContain('it answered without TLS, but it spoke TLS before');
      await stop(d.proc);
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(aliceData, { recursive: true, force: true });
    }
  }, 90_000);
});

/** Ends each process (SIGTERM) and waits until it is gone, so its port is free again. */
async function stop(...procs: CliProcess[]): Promise<void> {
  for (const proc of procs) proc.signal('SIGTERM');
  await Promise.all(procs.map((proc) => proc.exited));
}
