// The real `tincan` command against `serve --inactivity-timeout 3`: a CLI that heartbeats as the
// server says is never dropped, and one that falls silent (stopped) is told why and exits non-zero.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CliProcess, killAll } from './helpers/cli-process.js';
import { enter, startServe } from './helpers/cli-scenarios.js';
import { letTimePass } from '../support/wait.js';

const TIMEOUT_S = 3;

afterEach(async () => {
  await killAll();
});

describe(`serve --inactivity-timeout ${TIMEOUT_S}`, () => {
  let server: CliProcess;
  let port: number;

  beforeAll(async () => {
    ({ proc: server, port } = await startServe({ shared: true, extra: ['--inactivity-timeout', String(TIMEOUT_S)] }));
  });

  afterAll(async () => {
    server.signal('SIGKILL');
    await server.exited;
  });

  it('keeps CLI members that obey the announced heartbeat past the timeout', async () => {
    const alice = await enter('create', port, 'awake', 'alice');
    const bob = await enter('join', port, 'awake', 'bob');
    await alice.waitForLine('stdout', /^\* bob joined the room$/);
    await letTimePass(TIMEOUT_S * 1_500, 'stay idle for one and a half timeouts, sending only heartbeats');
    bob.writeLine('still here');
    await alice.waitForLine('stdout', /^bob: still here$/);
    expect(alice.lines.stdout).toEqual(['* bob joined the room', 'bob: still here']);
    alice.endInput();
    expect(await alice.waitForExit()).toEqual({ code: 0, signal: null });
  }, 30_000);

  it('a CLI that falls silent is told it timed out, says so and exits 1', async () => {
    const alice = await enter('create', port, 'sleepy', 'alice');
    const bob = await enter('join', port, 'sleepy', 'bob');
    await alice.waitForLine('stdout', /^\* bob joined the room$/);
    bob.signal('SIGSTOP');
    try {
      await alice.waitForLine('stdout', /^\* bob timed out$/, 15_000);
    } finally {
      bob.signal('SIGCONT');
    }
    await bob.waitForLine('stderr', /^\* you timed out: the server heard nothing from this client in time$/);
    expect(await bob.waitForExit()).toEqual({ code: 1, signal: null });
    alice.endInput();
    expect(await alice.waitForExit()).toEqual({ code: 0, signal: null });
  }, 30_000);
});
