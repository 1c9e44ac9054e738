// The CLI over TLS with real processes: `serve` prints its fingerprint, members pin it or learn it
// on first use, a wrong pin is refused with a message that says what to do, and --plain still
// speaks the spec dialect to the same server.
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src-cli/errors.js';
import { killAll, spawnCli } from './helpers/cli-process.js';
import { CONNECTED, enter, startServe } from './helpers/cli-scenarios.js';

/** The second line `serve` prints. (Tests here run several CLI processes one after another, each loading TypeScript first: 60 s.) */
const FINGERPRINT = /^host certificate fingerprint: ([0-9a-f]{64}) /;

afterEach(killAll);

describe('tincan over TLS', () => {
  it('prints the fingerprint; a member pinning it chats, one pinning another is refused', async () => {
    const { proc: server, port } = await startServe();
    const fingerprint = (await server.waitForLine('stdout', FINGERPRINT))[1] as string;
    const alice = await enter('create', port, 'lobby', 'alice');
    const bob = spawnCli(['join', `127.0.0.1:${port}`, 'lobby', '--name', 'bob', '--fingerprint', fingerprint]);
    await bob.waitForLine('stderr', CONNECTED);
    bob.child.stdin.write('hello over TLS\n');
    await alice.waitForLine('stdout', /^bob: hello over TLS$/);

    const other = 'ab'.repeat(32);
    const mallory = spawnCli(['join', `127.0.0.1:${port}`, 'lobby', '--name', 'carol', '--fingerprint', other]);
    expect((await mallory.waitForExit()).code).toBe(ExitCode.FAILURE);
    const said = mallory.lines.stderr.join('\n');
    expect(said).toContain(`presented certificate ${fingerprint}, not the pinned ${other}`);
  }, 60_000);

  it('lets a --plain member (spec dialect, no TLS) chat on the same port', async () => {
    const { port } = await startServe();
    const alice = await enter('create', port, 'lobby', 'alice');
    const carol = spawnCli(['join', `127.0.0.1:${port}`, 'lobby', '--name', 'carol', '--plain']);
    await carol.waitForLine('stderr', /the server speaks the plain protocol/);
    carol.child.stdin.write('plain hello\n');
    await alice.waitForLine('stdout', /^carol: plain hello$/);
  }, 60_000);
});
