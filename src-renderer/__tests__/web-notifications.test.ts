// Web mode's notifications: the browser is asked only when the user turns them on, and lines go
// through the desktop app's rule. The browser's Notification API is stood in for by a recording class.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatEntry } from '../../src-shared/ipc/contract.js';
import { createChatStore } from '../store/chat-store.js';
import { roomView } from './fake-api.js';
import { notifyWebLine, setWebNotifications, webNotificationState } from '../web-notifications.js';

class FakeNotification {
  static permission: NotificationPermission = 'default';
  static answer: NotificationPermission = 'granted';
  static asked = 0;
  static shown: FakeNotification[] = [];
  static requestPermission(): Promise<NotificationPermission> {
    FakeNotification.asked += 1;
    FakeNotification.permission = FakeNotification.answer;
    return Promise.resolve(FakeNotification.answer);
  }
  onclick: (() => void) | null = null;
  closed = false;
  constructor(
    readonly title: string,
    readonly options: NotificationOptions,
  ) {
    FakeNotification.shown.push(this);
  }
  close(): void {
    this.closed = true;
  }
}

const line = (text: string): ChatEntry => ({
  kind: 'chat',
  key: text,
  from: 'alice',
  text,
  own: false,
  at: 1,
  seq: 1,
  pending: false,
});

function setup(permission: NotificationPermission = 'default') {
  FakeNotification.permission = permission;
  FakeNotification.answer = 'granted';
  FakeNotification.asked = 0;
  FakeNotification.shown = [];
  vi.stubGlobal('Notification', FakeNotification);
  const store = createChatStore();
  store.getState().upsertRoom(roomView());
  return store;
}

afterEach(async () => {
  await setWebNotifications(false);
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('web notifications', () => {
  it('are off until turned on, and only turning them on asks the browser', async () => {
    const store = setup();
    vi.spyOn(document, 'hasFocus').mockReturnValue(false);
    notifyWebLine(store, 'r1', line('@bob hi'));
    expect(FakeNotification.shown).toHaveLength(0);
    expect(FakeNotification.asked).toBe(0);
    expect(webNotificationState()).toBe('off');

    expect(await setWebNotifications(true)).toBe('on');
    expect(FakeNotification.asked).toBe(1);
    notifyWebLine(store, 'r1', line('@bob hi'));
    expect(FakeNotification.shown.map((n) => [n.title, n.options.body])).toEqual([
      ['alice mentioned you in lobby', '@bob hi'],
    ]);

    expect(await setWebNotifications(false)).toBe('off');
    notifyWebLine(store, 'r1', line('@bob again'));
    expect(FakeNotification.shown).toHaveLength(1);
  });

  it('a refusal shows as blocked and nothing is shown', async () => {
    const store = setup();
    FakeNotification.answer = 'denied';
    expect(await setWebNotifications(true)).toBe('blocked');
    vi.spyOn(document, 'hasFocus').mockReturnValue(false);
    notifyWebLine(store, 'r1', line('@bob hi'));
    expect(FakeNotification.shown).toHaveLength(0);
  });

  it('follow the shared rule: focused on the room, nothing; elsewhere, mentions only; in the background, every line', async () => {
    const store = setup('granted');
    await setWebNotifications(true);
    expect(FakeNotification.asked).toBe(0); // already granted: not asked again
    const focus = vi.spyOn(document, 'hasFocus').mockReturnValue(true);
    store.getState().selectRoom('r1');
    notifyWebLine(store, 'r1', line('@bob in view'));
    store.getState().showScreen('join');
    notifyWebLine(store, 'r1', line('plain elsewhere'));
    expect(FakeNotification.shown).toHaveLength(0);
    notifyWebLine(store, 'r1', line('@bob elsewhere'));
    focus.mockReturnValue(false);
    notifyWebLine(store, 'r1', line('plain \u202Ebackground\nline'));
    expect(FakeNotification.shown.map((n) => [n.title, n.options.body])).toEqual([
      ['alice mentioned you in lobby', '@bob elsewhere'],
      ['alice in lobby', 'plain background line'],
    ]);
  });

  it('a click brings the page forward and opens the room', async () => {
    const store = setup('granted');
    await setWebNotifications(true);
    vi.spyOn(document, 'hasFocus').mockReturnValue(false);
    const focusWindow = vi.spyOn(window, 'focus').mockImplementation(() => undefined);
    store.getState().showScreen('join');
    notifyWebLine(store, 'r1', line('@bob look'));
    const note = FakeNotification.shown[0];
    note?.onclick?.();
    expect(focusWindow).toHaveBeenCalled();
    expect(note?.closed).toBe(true);
    expect(store.getState().screen).toBe('room');
    expect(store.getState().activeRoomId).toBe('r1');
  });
});
