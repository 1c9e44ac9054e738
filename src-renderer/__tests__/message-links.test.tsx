// Issue 15 in the UI: a deceptive link is plain text, and a clean one only asks the API to open it
// (the confirmation belongs to whoever opens it: main's dialog, or web mode's API).
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App.js';
import { chatStore } from '../store/chat-store.js';
import { roomView, type FakeApi } from './fake-api.js';
import { withFakeBridge } from './fake-bridge.js';

let fake: FakeApi;
withFakeBridge((f) => (fake = f));
afterEach(() => {
  vi.restoreAllMocks();
});

describe('links in messages', () => {
  it('makes only the clean link clickable and opens it without a renderer prompt', async () => {
    const confirm = vi.spyOn(window, 'confirm');
    render(<App />);
    act(() => {
      fake.emit('roomUpdated', roomView());
      chatStore.getState().selectRoom('r1');
      fake.emit('roomMessage', {
        roomId: 'r1',
        entry: {
          kind: 'chat',
          key: 'a',
          from: 'alice',
          text: 'see https://ok.example/x and https://evil.example/\u202Efdp.exe.moc.elgoog',
          own: false,
          at: 1,
          seq: 1,
          pending: false,
        },
      });
    });
    const link = await screen.findByRole('link');
    expect(screen.getAllByRole('link')).toHaveLength(1);
    expect(link.getAttribute('href')).toBe('https://ok.example/x');
    expect(link.closest('li')?.textContent).toContain('https://evil.example/\u202Efdp.exe.moc.elgoog');
    fireEvent.click(link);
    await waitFor(() =>
      expect(fake.calls.find((c) => c.name === 'openExternal')?.args).toEqual({ url: 'https://ok.example/x' }),
    );
    expect(confirm).not.toHaveBeenCalled();
  });
});
