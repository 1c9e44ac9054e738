// The message list's reading details in a DOM without layout (jsdom): grouping, day separators,
// the "new since you left" marker, bidi-safe names and text, and what the live region reads out.
import { act, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ChatEntry } from '../../src-shared/ipc/contract.js';
import { App } from '../App.js';
import { chatStore } from '../store/chat-store.js';
import { roomView, type FakeApi } from './fake-api.js';
import { withFakeBridge } from './fake-bridge.js';

let fake: FakeApi;
withFakeBridge((f) => (fake = f));

const DAY1 = new Date(2026, 2, 3, 10, 0).getTime();
const DAY2 = new Date(2026, 2, 4, 9, 0).getTime();

function chat(key: string, from: string, at: number, text = `said ${key}`): ChatEntry {
  return { kind: 'chat', key, from, text, own: false, at, seq: null, pending: false };
}

function say(roomId: string, ...entries: ChatEntry[]) {
  act(() => {
    for (const entry of entries) fake.emit('roomMessage', { roomId, entry });
  });
}

const row = (text: string) => screen.getByText(text).closest('li')!;

describe('message list', () => {
  it('groups consecutive lines of one sender and separates days', async () => {
    render(<App />);
    act(() => {
      fake.emit('roomUpdated', roomView());
      chatStore.getState().selectRoom('r1');
    });
    say(
      'r1',
      chat('a', 'alice', DAY1),
      chat('b', 'alice', DAY1 + 60_000),
      chat('c', 'bob', DAY1 + 120_000),
      chat('d', 'bob', DAY1 + 20 * 60_000), // long pause: a new header
      chat('e', 'bob', DAY2), // next day: separator and a new header
    );
    await screen.findByText('said e');
    expect(row('said a').className).not.toContain('grouped');
    expect(row('said b').className).toContain('grouped');
    expect(row('said b').querySelector('.msg-from')).toBeNull();
    expect(row('said c').className).not.toContain('grouped');
    expect(row('said d').className).not.toContain('grouped');
    expect(row('said e').className).not.toContain('grouped');
    const separators = screen.getAllByRole('separator').map((s) => s.textContent);
    expect(separators).toHaveLength(2);
    expect(row('said a').querySelector('[role="separator"]')).not.toBeNull();
    expect(row('said e').querySelector('[role="separator"]')).not.toBeNull();
    // Full date and time on hover.
    expect(row('said e').querySelector('time')?.getAttribute('title')).toContain('2026');
  });

  it('keeps names and text bidi-safe', async () => {
    render(<App />);
    act(() => {
      fake.emit('roomUpdated', roomView());
      chatStore.getState().selectRoom('r1');
    });
    say('r1', chat('a', 'سارة', DAY1, 'مرحبا!'));
    const text = await screen.findByText('مرحبا!');
    expect(text.closest('.msg-text')?.getAttribute('dir')).toBe('auto');
    expect(row('مرحبا!').querySelector('bdi')?.textContent).toBe('سارة');
  });

  it('marks the first line that arrived while you were in another room', async () => {
    render(<App />);
    act(() => {
      fake.emit('roomUpdated', roomView());
      fake.emit('roomUpdated', roomView({ id: 'r2', room: 'other' }));
      chatStore.getState().selectRoom('r1');
    });
    say('r1', chat('seen', 'alice', DAY1));
    await screen.findByText('said seen');
    act(() => chatStore.getState().selectRoom('r2'));
    say('r1', chat('new1', 'alice', DAY1 + 1000), chat('new2', 'alice', DAY1 + 2000));
    await waitFor(() => expect(chatStore.getState().unread.r1).toBe(2));
    act(() => chatStore.getState().selectRoom('r1'));
    const marker = await screen.findByTestId('new-since');
    expect(marker.textContent).toBe('New since you left');
    expect(marker.closest('li')?.textContent).toContain('said new1');
    // The marker breaks the sender's group so the new line shows who said it.
    expect(row('said new1').className).not.toContain('grouped');

    // Leaving the room again clears it; nothing new means no marker next time.
    act(() => chatStore.getState().selectRoom('r2'));
    act(() => chatStore.getState().selectRoom('r1'));
    await screen.findByText('said new2');
    expect(screen.queryByTestId('new-since')).toBeNull();
  });

  it('reads out new lines only, not the history already there', async () => {
    act(() => {
      fake.emit('roomUpdated', roomView());
      chatStore.getState().selectRoom('r1');
    });
    say('r1', chat('old', 'alice', DAY1, 'from before'));
    await waitFor(() => expect(chatStore.getState().history.r1?.length).toBe(1));
    const { container } = render(<App />);
    const live = container.querySelector('[aria-live="polite"]')!;
    await screen.findByText('from before');
    expect(live.textContent).toBe('');
    expect(screen.getByRole('log', { name: 'Message history' })).toBeTruthy();
    say('r1', chat('n1', 'bob', DAY1 + 1000, 'fresh news'));
    await waitFor(() => expect(live.textContent).toBe('bob: fresh news'));
  });
});
