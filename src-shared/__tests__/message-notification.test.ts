import { describe, expect, it } from 'vitest';
import type { ChatEntry } from '../ipc/contract.js';
import { messageNotification, type NotificationScene } from '../message-notification.js';

const names = { room: 'lobby', username: 'bob' };

function line(text: string, own = false, from = 'alice'): ChatEntry {
  return { kind: 'chat', key: 'k', from, text, own, at: 1, seq: 1, pending: false };
}

const background: NotificationScene = { windowFocused: false, roomInView: 'r1' };
const lookingAtRoom: NotificationScene = { windowFocused: true, roomInView: 'r1' };
const lookingElsewhere: NotificationScene = { windowFocused: true, roomInView: 'r2' };

describe('messageNotification', () => {
  it('notifies of every line while the window is in the background, a mention saying so', () => {
    expect(messageNotification('r1', line('hello'), names, background)).toEqual({
      title: 'alice in lobby',
      body: 'hello',
    });
    expect(messageNotification('r1', line('hi @BOB'), names, background)).toEqual({
      title: 'alice mentioned you in lobby',
      body: 'hi @BOB',
    });
  });

  it('with the window focused, notifies only of a mention in a room not in view', () => {
    expect(messageNotification('r1', line('hello'), names, lookingElsewhere)).toBeNull();
    expect(messageNotification('r1', line('hi @bob'), names, lookingElsewhere)?.title).toBe(
      'alice mentioned you in lobby',
    );
    expect(messageNotification('r1', line('hi @bob'), names, lookingAtRoom)).toBeNull();
  });

  it('never notifies of own lines, system lines, or a name inside a link', () => {
    expect(messageNotification('r1', line('@bob', true), names, background)).toBeNull();
    const system: ChatEntry = { kind: 'system', key: 's', text: '@bob', at: 1, tone: 'info' };
    expect(messageNotification('r1', system, names, background)).toBeNull();
    expect(messageNotification('r1', line('https://x.example/@bob'), names, lookingElsewhere)).toBeNull();
  });

  it('keeps peer text plain and bounded', () => {
    const words = messageNotification(
      'r1',
      line(`@bob \u202Egnp.exe\n<b>x</b> ${'y'.repeat(300)}`, false, 'al\u200Bice\nX'),
      names,
      background,
    );
    expect(words?.title).toBe('alice X mentioned you in lobby');
    expect(words?.body.startsWith('@bob gnp.exe <b>x</b> y')).toBe(true);
    expect(Array.from(words?.body ?? '')).toHaveLength(200);
  });
});
