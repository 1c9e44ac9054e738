// The host's tools through the app service, two real services on loopback: removing a member closes
// that member's room with "kicked" and tells the host's room; a password change is confirmed, shown
// and kept for hosting again; typing reaches the other service as roomTyping.
import { describe, expect, it } from 'vitest';
import type { Events } from '../../../src-shared/ipc/contract.js';
import { record, texts } from './service-recorder.js';
import { serviceFactory } from './test-services.js';

const makeService = serviceFactory();

async function hostAndJoin(room: string) {
  const a = makeService();
  const b = makeService();
  const recA = record(a);
  const recB = record(b);
  const hosted = await a.hostRoom({ room, username: 'alice', password: '', port: 0, bindHost: '127.0.0.1' });
  const address = `127.0.0.1:${a.serverInfo()?.tcpPort}`;
  const joined = await b.joinRoom({ address, room, username: 'bob', password: '' });
  await recA.until('alice to see bob', () => texts(recA, hosted.id).includes('bob joined the room.'));
  return { a, b, recA, recB, hosted, joined, address };
}

describe('host tools in the service', () => {
  it('kickMember closes the member’s room as kicked and tells the host', async () => {
    const { a, recA, recB, hosted, joined } = await hostAndJoin('kick');
    a.kickMember(hosted.id, 'bob');
    await recB.until('bob’s room to close', () => recB.views.get(joined.id)?.state === 'closed');
    expect(recB.views.get(joined.id)?.closedReason).toBe('kicked');
    expect(texts(recB, joined.id)).toContain('You were removed by the host.');
    await recA.until('alice to see bob removed', () => texts(recA, hosted.id).includes('bob was removed by the host.'));
    expect(recA.views.get(hosted.id)?.members.map((m) => m.name)).toEqual(['alice']);
  });

  it('says in plain words that a member to remove is already gone', async () => {
    const { a, hosted } = await hostAndJoin('gone');
    expect(() => a.kickMember(hosted.id, 'zoe')).toThrow(
      expect.objectContaining({ code: 'NO_SUCH_MEMBER', message: 'zoe is no longer in this room.' }),
    );
    expect(() => a.kickMember(hosted.id, 'alice')).toThrow(expect.objectContaining({ code: 'BAD_ARGS' }));
  });

  it('refuses the tools to a member', async () => {
    const { b, joined } = await hostAndJoin('deny');
    expect(() => b.kickMember(joined.id, 'alice')).toThrow(/Only the host/);
    await expect(b.setRoomPassword(joined.id, 'x')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('setRoomPassword is confirmed in the room and applies to new joins', async () => {
    const { a, recA, hosted, address } = await hostAndJoin('pw');
    await a.setRoomPassword(hosted.id, 's3cret');
    expect(recA.views.get(hosted.id)?.passwordProtected).toBe(true);
    expect(texts(recA, hosted.id)).toContain('Password changed: new members need it.');
    const c = makeService();
    await expect(c.joinRoom({ address, room: 'pw', username: 'carol', password: '' })).rejects.toMatchObject({
      code: 'PASSWORD_REQUIRED',
    });
    await c.joinRoom({ address, room: 'pw', username: 'carol', password: 's3cret' });
    await a.setRoomPassword(hosted.id, '');
    expect(recA.views.get(hosted.id)?.passwordProtected).toBe(false);
  });

  it('notifyTyping reaches the other member as roomTyping', async () => {
    const { a, b, hosted, joined } = await hostAndJoin('typing');
    const heard: Events['roomTyping'][] = [];
    const arrived = new Promise<void>((resolve) =>
      b.on('roomTyping', (event) => {
        heard.push(event);
        resolve();
      }),
    );
    a.notifyTyping(hosted.id);
    await arrived;
    expect(heard).toEqual([{ roomId: joined.id, name: 'alice' }]);
  });
});
