// The interactive mode in-process, against a real server over loopback: the prompts for name and
// password (with retries), the chat commands, and lines printed above the prompt.
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runChat } from '../../src-cli/chat/run-chat.js';
import type { Runtime } from '../../src-cli/runtime.js';
import { ChatClient } from '../../src-main/engine/client/chat-client.js';
import type { ClientEvents } from '../../src-main/engine/client/types.js';
import { silentLogger } from '../../src-main/engine/log.js';
import type { ChatServer } from '../../src-main/engine/server/chat-server.js';
import { FakeTerminal } from './helpers/fake-terminal.js';
import { startServer } from '../support/server.js';
import { waitUntil } from '../support/wait.js';

let server: ChatServer;
let port: number;
const clients: ChatClient[] = [];

beforeEach(async () => {
  server = await startServer();
  port = server.tcpPort;
});

afterEach(async () => {
  for (const client of clients.splice(0)) await client.leave().catch(() => {});
  await server.close();
});

function runtimeFor(terminal: FakeTerminal): { rt: Runtime; stderr: () => string } {
  let errText = '';
  const stderr = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      errText += chunk.toString();
      callback();
    },
  });
  const rt: Runtime = {
    /* eslint-disable no-restricted-syntax -- in-memory streams stand in for the TTY; Runtime uses only their stream side */
    stdin: terminal.input as unknown as NodeJS.ReadStream,
    stdout: terminal.output as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    /* eslint-enable no-restricted-syntax */
    createClient: (options) => new ChatClient({ ...options, handshakeTimeoutMs: 3000 }),
    createServer: () => {
      throw new Error('not used');
    },
    createLogger: () => silentLogger,
    openNearby: () => Promise.reject(new Error('not used')),
    onStopSignal: () => () => {},
  };
  return { rt, stderr: () => errText };
}

/** Another member, through the library directly. */
async function member(
  room: string,
  username: string,
  password?: string,
): Promise<{ client: ChatClient; heard: string[] }> {
  const client = new ChatClient({
    host: '127.0.0.1',
    port,
    room,
    username,
    mode: 'join',
    ...(password ? { password } : {}),
  });
  clients.push(client);
  const heard: string[] = [];
  client.on('message', (m: ClientEvents['message'][0]) => heard.push(`${m.from}: ${m.text}`));
  client.on('closed', ({ reason }) => heard.push(`closed ${reason}`));
  await client.connect();
  return { client, heard };
}

describe('interactive create', () => {
  it('asks name and password, chats above the prompt, lists members, /close ends the room', async () => {
    const term = new FakeTerminal();
    const { rt } = runtimeFor(term);
    const done = runChat({ mode: 'create', host: '127.0.0.1', port, room: 'den' }, rt);

    let at = await term.waitFor(/Your name: $/);
    term.type('alice\n');
    at = await term.waitFor(/Password for the new room \(empty for none\): $/, at);
    term.type('hunter2\r');
    at = await term.waitFor(/\* in room "den" as alice \(host\); type \/help for commands\n/, at);
    at = await term.waitFor(/den> $/, at);
    // The password was never echoed.
    expect(term.screen).not.toContain('hunter2');
    expect(server.roomList()).toEqual([{ name: 'den', members: 1, hasPassword: true }]);

    const bob = await member('den', 'bob', 'hunter2');
    at = await term.waitFor(/\* bob joined the room\nden> /, at);
    await bob.client.send('hello alice');
    at = await term.waitFor(/bob: hello alice\nden> /, at);

    term.type('hi bob\n');
    await waitUntil(() => bob.heard.includes('alice: hi bob'), { what: 'bob to hear alice', timeoutMs: 5000 });

    term.type('/members\n');
    at = await term.waitFor(/\* 2 in the room: alice \(host\), bob\n/, at);
    term.type('/bogus\n');
    at = await term.waitFor(/\* unknown command \/bogus; type \/help\n/, at);
    term.type('/help\n');
    await term.waitFor(/\* \/close +close the room for everyone \(host only\)\n/, at);

    term.type('/close\n');
    await expect(done).resolves.toBe(0);
    await waitUntil(() => bob.heard.includes('closed by-host'), {
      what: 'bob to see the room closed',
      timeoutMs: 5000,
    });
    expect(server.roomList()).toEqual([]);
  });
});

describe('interactive join', () => {
  it('asks for the password only when the room wants one, retries after a wrong one', async () => {
    const host = new ChatClient({
      host: '127.0.0.1',
      port,
      room: 'vault',
      username: 'alice',
      mode: 'create',
      password: 'open sesame',
    });
    clients.push(host);
    await host.connect();
    const heardByHost: string[] = [];
    host.on('left', ({ name, reason }) => heardByHost.push(`${name} ${reason}`));

    const term = new FakeTerminal();
    const { rt, stderr } = runtimeFor(term);
    const done = runChat({ mode: 'join', host: '127.0.0.1', port, room: 'vault', name: 'bob' }, rt);

    let at = await term.waitFor(/Password for room "vault": $/);
    term.type('guess\r');
    at = await term.waitFor(/Password for room "vault": $/, at);
    expect(stderr()).toContain('* wrong password');
    term.type('open sesame\r');
    at = await term.waitFor(/\* in room "vault" as bob; type \/help for commands\n/, at);

    // The list that came with the handshake, before the session listened for events.
    term.type('/members\n');
    at = await term.waitFor(/\* 2 in the room: alice \(host\), bob\n/, at);
    term.type('/close\n');
    await term.waitFor(/\* only the host can close the room\n/, at);
    term.type('/leave\n');
    await expect(done).resolves.toBe(0);
    await waitUntil(() => heardByHost.includes('bob left'), { what: 'the host to see bob leave', timeoutMs: 5000 });
  });

  it('gives up after three wrong passwords with exit 1', async () => {
    const host = new ChatClient({
      host: '127.0.0.1',
      port,
      room: 'vault',
      username: 'alice',
      mode: 'create',
      password: 'right',
    });
    clients.push(host);
    await host.connect();

    const term = new FakeTerminal();
    const { rt } = runtimeFor(term);
    const done = runChat({ mode: 'join', host: '127.0.0.1', port, room: 'vault', name: 'bob' }, rt);
    const failure = expect(done).rejects.toMatchObject({ exitCode: 1, message: 'wrong password for room "vault"' });
    let at = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      at = await term.waitFor(/Password for room "vault": $/, at);
      term.type(`wrong${attempt}\r`);
    }
    await failure;
  });
});
