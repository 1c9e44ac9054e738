import { describe, expect, it, vi } from 'vitest';
import { startBridge } from '../bridge.js';
import { createChatStore } from '../store/chat-store.js';
import { fakeApi, roomView } from './fake-api.js';

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('bridge', () => {
  it('loads prefs, interfaces, rooms and histories, then feeds events into the store', async () => {
    const fake = fakeApi();
    const store = createChatStore();
    fake.respond('listRooms', { ok: true, value: [roomView()] });
    fake.respond('getHistory', {
      ok: true,
      value: [{ kind: 'system', key: 'r1-1', text: 'You joined', at: 1, tone: 'info' }],
    });
    const stop = startBridge(fake.api, store);
    await flush();
    const s = store.getState();
    expect(s.prefs?.displayName).toBe('Bob');
    expect(s.interfaces).toHaveLength(1);
    expect(s.activeRoomId).toBe('r1');
    expect(s.history.r1?.toArray().map((e) => e.text)).toEqual(['You joined']);

    fake.emit('roomUpdated', roomView({ state: 'reconnecting', attempt: 3 }));
    expect(store.getState().rooms.r1).toMatchObject({ state: 'reconnecting', attempt: 3 });
    fake.emit('roomMessage', {
      roomId: 'r1',
      entry: { kind: 'chat', key: 'r1-2', from: 'alice', text: '你好 👋', own: false, at: 2, seq: 1, pending: false },
    });
    // Messages reach the store batched, on the next animation frame.
    await vi.waitFor(() => expect(store.getState().history.r1?.toArray().at(-1)?.text).toBe('你好 👋'));
    fake.emit('roomUpdated', roomView({ id: 'r2', room: 'other' }));
    fake.emit('focusRoom', { roomId: 'r2' });
    expect(store.getState().activeRoomId).toBe('r2');
    fake.emit('roomRemoved', { roomId: 'r2' });
    expect(store.getState().rooms.r2).toBeUndefined();

    stop();
    expect(fake.listenerCount('roomUpdated')).toBe(0);
    expect(store.getState().api).toBeNull();
  });

  it('drops malformed events instead of corrupting the store', async () => {
    const fake = fakeApi();
    const store = createChatStore();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    startBridge(fake.api, store);
    await flush();
    fake.emit('roomUpdated', { id: 'r9', room: 5 } as never);
    fake.emit('roomMessage', { roomId: 'r1', entry: { kind: 'script', key: 'x' } } as never);
    expect(store.getState().rooms.r9).toBeUndefined();
    expect(store.getState().history.r1).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(2);
    warn.mockRestore();
  });
});
