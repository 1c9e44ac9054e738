// History persistence in the UI (#14 item 2): rooms from the last run listed apart with Rejoin / Host
// again and Forget (focus then moves to the next one), a password asked when it was not kept,
// "Clear history", and the preferences.
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ChatEntry } from '../../src-shared/ipc/contract.js';
import { App } from '../App.js';
import { chatStore } from '../store/chat-store.js';
import { chatSelectors } from '../store/selectors.js';
import { roomView, type FakeApi } from './fake-api.js';
import { withFakeBridge } from './fake-bridge.js';

let fake: FakeApi;
withFakeBridge((f) => (fake = f));

const remembered = roomView({ id: 'r1', room: 'den', state: 'closed', remembered: true, members: [] });
const line = (n: number): ChatEntry => ({
  kind: 'chat',
  key: `k${n}`,
  from: 'alice',
  text: `line ${n}`,
  own: false,
  at: 1_700_000_000_000 + n,
  seq: n,
  pending: false,
});

const callsOf = (name: string) => fake.calls.filter((c) => c.name === name).map((c) => c.args);

describe('remembered rooms', () => {
  it('lists them apart, with one-click Rejoin and Host again', async () => {
    render(<App />);
    act(() => {
      fake.emit('roomUpdated', remembered);
      fake.emit(
        'roomUpdated',
        roomView({ id: 'r2', room: 'attic', hosted: true, role: 'host', state: 'closed', remembered: true }),
      );
      fake.emit('roomUpdated', roomView({ id: 'r3', room: 'live' }));
    });
    const list = within(screen.getByRole('list', { name: 'From last time' }));
    expect(list.getAllByRole('listitem')).toHaveLength(2);
    expect(list.getByRole('button', { name: 'Host again attic' })).toBeTruthy();
    fake.respond('rejoinRoom', { ok: true, value: { ...remembered, state: 'connected', remembered: false } });
    await act(async () => fireEvent.click(list.getByRole('button', { name: 'Rejoin den' })));
    expect(callsOf('rejoinRoom')).toEqual([{ roomId: 'r1' }]);
    // Joined again, it moves up to the rooms the user is in.
    expect(screen.getByRole('list', { name: 'From last time' }).textContent).not.toContain('den');
  });

  it('asks for the password when it was not kept', async () => {
    render(<App />);
    act(() => fake.emit('roomUpdated', { ...remembered, passwordProtected: true }));
    fake.respond('rejoinRoom', { ok: false, code: 'PASSWORD_REQUIRED', message: 'Enter the password again.' });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Rejoin den' })));
    expect(screen.getByRole('dialog')).toBeTruthy();
  });

  it('forgets one', async () => {
    render(<App />);
    act(() => fake.emit('roomUpdated', remembered));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Forget den' })));
    expect(callsOf('dismissRoom')).toEqual([{ roomId: 'r1' }]);
    expect(screen.queryByRole('list', { name: 'From last time' })).toBeNull();
  });

  it('moves focus from a forgotten room to the next one, and from the last to "Join a room"', async () => {
    render(<App />);
    act(() => {
      fake.emit('roomUpdated', remembered);
      fake.emit('roomUpdated', { ...remembered, id: 'r2', room: 'attic' });
    });
    const forget = (name: string) => {
      const button = screen.getByRole('button', { name: `Forget ${name}` });
      button.focus();
      return act(async () => fireEvent.click(button));
    };
    await forget('den');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('room-item-attic')));
    await forget('attic');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Join a room' })));
  });
});

describe('clear history', () => {
  it('clears the room after a confirmation, and new lines still arrive', async () => {
    render(<App />);
    act(() => {
      fake.emit('roomUpdated', roomView({ id: 'r1', room: 'den' }));
      for (let n = 1; n <= 300; n++) fake.emit('roomMessage', { roomId: 'r1', entry: line(n) });
      chatStore.getState().selectRoom('r1');
    });
    await waitFor(() => expect(chatSelectors.entries('r1')(chatStore.getState())).toHaveLength(300), {
      timeout: 5000,
    });
    fireEvent.click(screen.getByRole('button', { name: 'Clear history' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Yes, clear' })));
    expect(callsOf('clearHistory')).toEqual([{ roomId: 'r1' }]);
    expect(chatSelectors.entries('r1')(chatStore.getState())).toEqual([]);
    act(() => {
      fake.emit('roomMessage', { roomId: 'r1', entry: line(301) });
      // Any other event applies the lines queued before it, without waiting for a frame.
      fake.emit('roomUpdated', roomView({ id: 'r1', room: 'den' }));
    });
    expect(
      chatSelectors
        .entries('r1')(chatStore.getState())
        .map((e) => e.text),
    ).toEqual(['line 301']);
    expect(screen.getByText('line 301')).toBeTruthy();
  });
});

describe('history preferences', () => {
  it('turns keeping history off and sets the bound', async () => {
    render(<App />);
    await act(async () => {});
    fake.respond('setPrefs', { ok: true, value: { ...chatStore.getState().prefs, keepHistory: false } });
    await act(async () => fireEvent.click(screen.getByLabelText('Keep chat history on this computer')));
    expect(callsOf('setPrefs')).toEqual([{ keepHistory: false }]);
    expect(screen.getByLabelText<HTMLInputElement>('Messages kept per room').disabled).toBe(true);

    fake.respond('setPrefs', { ok: true, value: { ...chatStore.getState().prefs, keepHistory: true } });
    await act(async () => fireEvent.click(screen.getByLabelText('Keep chat history on this computer')));
    const bound = screen.getByLabelText<HTMLInputElement>('Messages kept per room');
    fireEvent.change(bound, { target: { value: '50' } });
    expect(screen.getByRole('alert').textContent).toMatch(/100 to 100,000/);
    fireEvent.change(bound, { target: { value: '2500' } });
    await act(async () => fireEvent.blur(bound));
    expect(callsOf('setPrefs').at(-1)).toEqual({ historyBound: 2500 });
  });
});
