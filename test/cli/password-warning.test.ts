// --password puts the password in the process list, readable by every local user: on a terminal the
// CLI says so and points to TINCAN_PASSWORD or the prompt. Scripted runs (stderr not a terminal) keep
// their stderr as it was.
import { describe, expect, it } from 'vitest';
import { type CommandActions, runCli } from '../../src-cli/program.js';
import { passwordOptionWarning } from '../../src-cli/options.js';

async function stderrOf(args: string[], errIsTerminal: boolean, env: Record<string, string> = {}): Promise<string> {
  const actions: CommandActions = {
    serve: async () => 0,
    host: async () => 0,
    discover: async () => 0,
    room: async () => 0,
  };
  let err = '';
  await runCli(['node', 'tincan', ...args], actions, env, {
    writeOut: () => undefined,
    writeErr: (t) => void (err += t),
    errIsTerminal,
  });
  return err;
}

describe('--password warning', () => {
  it.each([
    [['join', '127.0.0.1', 'lobby', '--name', 'bob', '--password', 'pw']],
    [['create', '127.0.0.1', 'lobby', '--password', 'pw']],
    [['host', 'lobby', '--password', 'pw']],
  ])('is printed once on a terminal for %j', async (args) => {
    const err = await stderrOf(args, true);
    expect(err.split('\n').filter((l) => l !== '')).toHaveLength(1);
    expect(err).toMatch(/^tincan: warning: --password can be read by every user .*process list/);
    expect(err).toContain('TINCAN_PASSWORD');
    expect(err).toContain('asked');
  });

  it('is not printed for TINCAN_PASSWORD, an empty --password, or a non-terminal stderr', async () => {
    expect(await stderrOf(['join', '127.0.0.1', 'lobby'], true, { TINCAN_PASSWORD: 'pw' })).toBe('');
    expect(await stderrOf(['create', '127.0.0.1', 'lobby', '--password', ''], true)).toBe('');
    expect(await stderrOf(['join', '127.0.0.1', 'lobby', '--password', 'pw'], false)).toBe('');
  });

  it('is a pure function of the raw options', () => {
    expect(passwordOptionWarning({ password: 'x' })).toMatch(/TINCAN_PASSWORD/);
    expect(passwordOptionWarning({})).toBeNull();
  });
});
