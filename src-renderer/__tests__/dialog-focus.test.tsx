// Where focus goes after dialogs and room changes: the password dialog keeps Tab inside and gives
// focus back; the close-room and clear-history confirmations close on Escape and give focus back;
// closing and rejoining move focus.
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App.js';
import { chatStore } from '../store/chat-store.js';
import { roomView, type FakeApi } from './fake-api.js';
import { withFakeBridge } from './fake-bridge.js';

let fake: FakeApi;
withFakeBridge((f) => (fake = f));

function fillJoin() {
  fireEvent.change(screen.getByLabelText(/Host address/), { target: { value: '10.0.0.2:7777' } });
  fireEvent.change(screen.getByLabelText('Room name'), { target: { value: 'lobby' } });
  fireEvent.change(screen.getByLabelText('Your display name'), { target: { value: 'Bob' } });
}

describe('password dialog', () => {
  it('keeps Tab inside, closes on Escape and gives focus back to the Join button', async () => {
    render(<App />);
    fillJoin();
    const join = screen.getByRole('button', { name: 'Join room' });
    join.focus();
    fake.respond('joinRoom', { ok: false, code: 'PASSWORD_REQUIRED', message: 'needs a password' });
    fireEvent.click(join);
    const dialog = await screen.findByRole('dialog');
    const input = screen.getByLabelText('Room password');
    await waitFor(() => expect(document.activeElement).toBe(input));
    // Everything behind the dialog is inert.
    expect(document.querySelector('main')?.hasAttribute('inert')).toBe(true);
    expect(document.querySelector('nav')?.hasAttribute('inert')).toBe(true);

    const submit = screen.getByRole('button', { name: 'Join' });
    submit.focus();
    fireEvent.keyDown(submit, { key: 'Tab' });
    expect(document.activeElement).toBe(input);
    fireEvent.keyDown(input, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(submit);

    fireEvent.keyDown(dialog, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Join room' }));
  });
});

describe('room focus', () => {
  it('the close-room confirmation closes on Escape and focus returns to the button that opened it', () => {
    render(<App />);
    act(() => {
      fake.emit('roomUpdated', roomView({ role: 'host', hosted: true, username: 'alice' }));
      chatStore.getState().selectRoom('r1');
    });
    const close = screen.getByRole('button', { name: 'Close room' });
    fireEvent.click(close);
    const cancel = screen.getByRole('button', { name: 'Cancel' });
    expect(document.activeElement).toBe(cancel);
    fireEvent.keyDown(cancel, { key: 'Escape' });
    expect(screen.queryByRole('button', { name: 'Yes, close room' })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Close room' }));

    fireEvent.click(screen.getByRole('button', { name: 'Leave' }));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Leave' }));
  });

  it('the clear-history confirmation gives focus back to Clear history, after Yes as after Escape', async () => {
    render(<App />);
    act(() => {
      fake.emit('roomUpdated', roomView());
      chatStore.getState().selectRoom('r1');
    });
    fireEvent.click(screen.getByRole('button', { name: 'Clear history' }));
    fireEvent.keyDown(screen.getByRole('button', { name: 'Cancel' }), { key: 'Escape' });
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Clear history' }));

    fireEvent.click(screen.getByRole('button', { name: 'Clear history' }));
    // The answer comes after the click: focus must wait for the button to be back, not fall to <body>.
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Yes, clear' })));
    expect(fake.calls.filter((c) => c.name === 'clearHistory')).toHaveLength(1);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Clear history' })));
  });

  it('a closing room focuses its heading; a rejoined room focuses the composer', async () => {
    render(<App />);
    act(() => {
      fake.emit('roomUpdated', roomView());
      chatStore.getState().selectRoom('r1');
    });
    act(() => fake.emit('roomUpdated', roomView({ state: 'closed', closedReason: 'host-timed-out' })));
    expect(document.activeElement?.id).toBe('room-title');

    fake.respond('rejoinRoom', { ok: true, value: roomView() });
    const rejoin = screen.getByRole('button', { name: 'Rejoin' });
    rejoin.focus();
    fireEvent.click(rejoin);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Message')));
  });

  it('a failed rejoin says so in plain words with the raw reason in details', async () => {
    render(<App />);
    act(() => {
      fake.emit('roomUpdated', roomView({ state: 'closed', closedReason: 'host-timed-out' }));
      chatStore.getState().selectRoom('r1');
    });
    fake.respond('rejoinRoom', { ok: false, code: 'EHOSTUNREACH', message: 'connect EHOSTUNREACH 10.0.0.2' });
    fireEvent.click(screen.getByRole('button', { name: 'Rejoin' }));
    const alert = await screen.findByText('Something went wrong. Please try again.');
    expect(alert.closest('[role="alert"]')?.textContent).toContain('EHOSTUNREACH');
  });
});
