// @mentions in the message list: member names highlighted (by the name rule, never inside links,
// never as markup), a line naming you marked, and the highlight following the member list.
import { act, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ChatEntry } from '../../src-shared/ipc/contract.js';
import { App } from '../App.js';
import { chatStore } from '../store/chat-store.js';
import { roomView, type FakeApi } from './fake-api.js';
import { withFakeBridge } from './fake-bridge.js';

let fake: FakeApi;
withFakeBridge((f) => (fake = f));

function chat(key: string, from: string, text: string, own = false): ChatEntry {
  return { kind: 'chat', key, from, text, own, at: 1_000, seq: null, pending: false };
}

function showRoom(...entries: ChatEntry[]) {
  render(<App />);
  act(() => {
    // You are bob; alice and "Carol Ann" are the other members.
    fake.emit(
      'roomUpdated',
      roomView({
        members: [
          { name: 'alice', host: true },
          { name: 'bob', host: false },
          { name: 'Carol Ann', host: false },
        ],
      }),
    );
    chatStore.getState().selectRoom('r1');
    for (const entry of entries) fake.emit('roomMessage', { roomId: 'r1', entry });
  });
}

const mentionsIn = (text: string) =>
  [
    ...screen
      .getByText((_, el) => el?.classList.contains('msg-text') === true && el.textContent === text)
      .querySelectorAll('.mention'),
  ].map((el) => [el.textContent, el.classList.contains('mention-me')]);

describe('mentions', () => {
  it('highlights members and marks the line that names you', async () => {
    showRoom(chat('a', 'alice', 'ask @Carol Ann and @BOB, not @dave'), chat('b', 'alice', 'nobody here'));
    await screen.findByText('nobody here');
    expect(mentionsIn('ask @Carol Ann and @BOB, not @dave')).toEqual([
      ['@Carol Ann', false],
      ['@BOB', true],
    ]);
    const named = screen.getByText('@BOB').closest('li')!;
    expect(named.className).toContain('mentions-me');
    expect(named.textContent).toContain('(mentions you)');
    expect(screen.getByText('nobody here').closest('li')!.className).not.toContain('mentions-me');
  });

  it('leaves links alone and never renders text as markup', async () => {
    showRoom(chat('a', 'alice', 'see https://x.example/@bob <b>@bob</b>'));
    const link = await screen.findByRole('link');
    expect(link.textContent).toBe('https://x.example/@bob');
    expect(link.querySelector('.mention')).toBeNull();
    const text = link.closest('.msg-text')!;
    expect(text.querySelector('b')).toBeNull();
    expect([...text.querySelectorAll('.mention')].map((el) => el.textContent)).toEqual(['@bob']);
    expect(text.textContent).toBe('see https://x.example/@bob <b>@bob</b>');
  });

  it('does not mark your own line, and follows the member list', async () => {
    showRoom(chat('a', 'bob', 'me, @bob', true), chat('b', 'alice', 'hi @Carol Ann'));
    await screen.findByText('@Carol Ann');
    expect(screen.getByText('@bob').closest('li')!.className).not.toContain('mentions-me');
    act(() => fake.emit('roomUpdated', roomView()));
    expect(document.querySelector('.mention')?.textContent).toBe('@bob');
    expect(screen.getByText('hi @Carol Ann').querySelector('.mention')).toBeNull();
  });
});
