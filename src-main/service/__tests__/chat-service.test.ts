// The chat service against a real embedded ChatServer and real ChatClients on loopback: two services
// (two users) in one process, exactly as the Electron main process and the web backend use it.
import { describe, expect, it } from 'vitest';
import { ChatClient, ChatServer } from '../../engine/index.js';
import { ServiceError } from '../service-error.js';
import { record, texts } from './service-recorder.js';
import { serviceFactory } from './test-services.js';
import { must, mustFind } from '../../../test/support/must.js';

const makeService = serviceFactory();

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ServiceError);
  expect((err as ServiceError).code).toBe(code);
}

describe('ChatService with a real server on loopback', () => {
  it('hosts a protected room, handles passwords, chats both ways, leave, rejoin and close', async () => {
    const a = makeService();
    const b = makeService();
    const recA = record(a);
    const recB = record(b);

    const hosted = await a.hostRoom({
      room: 'lobby',
      username: 'alice',
      password: 's3cret',
      port: 0,
      bindHost: '127.0.0.1',
    });
    expect(hosted).toMatchObject({ hosted: true, role: 'host', state: 'connected', passwordProtected: true });
    const port = a.serverInfo()?.tcpPort;
    expect(port).toBeGreaterThan(0);
    expect(hosted.share?.addresses).toEqual([`127.0.0.1:${port}`]);
    expect(hosted.share?.invite).toContain('lobby');

    const address = `127.0.0.1:${port}`;
    await rejectsWith(b.joinRoom({ address, room: 'lobby', username: 'bob', password: '' }), 'PASSWORD_REQUIRED');
    await rejectsWith(b.joinRoom({ address, room: 'lobby', username: 'bob', password: 'nope' }), 'WRONG_PASSWORD');
    await rejectsWith(b.joinRoom({ address, room: 'nosuch', username: 'bob', password: '' }), 'NO_SUCH_ROOM');
    await rejectsWith(
      b.joinRoom({ address: 'bad host name', room: 'lobby', username: 'bob', password: '' }),
      'BAD_ADDRESS',
    );
    await rejectsWith(b.joinRoom({ address, room: 'lobby', username: ' bob', password: '' }), 'BAD_NAME');

    const joined = await b.joinRoom({ address, room: 'lobby', username: 'bob', password: 's3cret' });
    expect(joined).toMatchObject({ hosted: false, role: 'member', state: 'connected', server: address });
    await recA.until(
      'alice to see bob',
      () => recA.views.get(hosted.id)?.members.some((m) => m.name === 'bob') ?? false,
    );
    await recB.until(
      'bob to see alice as host',
      () => recB.views.get(joined.id)?.members.some((m) => m.name === 'alice' && m.host) ?? false,
    );

    const greeting = 'héllo 👋 你好';
    a.sendMessage(hosted.id, greeting);
    await recB.until('bob to get the greeting', () => texts(recB, joined.id).includes(greeting));
    const got = mustFind(must(recB.entries.get(joined.id), "bob's history"), (e) => e.text === greeting, 'greeting');
    expect(got).toMatchObject({ kind: 'chat', from: 'alice', own: false });
    // Alice's own line is acknowledged by the server.
    await recA.until('alice own line delivered', () =>
      (recA.entries.get(hosted.id) ?? []).some(
        (e) => e.kind === 'chat' && e.own && e.text === greeting && !e.pending && e.seq !== null,
      ),
    );
    b.sendMessage(joined.id, 'こんにちは 🎉');
    await recA.until('alice to get the reply', () => texts(recA, hosted.id).includes('こんにちは 🎉'));
    expect(() => b.sendMessage(joined.id, 'x'.repeat(3801))).toThrow(ServiceError);
    expect(() => b.sendMessage(joined.id, 'x'.repeat(3801))).toThrow(
      expect.objectContaining({ code: 'TEXT_TOO_LONG' }),
    );
    // An empty text is a bad argument, not a text that is too long.
    expect(() => b.sendMessage(joined.id, '')).toThrow(expect.objectContaining({ code: 'BAD_ARGS' }));

    await b.leaveRoom(joined.id);
    expect(recB.views.get(joined.id)).toMatchObject({ state: 'closed', closedReason: 'left' });
    await recA.until('alice to see bob leave', () => texts(recA, hosted.id).includes('bob left the room.'));
    expect(recA.views.get(hosted.id)?.members.map((m) => m.name)).toEqual(['alice']);

    const again = await b.rejoinRoom(joined.id);
    expect(again).toMatchObject({ id: joined.id, state: 'connected' });
    await recA.until(
      'alice to see bob back',
      () => recA.views.get(hosted.id)?.members.some((m) => m.name === 'bob') ?? false,
    );
    expect(b.getHistory(joined.id).some((e) => e.text === greeting)).toBe(true); // history survives the rejoin

    await a.closeRoom(hosted.id);
    await recB
      .until('bob to see the room closed', () => recB.views.get(joined.id)?.state === 'closed')
      .catch((e) => {
        console.log(JSON.stringify(recB.views.get(joined.id)), texts(recB, joined.id), texts(recA, hosted.id));
        throw e;
      });
    expect(recB.views.get(joined.id)?.closedReason).toBe('by-host');
    expect(texts(recB, joined.id)).toContain('The host closed the room.');
    expect(a.serverInfo()).toBeNull(); // last hosted room closed → server stopped
  });

  it('hosts several rooms on one embedded server and refuses a second port', async () => {
    const a = makeService();
    const one = await a.hostRoom({ room: 'one', username: 'alice', password: '', port: 0, bindHost: '127.0.0.1' });
    const port = must(a.serverInfo(), 'the embedded server').tcpPort;
    const two = await a.hostRoom({ room: 'two', username: 'alice', password: '', port, bindHost: '127.0.0.1' });
    expect(two.share?.port).toBe(port);
    await rejectsWith(
      a.hostRoom({
        room: 'three',
        username: 'alice',
        password: '',
        port: port === 65535 ? 65534 : port + 1,
        bindHost: '127.0.0.1',
      }),
      'SERVER_RUNNING',
    );
    await rejectsWith(
      a.hostRoom({ room: 'one', username: 'alice', password: '', port, bindHost: '127.0.0.1' }),
      'ROOM_EXISTS',
    );
    await a.closeRoom(one.id);
    expect(a.serverInfo()).not.toBeNull(); // "two" still hosted
    await a.closeRoom(two.id);
    expect(a.serverInfo()).toBeNull();
    // Hosting again after the server stopped works and can be dismissed.
    const three = await a.rejoinRoom(two.id);
    expect(three.state).toBe('connected');
    await a.dismissRoom(two.id);
    expect(a.listRooms().map((r) => r.id)).toEqual([one.id]);
  });

  it('reports an unreachable host with a clear code', async () => {
    const b = makeService();
    // Port 1 on loopback: nothing listens there.
    await rejectsWith(
      b.joinRoom({ address: '127.0.0.1:1', room: 'lobby', username: 'bob', password: '' }),
      'UNREACHABLE',
    );
    expect(b.listRooms()).toEqual([]);
  });

  it('shows reconnecting with the attempt count, then "host gone", and a failed rejoin', async () => {
    const server = new ChatServer({ host: '127.0.0.1', port: 0 });
    const { tcpPort } = await server.listen();
    const host = new ChatClient({
      host: '127.0.0.1',
      port: tcpPort,
      room: 'remote',
      username: 'hoster',
      mode: 'create',
    });
    await host.connect();
    const b = makeService({
      maxReconnectAttempts: 2,
      reconnectBaseDelayMs: 20,
      reconnectMaxDelayMs: 40,
      handshakeTimeoutMs: 500,
    });
    const states: string[] = [];
    b.on('roomUpdated', (v) => states.push(v.state === 'reconnecting' ? `reconnecting#${v.attempt}` : v.state));
    const rec = record(b);
    const view = await b.joinRoom({ address: `127.0.0.1:${tcpPort}`, room: 'remote', username: 'bob', password: '' });
    host.removeAllListeners();
    await server.close(); // the host machine goes away
    await rec.until('bob to give up', () => recB().state === 'closed', 10_000);
    function recB() {
      return must(rec.views.get(view.id), "bob's view");
    }
    expect(states).toContain('reconnecting#1');
    expect(recB().closedReason).toBe('gave-up');
    expect(texts(rec, view.id).some((t) => t.startsWith('Connection lost'))).toBe(true);
    expect(texts(rec, view.id)).toContain('The host is gone: could not reconnect.');
    await rejectsWith(b.rejoinRoom(view.id), 'UNREACHABLE');
    expect(recB()).toMatchObject({ state: 'closed', closedReason: 'failed' });
    await host.leave().catch(() => {});
  });
});
