// The real `tincan` command in child processes, talking over loopback: a dedicated server with rooms
// created and joined in piped mode, messages both ways, and every way a join or create can fail.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CliProcess, killAll, spawnCli } from './helpers/cli-process.js';
import { enter, startServe } from './helpers/cli-scenarios.js';

afterEach(async () => {
  await killAll();
});

describe('tincan serve + create + join (piped)', () => {
  let server: CliProcess;
  let port: number;

  beforeAll(async () => {
    ({ proc: server, port } = await startServe({ shared: true }));
  });

  afterAll(async () => {
    server.signal('SIGKILL');
    await server.exited;
  });

  it('two members exchange lines both ways; end of input leaves the room', async () => {
    const alice = await enter('create', port, 'lobby', 'alice', ['--password', 's3cret']);
    expect(alice.lines.stderr).toContain('* connected to room "lobby" as alice (host)');
    const bob = await enter('join', port, 'lobby', 'bob', ['--password', 's3cret']);
    await alice.waitForLine('stdout', /^\* bob joined the room$/);

    bob.writeLine('hello alice');
    bob.writeLine('');
    bob.writeLine('second line');
    await alice.waitForLine('stdout', /^bob: second line$/);
    alice.writeLine('hi bob, ünïcödé 👋');
    await bob.waitForLine('stdout', /^alice: hi bob, ünïcödé 👋$/);

    bob.endInput();
    expect(await bob.waitForExit()).toEqual({ code: 0, signal: null });
    await alice.waitForLine('stdout', /^\* bob left the room$/);

    // Exactly what was sent, in order, one line each; the empty line was skipped; no echo of our own.
    expect(alice.lines.stdout).toEqual([
      '* bob joined the room',
      'bob: hello alice',
      'bob: second line',
      '* bob left the room',
    ]);
    expect(bob.lines.stdout).toEqual(['alice: hi bob, ünïcödé 👋']);

    alice.endInput();
    expect(await alice.waitForExit()).toEqual({ code: 0, signal: null });
  });

  it('a long piped file arrives whole and in order (sends are paced under the rate limit)', async () => {
    const alice = await enter('create', port, 'bulk', 'alice');
    const bob = await enter('join', port, 'bulk', 'bob');
    await alice.waitForLine('stdout', /^\* bob joined the room$/);
    const lines = Array.from({ length: 260 }, (_, i) => `line ${i + 1}`);
    bob.child.stdin.end(`${lines.join('\n')}\n`);
    expect((await bob.waitForExit(20_000)).code).toBe(0);
    await alice.waitForLine('stdout', /^\* bob left the room$/);
    expect(alice.lines.stdout.filter((l) => l.startsWith('bob: '))).toEqual(lines.map((l) => `bob: ${l}`));
  }, 30_000);

  it('the host leaving closes the room: members exit 3 with a message on stderr', async () => {
    const alice = await enter('create', port, 'closing', 'alice');
    const bob = await enter('join', port, 'closing', 'bob');
    await alice.waitForLine('stdout', /^\* bob joined the room$/);
    alice.endInput();
    expect((await alice.waitForExit()).code).toBe(0);
    expect((await bob.waitForExit()).code).toBe(3);
    expect(bob.lines.stderr.join('\n')).toMatch(/room closed: the host left/);
  });

  it('wrong password: exit 1 and one clear message', async () => {
    await enter('create', port, 'locked', 'alice', ['--password', 'right']);
    const bob = spawnCli(['join', `127.0.0.1:${port}`, 'locked', '--name', 'bob', '--password', 'wrong']);
    expect((await bob.waitForExit()).code).toBe(1);
    expect(bob.lines.stderr.filter((l) => l !== '')).toEqual(['tincan: wrong password for room "locked"']);
  });

  it('a protected room without a password (no terminal to ask): exit 1, says how to give one', async () => {
    await enter('create', port, 'guarded', 'alice', ['--password', 'pw']);
    const bob = spawnCli(['join', `127.0.0.1:${port}`, 'guarded', '--name', 'bob']);
    expect((await bob.waitForExit()).code).toBe(1);
    expect(bob.lines.stderr.join('\n')).toMatch(/room "guarded" needs a password: set TINCAN_PASSWORD/);
  });

  it('room exists: exit 1', async () => {
    await enter('create', port, 'taken', 'alice');
    const other = spawnCli(['create', `127.0.0.1:${port}`, 'taken', '--name', 'carol']);
    expect((await other.waitForExit()).code).toBe(1);
    expect(other.lines.stderr.join('\n')).toMatch(/^tincan: room "taken" already exists on 127\.0\.0\.1:\d+/m);
  });

  it('no such room and name taken: exit 1', async () => {
    const nobody = spawnCli(['join', `127.0.0.1:${port}`, 'nowhere', '--name', 'bob']);
    expect((await nobody.waitForExit()).code).toBe(1);
    expect(nobody.lines.stderr.join('\n')).toMatch(/there is no room "nowhere"/);

    await enter('create', port, 'names', 'alice');
    const twin = spawnCli(['join', `127.0.0.1:${port}`, 'names', '--name', 'alice']);
    expect((await twin.waitForExit()).code).toBe(1);
    expect(twin.lines.stderr.join('\n')).toMatch(/the name "alice" is already taken in room "names"/);
  });

  it('a missing name without a terminal: exit 2', async () => {
    const proc = spawnCli(['join', `127.0.0.1:${port}`, 'lobby']);
    expect((await proc.waitForExit()).code).toBe(2);
    expect(proc.lines.stderr.join('\n')).toMatch(/no name given: pass --name/);
  });
});

describe.runIf(process.platform === 'linux')('tincan serve --workers 2 (relay processes sharing the port)', () => {
  it('rooms on both workers: members chat through the one address, and SIGTERM tells every room', async () => {
    const { roomsByShard } = await import('../support/room-shards.js');
    const { proc: server, port } = await startServe({ extra: ['--workers', '2'] });
    // One room per worker: the same hash the kernel steers datagrams by.
    const rooms = roomsByShard('cli', 2);
    const members: CliProcess[] = [];
    for (const room of rooms) {
      const alice = await enter('create', port, room, 'alice');
      const bob = await enter('join', port, room, 'bob');
      await alice.waitForLine('stdout', /^\* bob joined the room$/);
      bob.writeLine(`hello from ${room}`);
      await alice.waitForLine('stdout', new RegExp(`^bob: hello from ${room}$`));
      members.push(alice, bob);
    }
    const shardPids = (): number[] =>
      readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .filter((pid) => {
          try {
            const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
            return cmd.includes('shard-process') && cmd.includes(`"tcpPort":${port},`);
          } catch {
            return false; // gone meanwhile
          }
        })
        .map(Number);
    expect(shardPids()).toHaveLength(2);
    server.signal('SIGTERM');
    expect((await server.waitForExit(10_000)).code).toBe(0);
    // Every member, whichever worker had its room, is told why (and starts reconnecting, as with one process).
    for (const m of members) await m.waitForLine('stdout', /the server is shutting down/);
    expect(shardPids()).toEqual([]); // no worker outlives the server
  }, 40_000);
});
