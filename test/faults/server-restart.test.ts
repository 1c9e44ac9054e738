// The server process dies (SIGKILL: no shutdown notice) and a new one starts on the same ports. Clients
// must notice, reconnect on their own (host re-creates the room, members re-join), end up with no
// duplicate members, and chat again.
import { afterAll, describe, expect, it } from 'vitest';
import type { ChatClient, ConnectionState } from '../../src-main/engine/client/index.js';
import { ClientFactory } from '../support/clients.js';
import { becomesTrue, letTimePass, waitUntil } from '../support/wait.js';
import { FAST_OPTIONS, startServer, type TestServer } from '../support/server.js';
import { fixturePath, startChild, type Child } from './child.js';

const SERVER_OPTIONS = {
  host: '127.0.0.1',
  inactivityTimeoutMs: 3000,
  heartbeatIntervalMs: 200,
  handshakeTimeoutMs: 1000,
  sweepIntervalMs: 50,
};

let first: Child | null = null;
let second: TestServer | null = null;
const clients = new ClientFactory({
  room: 'phoenix',
  password: 'pw',
  reconnect: true,
  maxReconnectAttempts: 30,
  missedHeartbeatsBeforeReconnect: 2,
  handshakeTimeoutMs: 1000,
});
afterAll(async () => {
  first?.kill();
  await clients.leaveAll();
  await second?.close();
});

/** A port whose number is free for both TCP and UDP (the server uses the same number for both). */
async function freePort(): Promise<number> {
  const probe = await startServer({ ...FAST_OPTIONS, port: 0 });
  const port = probe.tcpPort;
  await probe.close();
  return port;
}

describe('server restart under clients', () => {
  it('clients reconnect to the new server; no duplicate members; chat flows again', { timeout: 30_000 }, async () => {
    const port = await freePort();
    first = await startChild(fixturePath('server-process.ts'), [JSON.stringify({ ...SERVER_OPTIONS, port })]);
    expect(first.line).toBe(`listening ${port} ${port}`);

    const states = new Map<string, ConnectionState[]>();
    const make = (username: string, mode: 'create' | 'join'): ChatClient => {
      const c = clients.make({ tcpPort: port }, { username, mode });
      c.on('error', () => undefined);
      states.set(username, []);
      c.on('state', (s) => states.get(username)?.push(s));
      return c;
    };
    const host = make('boss', 'create');
    await host.connect();
    const ann = make('ann', 'join');
    const ben = make('ben', 'join');
    await ann.connect();
    await ben.connect();
    await waitUntil(() => host.members.length === 3, { what: 'the host sees all three' });
    expect(host.members.map((m) => m.name).sort()).toEqual(['ann', 'ben', 'boss']);

    // Crash and restart on the same ports.
    first.kill();
    await new Promise((r) => first?.proc.once('exit', r));
    await letTimePass(300, 'leave the ports empty a moment, as a real restart would');
    second = await startServer({ ...FAST_OPTIONS, ...SERVER_OPTIONS, port, udpPort: port });
    const srv = second;

    const back = await becomesTrue(
      () => clients.all.every((c) => c.state === 'connected') && srv.stats().members === 3,
      {
        timeoutMs: 15_000,
      },
    );
    expect(back, JSON.stringify([...states])).toBe(true);
    for (const [name, seen] of states) {
      expect(seen, name).toContain('reconnecting');
      expect(seen.at(-1), name).toBe('connected');
    }
    expect(srv.stats()).toMatchObject({ rooms: 1, members: 3 });
    expect(srv.roomList()).toEqual([{ name: 'phoenix', members: 3, hasPassword: true }]);
    expect(host.role).toBe('host');

    // Each client's member list settles on the three of them, each once.
    expect(await becomesTrue(() => clients.all.every((c) => c.members.length === 3), { timeoutMs: 3000 })).toBe(true);
    for (const c of clients.all) expect(c.members.map((m) => m.name).sort()).toEqual(['ann', 'ben', 'boss']);

    const got: string[] = [];
    host.on('message', (m) => got.push(`boss<-${m.from}:${m.text}`));
    ben.on('message', (m) => got.push(`ben<-${m.from}:${m.text}`));
    ann.send('after the storm');
    expect(await becomesTrue(() => got.length >= 2, { timeoutMs: 3000 })).toBe(true);
    expect(got.sort()).toEqual(['ben<-ann:after the storm', 'boss<-ann:after the storm']);
  });
});
