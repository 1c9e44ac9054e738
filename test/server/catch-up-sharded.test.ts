// Catch-up with the relay spread over shard processes (--workers): each shard keeps the rings of the
// rooms it owns, and the option reaches it through the shard's start-up options.
import { afterEach, describe, expect, it } from 'vitest';
import { ChatClient, type ClientEvents } from '../../src-main/engine/client/index.js';
import { ShardedChatServer } from '../../src-main/engine/server/sharded-server.js';
import { loadUdpBatch } from '../../src-main/engine/server/udp-batch.js';
import { waitForEvent } from '../support/events.js';
import { LIFTED_LIMITS } from '../support/server.js';

const native = process.platform === 'linux' && loadUdpBatch() !== null;

describe.skipIf(!native)('catch-up with shard processes', () => {
  let server: ShardedChatServer | null = null;
  const clients: ChatClient[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.leave().catch(() => undefined);
    await server?.close();
    server = null;
  });

  function client(port: number, username: string, mode: 'create' | 'join'): ChatClient {
    const c = new ChatClient({ host: '127.0.0.1', port, room: 'sharded', username, mode, handshakeTimeoutMs: 8_000 });
    clients.push(c);
    return c;
  }

  it('a late joiner gets the last N from the shard that owns the room', async () => {
    server = new ShardedChatServer({ host: '127.0.0.1', port: 0, ...LIFTED_LIMITS, historySize: 2 }, { shards: 2 });
    const { tcpPort } = await server.listen();
    const host = client(tcpPort, 'alice', 'create');
    await host.connect();
    for (let i = 1; i <= 3; i++) {
      const delivered = waitForEvent(host, 'delivered', (d) => d.seq === i, 8_000);
      host.send(`line ${i}`);
      await delivered;
    }
    const bob = client(tcpPort, 'bob', 'join');
    const earlier: ClientEvents['message'][0][] = [];
    bob.on('message', (m) => earlier.push(m));
    const caughtUp = waitForEvent(bob, 'caughtUp', () => true, 8_000);
    expect(await bob.connect()).toMatchObject({ history: 2 });
    expect(await caughtUp).toEqual([{ count: 2 }]);
    expect(earlier.map((m) => [m.seq, m.text, m.earlier])).toEqual([
      [2, 'line 2', true],
      [3, 'line 3', true],
    ]);
  });
});
