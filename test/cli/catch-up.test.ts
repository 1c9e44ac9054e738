// Catch-up in the CLI: `--history N` on serve and host, and the earlier lines a late joiner prints.
import { afterEach, describe, expect, it } from 'vitest';
import { caughtUpLine, earlierLine, historyLine } from '../../src-cli/chat/format.js';
import { UsageError } from '../../src-cli/errors.js';
import { parseHostOptions, parseServeOptions } from '../../src-cli/options.js';
import { killAll, spawnCli } from './helpers/cli-process.js';
import { enter } from './helpers/cli-scenarios.js';

afterEach(async () => {
  await killAll();
});

describe('--history', () => {
  it('is passed to the server of serve and host; absent leaves the server default', () => {
    expect(parseServeOptions({ history: '5' }).server.historySize).toBe(5);
    expect(parseServeOptions({ history: '0' }).server.historySize).toBe(0);
    expect(parseHostOptions('den', { history: '250' }, {}).server.historySize).toBe(250);
    expect(parseServeOptions({}).server).not.toHaveProperty('historySize');
  });

  it('refuses a negative, fractional or too large count', () => {
    for (const bad of ['-1', '1.5', 'many', '10001'])
      expect(() => parseServeOptions({ history: bad })).toThrow(UsageError);
  });
});

describe('earlier lines', () => {
  it('are marked with the local time they were said, made safe like any line', () => {
    const at = new Date(2026, 0, 2, 9, 5).getTime();
    expect(earlierLine('alice', 'hi\nthere', at)).toBe('[earlier 09:05] alice: hi there');
    expect(caughtUpLine(1)).toBe('* 1 earlier message above');
    expect(caughtUpLine(3)).toBe('* 3 earlier messages above');
    expect(caughtUpLine(0)).toBeNull();
    expect(historyLine(100)).toBe('* new members see the last 100 messages');
    expect(historyLine(1)).toBe('* new members see the last 1 message');
    expect(historyLine(undefined)).toBeNull();
  });
});

/** Starts `host den` with `extra` flags; alice says `lines`, and carol (already in) hears every one. */
async function hostSaid(extra: string[], lines: string[]): Promise<number> {
  const host = spawnCli(['host', 'den', '--name', 'alice', '--host', '127.0.0.1', '--port', '0', ...extra]);
  const listening = await host.waitForLine('stderr', /^\* server listening on 127\.0\.0\.1:(\d+) /);
  const port = Number(listening[1]);
  await host.waitForLine('stderr', /^\* connected to room "den" as alice \(host\)$/);
  const keeps = extra.includes('--history') ? Number(extra[extra.indexOf('--history') + 1]) : 100;
  if (keeps > 0) await host.waitForLine('stderr', new RegExp(`^\\* new members see the last ${keeps} messages$`));
  else expect(host.lines.stderr.some((l) => l.includes('new members see'))).toBe(false);
  const carol = await enter('join', port, 'den', 'carol');
  await host.waitForLine('stdout', /^\* carol joined the room$/);
  for (const line of lines) host.writeLine(line);
  await carol.waitForLine('stdout', new RegExp(`^alice: ${lines.at(-1) ?? ''}$`));
  return port;
}

describe('a late joiner in the CLI', () => {
  it('prints the last N lines marked earlier, then where they end', async () => {
    const port = await hostSaid(['--history', '2'], ['one', 'two', 'three']);
    const bob = await enter('join', port, 'den', 'bob');
    await bob.waitForLine('stdout', /^\* 2 earlier messages above$/);
    const shown = bob.lines.stdout.filter((l) => l.includes('alice:'));
    expect(shown).toHaveLength(2);
    expect(shown[0]).toMatch(/^\[earlier \d\d:\d\d\] alice: two$/);
    expect(shown[1]).toMatch(/^\[earlier \d\d:\d\d\] alice: three$/);
  });

  it('with --history 0 prints nothing earlier', async () => {
    const port = await hostSaid(['--history', '0'], ['one', 'two']);
    const bob = await enter('join', port, 'den', 'bob');
    const dave = await enter('join', port, 'den', 'dave');
    // Dave joining after bob shows bob has settled in; nothing said before bob came reached him.
    await bob.waitForLine('stdout', /^\* dave joined the room$/);
    expect(bob.lines.stdout.filter((l) => l.includes('earlier') || l.includes('alice:'))).toEqual([]);
    dave.endInput();
  });
});
