import { describe, expect, it, vi } from 'vitest';
import type { ChatEntry } from '../../../src-shared/ipc/contract.js';
import { createChatStore, UI_HISTORY_LIMIT } from '../chat-store.js';
import { EntryLog } from '../entry-log.js';
import { chatSelectors } from '../selectors.js';
import { fakeApi, roomView } from '../../__tests__/fake-api.js';

const chat = (key: string, over: Partial<Extract<ChatEntry, { kind: 'chat' }>> = {}): ChatEntry => ({
  kind: 'chat',
  key,
  from: 'alice',
  text: `text ${key}`,
  own: false,
  at: 1,
  seq: null,
  pending: false,
  ...over,
});

describe('chat store: rooms slice', () => {
  it('upserts rooms in arrival order and selects them', () => {
    const store = createChatStore();
    store.getState().upsertRoom(roomView({ id: 'r1' }));
    store.getState().upsertRoom(roomView({ id: 'r2', room: 'two' }));
    store.getState().upsertRoom(roomView({ id: 'r1', state: 'reconnecting', attempt: 2 }));
    expect(chatSelectors.roomList(store.getState()).map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(store.getState().rooms.r1?.attempt).toBe(2);
    store.getState().selectRoom('r2');
    expect(chatSelectors.activeRoom(store.getState())?.room).toBe('two');
  });

  it('counts unread chat lines only for rooms not in view, and clears them on select', () => {
    const store = createChatStore();
    const s = () => store.getState();
    s().upsertRoom(roomView({ id: 'r1' }));
    s().upsertRoom(roomView({ id: 'r2' }));
    s().selectRoom('r1');
    s().addEntry('r1', chat('a'));
    s().addEntry('r2', chat('b'));
    s().addEntry('r2', chat('c'));
    s().addEntry('r2', chat('c', { text: 'edited' })); // same key: replaced, not counted again
    s().addEntry('r2', chat('d', { own: true }));
    s().addEntry('r2', { kind: 'system', key: 'e', text: 'x joined', at: 1, tone: 'info' });
    expect(chatSelectors.unread('r1')(s())).toBe(0);
    expect(chatSelectors.unread('r2')(s())).toBe(2);
    expect(chatSelectors.totalUnread(s())).toBe(2);
    expect(
      chatSelectors
        .entries('r2')(s())
        .map((e) => e.text),
    ).toEqual(['text b', 'edited', 'text d', 'x joined']);
    s().selectRoom('r2');
    expect(chatSelectors.unread('r2')(s())).toBe(0);
  });

  it('bounds the history and merges a loaded history with live entries', () => {
    const store = createChatStore();
    const s = () => store.getState();
    for (let i = 0; i < UI_HISTORY_LIMIT + 5; i++) s().addEntry('r1', chat(`k${i}`));
    expect(s().history.r1?.length).toBe(UI_HISTORY_LIMIT);
    expect(chatSelectors.entries('r1')(s())[0]?.key).toBe('k5');
    s().addEntry('r2', chat('live'));
    s().setHistory('r2', [chat('old1'), chat('old2')]);
    expect(
      chatSelectors
        .entries('r2')(s())
        .map((e) => e.key),
    ).toEqual(['old1', 'old2', 'live']);
  });

  it('removing the active room falls back to another one', () => {
    const store = createChatStore();
    const s = () => store.getState();
    s().upsertRoom(roomView({ id: 'r1' }));
    s().upsertRoom(roomView({ id: 'r2' }));
    s().selectRoom('r1');
    s().removeRoom('r1');
    expect(s().activeRoomId).toBe('r2');
    expect(s().order).toEqual(['r2']);
  });

  it('sorts members host first, and memoises nothing that would loop React', () => {
    const store = createChatStore();
    store.getState().upsertRoom(
      roomView({
        members: [
          { name: 'zed', host: false },
          { name: 'amy', host: false },
          { name: 'host', host: true },
        ],
      }),
    );
    store.getState().selectRoom('r1');
    expect(chatSelectors.sortedMembers(store.getState()).map((m) => m.name)).toEqual(['host', 'amy', 'zed']);
    // log() returns the same value for an unknown room each time (stable for useStore without useShallow).
    expect(chatSelectors.log('nope')(store.getState())).toBe(chatSelectors.log('nope')(store.getState()));
  });
});

describe('chat store: actions', () => {
  it('joins, and on a password error opens the prompt; a wrong password keeps it open with an error', async () => {
    const fake = fakeApi();
    const store = createChatStore();
    const s = () => store.getState();
    s().attachApi(fake.api);
    const request = { address: 'h:1', room: 'lobby', username: 'bob', password: '' };
    fake.respond('joinRoom', { ok: false, code: 'PASSWORD_REQUIRED', message: 'this room needs a password' });
    expect(await s().joinRoom(request)).toBe(false);
    expect(s().passwordPrompt).toEqual({ kind: 'join', request, error: null });

    fake.respond('joinRoom', { ok: false, code: 'WRONG_PASSWORD', message: 'wrong password' });
    expect(await s().submitPassword('nope')).toBe(false);
    expect(s().passwordPrompt?.error).toMatch(/wrong password/i);

    fake.respond('joinRoom', { ok: true, value: roomView() });
    expect(await s().submitPassword('right')).toBe(true);
    expect(
      fake.calls.filter((c) => c.name === 'joinRoom').map((c) => (c.args as { password: string }).password),
    ).toEqual(['', 'nope', 'right']);
    expect(s().passwordPrompt).toBeNull();
    expect(s().screen).toBe('room');
    expect(s().activeRoomId).toBe('r1');
  });

  it('shows other join errors on the form', async () => {
    const fake = fakeApi();
    const store = createChatStore();
    store.getState().attachApi(fake.api);
    fake.respond('joinRoom', { ok: false, code: 'UNREACHABLE', message: 'cannot reach 10.0.0.1:7777' });
    await store.getState().joinRoom({ address: '10.0.0.1', room: 'x', username: 'y', password: '' });
    expect(store.getState().formError).toBe('cannot reach 10.0.0.1:7777');
    expect(store.getState().passwordPrompt).toBeNull();
  });

  it('rejoin asks for a password when the stored one no longer works', async () => {
    const fake = fakeApi();
    const store = createChatStore();
    const s = () => store.getState();
    s().attachApi(fake.api);
    s().upsertRoom(roomView({ state: 'closed', closedReason: 'by-host' }));
    fake.respond('rejoinRoom', { ok: false, code: 'WRONG_PASSWORD', message: 'wrong password' });
    await s().rejoinRoom('r1');
    expect(s().passwordPrompt).toMatchObject({ kind: 'rejoin', roomId: 'r1', room: 'lobby' });
    fake.respond('rejoinRoom', { ok: true, value: roomView() });
    await s().submitPassword('new');
    expect(fake.calls.filter((c) => c.name === 'rejoinRoom').at(-1)).toEqual({
      name: 'rejoinRoom',
      args: { roomId: 'r1', password: 'new' },
    });
    expect(s().rooms.r1?.state).toBe('connected');
  });

  it('reports a failed send and works without an API', async () => {
    const store = createChatStore();
    expect(await store.getState().sendMessage('r1', 'hi')).toBe(false);
    expect(store.getState().roomError).toMatch(/not connected/i);
    const fake = fakeApi();
    store.getState().attachApi(fake.api);
    fake.respond('sendMessage', {
      ok: false,
      code: 'NOT_CONNECTED',
      message: 'You are not connected to this room right now.',
    });
    expect(await store.getState().sendMessage('r1', 'hi')).toBe(false);
    expect(store.getState().roomError).toMatch(/not connected/);
  });
});

describe('chat store: new since you left', () => {
  it('remembers the first unseen line of a room until the user leaves it again', () => {
    const store = createChatStore();
    const s = () => store.getState();
    s().upsertRoom(roomView({ id: 'r1' }));
    s().upsertRoom(roomView({ id: 'r2' }));
    s().selectRoom('r1');
    s().addEntry('r1', chat('seen'));
    expect(chatSelectors.newSince('r1')(s())).toBeNull();
    s().selectRoom('r2');
    s().addEntries('r1', [chat('own', { own: true }), chat('n1'), chat('n2')]);
    expect(chatSelectors.newSince('r1')(s())).toBe('n1');
    expect(chatSelectors.unread('r1')(s())).toBe(2);
    s().selectRoom('r1');
    expect(chatSelectors.newSince('r1')(s())).toBe('n1'); // still shown while reading
    s().selectRoom('r2');
    expect(chatSelectors.newSince('r1')(s())).toBeNull();
  });

  it('applies a batch in one store update and bumps the room version once', () => {
    const store = createChatStore();
    let updates = 0;
    store.subscribe(() => (updates += 1));
    store.getState().addEntries('r1', [chat('a'), chat('b'), chat('c')]);
    expect(updates).toBe(1);
    expect(chatSelectors.historyVersion('r1')(store.getState())).toBe(1);
    expect(
      chatSelectors
        .entries('r1')(store.getState())
        .map((e) => e.key),
    ).toEqual(['a', 'b', 'c']);
  });

  it('adds each line to the same log in place: a full room is never copied or read back per line', () => {
    const store = createChatStore();
    for (let i = 0; i < UI_HISTORY_LIMIT; i++) store.getState().addEntry('r1', chat(`old${i}`));
    const log = chatSelectors.log('r1')(store.getState());
    const others = store.getState().rooms;
    const copies = vi.spyOn(EntryLog.prototype, 'toArray');
    try {
      for (let i = 0; i < 1_000; i++) store.getState().addEntry('r1', chat(`new${i}`));
      expect(copies).not.toHaveBeenCalled();
    } finally {
      copies.mockRestore();
    }
    expect(chatSelectors.log('r1')(store.getState())).toBe(log);
    expect(store.getState().rooms).toBe(others); // nothing else in the state was rebuilt
    expect(chatSelectors.historyVersion('r1')(store.getState())).toBe(UI_HISTORY_LIMIT + 1_000);
    expect(log?.length).toBe(UI_HISTORY_LIMIT);
    expect(log?.at(log.end - 1)?.key).toBe('new999');
  });
});
