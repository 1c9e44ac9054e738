// The real `tincan` command in child processes: failures before any room (unreachable, bad address,
// port in use), the graceful shutdown of `serve`, its relay process, and the `host` command.
import { existsSync } from 'node:fs';
import { createServer as createTcpServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RELAY_PROCESS_FLAGS } from '../../src-main/engine/index.js';
import { childrenOf, commandLineOf } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';
import { killAll, spawnCli } from './helpers/cli-process.js';
import { enter, freePort, refused, startServe } from './helpers/cli-scenarios.js';

afterEach(async () => {
  await killAll();
});

describe('failures before any room', () => {
  it('host unreachable: fails fast (connection refused, not a timeout) with a clear message', async () => {
    const port = await freePort();
    const proc = spawnCli(['join', `127.0.0.1:${port}`, 'lobby', '--name', 'bob']);
    expect((await proc.waitForExit()).code).toBe(1);
    expect(proc.lines.stderr.filter((l) => l !== '')).toEqual([
      `tincan: cannot reach 127.0.0.1:${port} (connection refused); is a Tincan server running there?`,
    ]);
  });

  it('bad address: exit 2', async () => {
    const proc = spawnCli(['join', '127.0.0.1:http', 'lobby', '--name', 'bob']);
    expect((await proc.waitForExit()).code).toBe(2);
    expect(proc.lines.stderr.join('\n')).toMatch(/^tincan: bad address: invalid port in "127\.0\.0\.1:http"$/m);
  });

  describe('port in use', () => {
    let blocker: Server;
    afterEach(async () => {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    });

    it('serve on a taken port: exit 1, says which address', async () => {
      blocker = createTcpServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const { port } = blocker.address() as { port: number };
      const proc = spawnCli(['serve', '--host', '127.0.0.1', '--port', String(port), '--log-level', 'silent']);
      expect((await proc.waitForExit()).code).toBe(1);
      expect(proc.lines.stderr.join('\n')).toContain(`tincan: 127.0.0.1:${port} is already in use`);
      expect(proc.lines.stdout.join('')).toBe('');
    });
  });

  it('--help of a command through the real entry point', async () => {
    const proc = spawnCli(['join', '--help']);
    expect((await proc.waitForExit()).code).toBe(0);
    expect(proc.lines.stdout[0]).toBe('Usage: tincan join [options] <server> <room>');
  });
});

describe('serve shutdown', () => {
  it('SIGTERM closes the server gracefully: members are told, serve exits 0', async () => {
    const { proc: server, port } = await startServe({ logLevel: 'info' });
    const alice = await enter('create', port, 'shutdown', 'alice');
    server.signal('SIGTERM');
    expect((await server.waitForExit()).code).toBe(0);
    // stderr is JSON lines: the room, its closing for the shutdown, the server closing.
    const events = server.lines.stderr
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { event: string; reason?: string });
    expect(events).toContainEqual(expect.objectContaining({ event: 'room-created', room: 'shutdown' }));
    expect(events).toContainEqual(expect.objectContaining({ event: 'room-closed', reason: 'server-shutdown' }));
    expect(events.at(-1)).toMatchObject({ event: 'server-closed' });
    // The client takes a shutdown for a restart and tries to come back; the user sees why.
    await alice.waitForLine('stdout', /^\* reconnecting \(attempt 1\)…: the server is shutting down$/);
  });
});

describe('the relay process of serve', () => {
  const alive = (pid: number): boolean => existsSync(`/proc/${pid}`);

  it.runIf(process.platform === 'linux')('relays in a Node started with the relay V8 flags', async () => {
    const { proc: server, port } = await startServe();
    const [relay, ...others] = childrenOf(server.child.pid as number);
    expect(others).toEqual([]);
    const argv = commandLineOf(relay as number);
    for (const flag of RELAY_PROCESS_FLAGS) expect(argv).toContain(flag);
    // It is the server: members chat through it.
    const alice = await enter('create', port, 'flags', 'alice');
    const bob = await enter('join', port, 'flags', 'bob');
    bob.writeLine('hi from bob');
    await alice.waitForLine('stdout', /^bob: hi from bob$/);
  });

  it.runIf(process.platform === 'linux')('a killed launcher takes the relay down cleanly', async () => {
    const { proc: server, port } = await startServe({ logLevel: 'info' });
    const [relay] = childrenOf(server.child.pid as number);
    try {
      const alice = await enter('create', port, 'orphan', 'alice');
      server.signal('SIGKILL');
      // The relay notices its parent is gone, closes the room (the member is told) and exits.
      await alice.waitForLine('stdout', /^\* reconnecting \(attempt 1\)…: the server is shutting down$/);
      await server.waitForLine('stderr', /"event":"server-closed"/);
      await waitUntil(() => !alive(relay as number), { timeoutMs: 5_000, what: 'the relay process exited' });
    } finally {
      // killAll() reaches only the launcher: never leave an orphaned relay behind a failure.
      if (relay !== undefined && alive(relay)) process.kill(relay, 'SIGKILL');
    }
  });
});

describe('tincan host', () => {
  it('starts a server, hosts the room, chats; leaving closes the room and the server', async () => {
    const host = spawnCli(['host', 'den', '--name', 'alice', '--host', '127.0.0.1', '--port', '0']);
    const listening = await host.waitForLine(
      'stderr',
      /^\* server listening on 127\.0\.0\.1:(\d+) \(UDP port (\d+)\)$/,
    );
    const port = Number(listening[1]);
    const fingerprint = (await host.waitForLine('stderr', /^\* host certificate fingerprint: ([0-9a-f]{64})$/))[1];
    await host.waitForLine('stderr', /^\* connected to room "den" as alice \(host\)$/);

    // A member pinning the fingerprint the host printed gets in over TLS.
    const bob = await enter('join', port, 'den', 'bob', ['--fingerprint', fingerprint as string]);
    await bob.waitForLine('stderr', /^\* encrypted: TLS 1\.3/);
    await host.waitForLine('stdout', /^\* bob joined the room$/);
    bob.writeLine('knock knock');
    await host.waitForLine('stdout', /^bob: knock knock$/);
    host.writeLine('come in');
    await bob.waitForLine('stdout', /^alice: come in$/);

    host.endInput();
    expect((await host.waitForExit()).code).toBe(0);
    expect((await bob.waitForExit()).code).toBe(3);
    expect(await refused(port)).toBe(true);
  });

  it('a missing name without a terminal: exit 2, no server left behind', async () => {
    const host = spawnCli(['host', 'den', '--host', '127.0.0.1', '--port', '0']);
    expect((await host.waitForExit()).code).toBe(2);
    expect(host.lines.stderr.join('\n')).toMatch(/no name given: pass --name/);
    expect(host.lines.stderr.join('\n')).not.toMatch(/server listening/);
  });

  it('a taken port: exit 1 before any room', async () => {
    const { proc: server, port } = await startServe();
    const host = spawnCli(['host', 'den', '--name', 'alice', '--host', '127.0.0.1', '--port', String(port)]);
    expect((await host.waitForExit()).code).toBe(1);
    expect(host.lines.stderr.join('\n')).toContain('is already in use');
    server.signal('SIGKILL');
  });
});
