// The command-line grammar through commander: --help of every command, flags reaching the configs,
// and exit codes of usage mistakes. The actions are recorders; the network is tested in cli-e2e.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../src-cli/errors.js';
import {
  cliDataDir,
  type DiscoverConfig,
  type HostConfig,
  type RoomConfig,
  type ServeConfig,
} from '../../src-cli/options.js';
import { type CommandActions, runCli } from '../../src-cli/program.js';

interface Run {
  code: number;
  out: string;
  err: string;
  calls: { serve: ServeConfig[]; host: HostConfig[]; discover: DiscoverConfig[]; room: RoomConfig[] };
}

async function run(args: string[], env: Record<string, string> = {}, result = 0): Promise<Run> {
  const calls: Run['calls'] = { serve: [], host: [], discover: [], room: [] };
  const actions: CommandActions = {
    serve: async (c) => (calls.serve.push(c), result),
    host: async (c) => (calls.host.push(c), result),
    discover: async (c) => (calls.discover.push(c), result),
    room: async (c) => (calls.room.push(c), result),
  };
  let out = '';
  let err = '';
  const code = await runCli(['node', 'tincan', ...args], actions, env, {
    writeOut: (t) => void (out += t),
    writeErr: (t) => void (err += t),
  });
  return { code, out, err, calls };
}

describe('--help', () => {
  it('lists every command at the top level, with the exit codes', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['serve', 'host', 'create', 'join'])
      expect(r.out).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    expect(r.out).toMatch(/3\s+the room closed/);
  });

  it.each([
    [
      'serve',
      [
        '--host <addr>',
        '--port <n>',
        '--udp-port <n>',
        '--inactivity-timeout <s>',
        '--handshake-timeout <s>',
        '--token-ttl <s>',
        '--max-rooms <n>',
        '--max-members <n>',
        '--max-pending <n>',
        '--max-conns-per-ip <n>',
        '--hash-burst-per-ip <n>',
        '--create-burst-per-ip <n>',
        '--refusal-burst-per-ip <n>',
        '--workers <n>',
        '--log-level <level>',
      ],
    ],
    ['host', ['<room>', '--name <name>', '--password <password>', '--port <n>', '--udp-port <n>', '--host <addr>']],
    ['create', ['<server>', '<room>', '--name <name>', '--password <password>', '--udp-port <n>']],
    ['join', ['<server>', '<room>', '--name <name>', '--password <password>', '--udp-port <n>']],
  ])('tincan %s --help shows its usage and every option', async (command, expected) => {
    const r = await run([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Usage: tincan ${command}`);
    for (const text of expected) expect(r.out).toContain(text);
    expect(r.calls.serve.length + r.calls.host.length + r.calls.room.length).toBe(0);
  });

  it('shows the defaults of the server in serve --help', async () => {
    const r = await run(['serve', '--help']);
    expect(r.out).toMatch(/--inactivity-timeout <s>[\s\S]*\(default: 60\)/);
    expect(r.out).toMatch(/--port <n>[\s\S]*\(default: 7777\)/);
  });
});

describe('flags reach the commands', () => {
  it('serve', async () => {
    const r = await run([
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--max-members',
      '3',
      '--inactivity-timeout',
      '2',
      '--log-level',
      'warn',
      '--workers',
      '2',
      '--advertise',
    ]);
    expect(r.code).toBe(0);
    expect(r.calls.serve).toEqual([
      {
        server: { host: '127.0.0.1', port: 0, maxMembersPerRoom: 3, inactivityTimeoutMs: 2000 },
        logLevel: 'warn',
        workers: 2,
        advertise: true,
        upnp: false,
        identityDir: join(cliDataDir({}), 'identity'),
      },
    ]);
  });

  it('serve and host --upnp --stun reach the config', async () => {
    expect((await run(['serve', '--upnp', '--stun', '11.0.0.1:3478'])).calls.serve[0]?.stun).toEqual({
      host: '11.0.0.1',
      port: 3478,
    });
    expect((await run(['host', 'lobby', '--upnp', '--stun', 'stun.example.org'])).calls.host[0]?.stun).toEqual({
      host: 'stun.example.org',
      port: 3478,
    });
    expect((await run(['serve', '--help'])).out).toContain('--stun <host:port>');
  });

  it('host --no-advertise and discover --once', async () => {
    expect((await run(['host', 'lobby', '--no-advertise'])).calls.host[0]?.advertise).toBe(false);
    expect((await run(['host', 'lobby'])).calls.host[0]?.advertise).toBe(true);
    expect((await run(['discover', '--once', '2'])).calls.discover).toEqual([{ onceAfterMs: 2000 }]);
    expect((await run(['discover'])).calls.discover).toEqual([{ onceAfterMs: null }]);
  });

  // encrypted transport (#16)
  it('serve and host --encrypted-only reach the server options; off unless given', async () => {
    expect((await run(['serve', '--encrypted-only'])).calls.serve[0]?.server.encryptedOnly).toBe(true);
    expect((await run(['host', 'lobby', '--encrypted-only'])).calls.host[0]?.server.encryptedOnly).toBe(true);
    expect((await run(['serve'])).calls.serve[0]?.server).not.toHaveProperty('encryptedOnly');
    expect((await run(['serve', '--help'])).out).toContain('--encrypted-only');
  });

  it('join and create', async () => {
    await expect(run(['join', '[::1]:5000', 'lobby', '--name', 'bob', '--udp-port', '5001'])).resolves.toMatchObject({
      calls: { room: [{ mode: 'join', host: '::1', port: 5000, udpPort: 5001, room: 'lobby', name: 'bob' }] },
    });
    const created = await run(['create', 'localhost', 'lobby', '--password', 'pw'], { TINCAN_PASSWORD: 'ignored' });
    expect(created.calls.room).toEqual([
      {
        mode: 'create',
        host: 'localhost',
        port: 7777,
        room: 'lobby',
        password: 'pw',
        knownHostsPath: join(cliDataDir({}), 'known-hosts.json'),
      },
    ]);
  });

  it('host', async () => {
    const r = await run(['host', 'lobby', '--name', 'al', '--port', '0', '--host', '127.0.0.1']);
    expect(r.calls.host).toEqual([
      {
        room: 'lobby',
        name: 'al',
        server: { host: '127.0.0.1', port: 0 },
        logLevel: 'silent',
        advertise: true,
        upnp: false,
        identityDir: join(cliDataDir({}), 'identity'),
      },
    ]);
  });

  it('passes the exit code of the command through', async () => {
    expect((await run(['join', 'h', 'r', '--name', 'n'], {}, 3)).code).toBe(3);
  });
});

describe('failures', () => {
  it('a bad address is exit 2 with one line', async () => {
    const r = await run(['join', 'host:99999', 'lobby', '--name', 'bob']);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.err.trim().split('\n')).toEqual(['tincan: bad address: port out of range in "host:99999"']);
    expect(r.calls.room).toEqual([]);
  });

  it('a bad option value is exit 2', async () => {
    const r = await run(['serve', '--port', 'http']);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.err).toContain('--port must be a whole number');
  });

  it('unknown options, missing arguments and no command are exit 2', async () => {
    expect((await run(['serve', '--bogus'])).code).toBe(ExitCode.USAGE);
    const missing = await run(['join', 'h']);
    expect(missing.code).toBe(ExitCode.USAGE);
    expect(missing.err).toContain("missing required argument 'room'");
    expect((await run([])).code).toBe(ExitCode.USAGE);
    expect((await run(['chat'])).code).toBe(ExitCode.USAGE);
  });

  it('an error thrown by a command becomes its message and exit code', async () => {
    const actions: CommandActions = {
      serve: async () => {
        throw new CliError('127.0.0.1:1 is already in use');
      },
      host: async () => 0,
      discover: async () => 0,
      room: async () => 0,
    };
    let err = '';
    const code = await runCli(
      ['node', 'tincan', 'serve'],
      actions,
      {},
      { writeOut: () => {}, writeErr: (t) => void (err += t) },
    );
    expect(code).toBe(ExitCode.FAILURE);
    expect(err).toBe('tincan: 127.0.0.1:1 is already in use\n');
  });
});
