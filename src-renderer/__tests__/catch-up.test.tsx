// A late joiner's catch-up in the message list: the earlier lines look quieter and say so, the
// service's system line marks where they end, and what is said after the join looks as usual; the
// room header says how many earlier lines new members see.
import { act, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ChatEntry } from '../../src-shared/ipc/contract.js';
import { App } from '../App.js';
import { chatStore } from '../store/chat-store.js';
import { roomView, type FakeApi } from './fake-api.js';
import { withFakeBridge } from './fake-bridge.js';

let fake: FakeApi;
withFakeBridge((f) => (fake = f));

function chat(key: string, text: string, earlier: boolean): ChatEntry {
  return { kind: 'chat', key, from: 'alice', text, own: false, at: 1_000, seq: 1, pending: false, earlier };
}

const row = (text: string) => screen.getByText(text).closest('li')!;

describe('catch-up lines', () => {
  it('are styled as earlier messages up to the system line', async () => {
    render(<App />);
    act(() => {
      fake.emit('roomUpdated', roomView());
      chatStore.getState().selectRoom('r1');
      for (const entry of [
        chat('a', 'from before', true),
        chat('b', 'also before', true),
        { kind: 'system', key: 's', text: '2 earlier messages from before you joined.', at: 2_000, tone: 'info' },
        chat('c', 'said now', false),
      ] satisfies ChatEntry[])
        fake.emit('roomMessage', { roomId: 'r1', entry });
    });
    await screen.findByText('said now');
    for (const text of ['from before', 'also before']) {
      expect(row(text).className).toContain('earlier');
      expect(row(text).querySelector('.earlier-tag')?.textContent).toBe('earlier');
    }
    expect(row('2 earlier messages from before you joined.').className).toContain('system');
    expect(row('said now').className).not.toContain('earlier');
    expect(row('said now').querySelector('.earlier-tag')).toBeNull();
  });

  it('the header says how many earlier lines new members see, while the room is open', () => {
    render(<App />);
    act(() => {
      fake.emit('roomUpdated', roomView({ catchUp: 100 }));
      chatStore.getState().selectRoom('r1');
    });
    expect(screen.getByTestId('room-catch-up').textContent).toBe(' · new members see the last 100 messages');
    act(() => fake.emit('roomUpdated', roomView({ catchUp: 1 })));
    expect(screen.getByTestId('room-catch-up').textContent).toBe(' · new members see the last 1 message');
    act(() => fake.emit('roomUpdated', roomView({ catchUp: null })));
    expect(screen.queryByTestId('room-catch-up')).toBeNull();
    act(() => fake.emit('roomUpdated', roomView({ catchUp: 100, state: 'closed', closedReason: 'left' })));
    expect(screen.queryByTestId('room-catch-up')).toBeNull();
  });
});
