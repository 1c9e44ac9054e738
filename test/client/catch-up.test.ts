// ChatClient receiving catch-up from the real ChatServer: earlier lines are emitted once, marked, in
// order, with their original time; a reconnect never shows one twice.
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatClient, ChatServer, ClientEvents } from '../../src-main/engine/index.js';
import { SeenMessages } from '../../src-main/engine/client/seen-messages.js';
import { ClientFactory } from '../support/clients.js';
import { waitForEvent } from '../support/events.js';
import { startServer } from '../support/server.js';
import { UdpCut } from './udp-cut.js';

type Message = ClientEvents['message'][0];

const servers: ChatServer[] = [];
const cuts: UdpCut[] = [];
const clients = new ClientFactory({ handshakeTimeoutMs: 2000, heartbeatIntervalMs: 100, reconnectBaseDelayMs: 50 });

afterEach(async () => {
  await clients.leaveAll();
  for (const s of servers.splice(0)) await s.close();
  for (const c of cuts.splice(0)) c.close();
});

async function serverWith(historySize?: number): Promise<{ tcpPort: number; udpPort: number }> {
  const s = await startServer({ heartbeatIntervalMs: 100, ...(historySize === undefined ? {} : { historySize }) });
  servers.push(s);
  return { tcpPort: s.tcpPort, udpPort: s.udpPort };
}

function record(client: ChatClient): Message[] {
  const seen: Message[] = [];
  client.on('message', (m) => seen.push(m));
  return seen;
}

/** Host alice says `count` lines, each acknowledged by the server (so each is in the room's ring). */
async function hostSays(host: ChatClient, from: number, to: number): Promise<void> {
  for (let i = from; i <= to; i++) {
    const delivered = waitForEvent(host, 'delivered', (d) => d.seq === i);
    host.send(`line ${i}`);
    await delivered;
  }
}

describe('catch-up in ChatClient', () => {
  it('a late joiner gets the last N as earlier messages, in order, then caughtUp', async () => {
    const ports = await serverWith(3);
    const host = clients.make(ports, { username: 'alice', mode: 'create' });
    await host.connect();
    const before = Date.now();
    await hostSays(host, 1, 5);
    const bob = clients.make(ports, { username: 'bob', mode: 'join' });
    const lines = record(bob);
    const caughtUp = waitForEvent(bob, 'caughtUp');
    expect(await bob.connect()).toMatchObject({ history: 3 });
    expect(await caughtUp).toEqual([{ count: 3 }]);
    expect(lines.map((m) => [m.seq, m.from, m.text, m.earlier, m.own])).toEqual([
      [3, 'alice', 'line 3', true, false],
      [4, 'alice', 'line 4', true, false],
      [5, 'alice', 'line 5', true, false],
    ]);
    for (const m of lines) expect(m.at).toBeGreaterThanOrEqual(before);
    // Live chat after the catch-up is not marked.
    const live = waitForEvent(bob, 'message', (m) => m.seq === 6);
    await hostSays(host, 6, 6);
    const [six] = await live;
    expect(six.earlier).toBeUndefined();
  });

  it('with catchUp off, or a server keeping none, nothing earlier arrives', async () => {
    const ports = await serverWith(0);
    const host = clients.make(ports, { username: 'alice', mode: 'create' });
    await host.connect();
    await hostSays(host, 1, 2);
    const bob = clients.make(ports, { username: 'bob', mode: 'join' });
    const lines = record(bob);
    await bob.connect();
    const live = waitForEvent(bob, 'message', (m) => m.seq === 3);
    await hostSays(host, 3, 3);
    await live;
    expect(lines.map((m) => m.seq)).toEqual([3]);

    const ports2 = await serverWith(10);
    const host2 = clients.make(ports2, { username: 'alice', mode: 'create' });
    await host2.connect();
    await hostSays(host2, 1, 2);
    const carol = clients.make(ports2, { username: 'carol', mode: 'join', catchUp: false });
    const carolLines = record(carol);
    await carol.connect();
    const live2 = waitForEvent(carol, 'message', (m) => m.seq === 3);
    await hostSays(host2, 3, 3);
    await live2;
    expect(carolLines.map((m) => m.seq)).toEqual([3]);
  });

  it('a reconnect shows every line exactly once: what was missed comes as earlier, nothing twice', async () => {
    const ports = await serverWith();
    const host = clients.make(ports, { username: 'alice', mode: 'create' });
    await host.connect();
    await hostSays(host, 1, 2);
    // Bob's datagrams go through a forwarder that the test can cut.
    const cut = await UdpCut.open(ports.udpPort);
    cuts.push(cut);
    const bob = clients.make(ports, { username: 'bob', mode: 'join', udpPort: cut.port });
    const lines = record(bob);
    const caughtUp = waitForEvent(bob, 'caughtUp');
    await bob.connect();
    await caughtUp;
    const live = waitForEvent(bob, 'message', (m) => m.seq === 3);
    await hostSays(host, 3, 3);
    await live;
    // An outage: bob hears nothing (lines 4 and 5 are lost), misses his PONGs and resumes his session.
    const reconnecting = waitForEvent(bob, 'state', (state) => state === 'reconnecting', 5_000);
    const back = waitForEvent(bob, 'connected', () => true, 8_000);
    const secondCatchUp = waitForEvent(bob, 'caughtUp', () => true, 8_000);
    cut.cut = true;
    await hostSays(host, 4, 5);
    await reconnecting;
    cut.cut = false;
    const [info] = await back;
    expect(info.resumed).toBe(true);
    // The resume said "since 3": lines 4 and 5 come back as earlier, never 1..3.
    expect(await secondCatchUp).toEqual([{ count: 2 }]);
    const six = waitForEvent(bob, 'message', (m) => m.seq === 6);
    await hostSays(host, 6, 6);
    await six;
    const seqs = lines.map((m) => m.seq);
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6]);
    expect(lines.map((m) => m.earlier === true)).toEqual([true, true, false, true, true, false]);
  });
});

describe('SeenMessages', () => {
  it('knows a seq by its sender, remembers the highest, and stays bounded', () => {
    const seen = new SeenMessages();
    seen.note(5, 'alice');
    seen.note(3, 'bob');
    expect(seen.lastSeq).toBe(5);
    expect(seen.has(5, 'alice')).toBe(true);
    expect(seen.has(5, 'bob')).toBe(false); // a recreated room's 5th line is new
    for (let i = 10; i < 10_000; i++) seen.note(i, 'carol');
    expect(seen.has(5, 'alice')).toBe(false);
    expect(seen.has(9_999, 'carol')).toBe(true);
  });
});
