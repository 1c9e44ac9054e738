// `tincan join <invite link>`: the grammar (recorded configs, usage errors) and a real join over
// loopback, a `serve` and two CLI members in child processes.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatJoinLink } from '../../src-shared/invite/join-link.js';
import { ExitCode } from '../../src-cli/errors.js';
import { cliDataDir, type RoomConfig } from '../../src-cli/options.js';
import { runCli } from '../../src-cli/program.js';
import { type CliProcess, killAll, spawnCli } from './helpers/cli-process.js';
import { CONNECTED, enter, startServe } from './helpers/cli-scenarios.js';

async function run(args: string[]): Promise<{ code: number; err: string; rooms: RoomConfig[] }> {
  const rooms: RoomConfig[] = [];
  let err = '';
  const code = await runCli(
    ['node', 'tincan', ...args],
    { serve: async () => 0, host: async () => 0, discover: async () => 0, room: async (c) => (rooms.push(c), 0) },
    {},
    { writeOut: () => undefined, writeErr: (t) => void (err += t) },
  );
  return { code, err, rooms };
}

describe('tincan join <link>: arguments', () => {
  it('takes host, port and room from the link', async () => {
    const link = formatJoinLink({ host: 'fd00::5', port: 9000, room: 'my room', fingerprint: null });
    const r = await run(['join', link, '--name', 'bob']);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.rooms).toEqual([
      {
        mode: 'join',
        host: 'fd00::5',
        port: 9000,
        room: 'my room',
        name: 'bob',
        knownHostsPath: join(cliDataDir({}), 'known-hosts.json'),
      },
    ]);
  });

  it("pins the link's fingerprint, and takes --udp-port beside the link", async () => {
    const link = `tincan://join?host=10.0.0.1&port=7777&room=r&fp=${'0'.repeat(64)}`;
    const r = await run(['join', link, '--name', 'bob', '--udp-port', '7778']);
    expect(r.rooms[0]).toMatchObject({
      host: '10.0.0.1',
      port: 7777,
      room: 'r',
      udpPort: 7778,
      fingerprint: '0'.repeat(64),
    });
  });

  it('a malformed link is a usage error that says what is wrong', async () => {
    const r = await run(['join', 'tincan://join?host=h&port=0&room=r', '--name', 'bob']);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.err).toBe('tincan: bad invite link: bad port in the link: "0" is not a whole number from 1 to 65535\n');
    expect(r.rooms).toEqual([]);
    const unknown = await run(['join', 'tincan://join?host=h&port=1&room=r&password=x', '--name', 'bob']);
    expect(unknown.err).toContain('unknown parameter "password"');
  });

  it('a link and a room together are a usage error', async () => {
    const r = await run(['join', 'tincan://join?host=h&port=1&room=r', 'other', '--name', 'bob']);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.err).toContain('give either an invite link or a server and a room, not both');
  });

  it('create still needs a server and a room; a link is not an address there', async () => {
    expect((await run(['create', 'tincan://join?host=h&port=1&room=r'])).err).toContain(
      "missing required argument 'room'",
    );
  });
});

describe('tincan join <link>: over loopback', () => {
  let server: CliProcess;
  let port: number;

  beforeAll(async () => {
    ({ proc: server, port } = await startServe({ shared: true }));
  });
  afterEach(async () => {
    await killAll();
  });
  afterAll(async () => {
    server.signal('SIGKILL');
    await server.exited;
  });

  it('joins the room the link names and chats', async () => {
    const alice = await enter('create', port, 'linked room', 'alice');
    const link = formatJoinLink({ host: '127.0.0.1', port, room: 'linked room', fingerprint: null });
    const bob = spawnCli(['join', link, '--name', 'bob']);
    const connected = await bob.waitForLine('stderr', CONNECTED);
    expect(connected[1]).toBe('linked room');
    await alice.waitForLine('stdout', /^\* bob joined the room$/);
    bob.writeLine('came in by link');
    await alice.waitForLine('stdout', /^bob: came in by link$/);
    bob.endInput();
    expect(await bob.waitForExit()).toEqual({ code: 0, signal: null });
  });
});
