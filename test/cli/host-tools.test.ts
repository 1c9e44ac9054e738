// The host's chat commands in the interactive CLI, in-process against a real server: /kick NAME,
// /password asked with echo off (empty clears it), and /help listing both.
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runChat } from '../../src-cli/chat/run-chat.js';
import type { Runtime } from '../../src-cli/runtime.js';
import { ChatClient } from '../../src-main/engine/client/chat-client.js';
import { silentLogger } from '../../src-main/engine/log.js';
import type { ChatServer } from '../../src-main/engine/server/chat-server.js';
import { waitForEvent } from '../support/events.js';
import { startServer } from '../support/server.js';
import { FakeTerminal } from './helpers/fake-terminal.js';

let server: ChatServer;
const clients: ChatClient[] = [];

beforeEach(async () => {
  server = await startServer();
});

afterEach(async () => {
  for (const client of clients.splice(0)) await client.leave().catch(() => {});
  await server.close();
});

function runtimeFor(terminal: FakeTerminal): Runtime {
  const stderr = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  return {
    /* eslint-disable no-restricted-syntax -- in-memory streams stand in for the TTY; Runtime uses only their stream side */
    stdin: terminal.input as unknown as NodeJS.ReadStream,
    stdout: terminal.output as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    /* eslint-enable no-restricted-syntax */
    createClient: (options) => new ChatClient({ ...options, handshakeTimeoutMs: 3000 }),
    openNearby: () => Promise.reject(new Error('not used')),
    createServer: () => {
      throw new Error('not used');
    },
    createLogger: () => silentLogger,
    onStopSignal: () => () => {},
  };
}

function member(username: string, password?: string): ChatClient {
  const client = new ChatClient({
    host: '127.0.0.1',
    port: server.tcpPort,
    room: 'den',
    username,
    mode: 'join',
    ...(password ? { password } : {}),
  });
  clients.push(client);
  return client;
}

/** alice hosts "den" interactively (no password); returns the terminal and where its output is. */
async function hostInteractively(): Promise<{ term: FakeTerminal; at: number; done: Promise<number> }> {
  const term = new FakeTerminal();
  const done = runChat(
    { mode: 'create', host: '127.0.0.1', port: server.tcpPort, room: 'den', name: 'alice', password: '' },
    runtimeFor(term),
  );
  const at = await term.waitFor(/den> $/);
  return { term, at, done };
}

describe('host commands', () => {
  it('/kick NAME removes the member, who is told', async () => {
    const { term, at: start } = await hostInteractively();
    const bob = member('bob');
    await bob.connect();
    let at = await term.waitFor(/\* bob joined the room\n/, start);
    const closed = waitForEvent(bob, 'closed');
    term.type('/kick\n');
    at = await term.waitFor(/\* usage: \/kick NAME\n/, at);
    term.type('/kick zoe\n');
    at = await term.waitFor(/\* not removed: no member named zoe\n/, at);
    term.type('/kick bob\n');
    expect(await closed).toEqual([{ reason: 'kicked' }]);
    await term.waitFor(/\* bob was removed by the host\n/, at);
    expect(server.roomList()).toEqual([{ name: 'den', members: 1, hasPassword: false }]);
  });

  it('/password asks with echo off, applies to new joins, and an empty answer clears it', async () => {
    const { term, at: start } = await hostInteractively();
    term.type('/password\n');
    let at = await term.waitFor(/\* new password \(empty clears it\): $/, start);
    term.type('hunter2\r');
    at = await term.waitFor(/\* password changed: new members need it, members already here stay\n/, at);
    expect(term.screen).not.toContain('hunter2');
    expect(server.roomList()).toEqual([{ name: 'den', members: 1, hasPassword: true }]);
    await expect(member('carol').connect()).rejects.toMatchObject({ code: 'PASSWORD_REQUIRED' });
    await member('dave', 'hunter2').connect();

    // After the hidden question the prompt reads commands again.
    term.type('/password\n');
    at = await term.waitFor(/\* new password \(empty clears it\): $/, at);
    term.type('\r');
    at = await term.waitFor(/\* password cleared: anyone may join\n/, at);
    await member('erin').connect();
    term.type('/help\n');
    await term.waitFor(/\* \/kick NAME +remove a member from the room \(host only; they may join again\)\n/, at);
  });

  it('refuses /kick and /password to a member', async () => {
    const host = new ChatClient({
      host: '127.0.0.1',
      port: server.tcpPort,
      room: 'den',
      username: 'alice',
      mode: 'create',
    });
    clients.push(host);
    await host.connect();
    const term = new FakeTerminal();
    void runChat(
      { mode: 'join', host: '127.0.0.1', port: server.tcpPort, room: 'den', name: 'bob', password: '' },
      runtimeFor(term),
    );
    let at = await term.waitFor(/den> $/);
    term.type('/kick alice\n');
    at = await term.waitFor(/\* only the host can remove a member\n/, at);
    term.type('/password\n');
    await term.waitFor(/\* only the host can change the password\n/, at);
    expect(server.roomList()).toEqual([{ name: 'den', members: 2, hasPassword: false }]);
    term.type('/leave\n');
  });
});
