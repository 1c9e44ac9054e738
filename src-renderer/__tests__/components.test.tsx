import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App.js';
import { chatStore } from '../store/chat-store.js';
import { roomView, type FakeApi } from './fake-api.js';
import { withFakeBridge } from './fake-bridge.js';
import { must } from '../../test/support/must.js';

let fake: FakeApi;
withFakeBridge((f) => (fake = f));

function openRoom(over: Parameters<typeof roomView>[0] = {}) {
  act(() => {
    fake.emit('roomUpdated', roomView(over));
    chatStore.getState().selectRoom('r1');
  });
}

describe('composer', () => {
  it('Enter sends, Shift+Enter does not, and the counter counts UTF-8 bytes', async () => {
    render(<App />);
    openRoom();
    const box = screen.getByLabelText('Message');
    fireEvent.change(box, { target: { value: '你好 👋' } });
    expect(screen.getByTestId('byte-counter').textContent).toContain('11 / 3800 bytes');
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(fake.calls.some((c) => c.name === 'sendMessage')).toBe(false);
    fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() =>
      expect(fake.calls.find((c) => c.name === 'sendMessage')?.args).toEqual({ roomId: 'r1', text: '你好 👋' }),
    );
    await waitFor(() => expect((box as HTMLTextAreaElement).value).toBe(''));
  });

  it('keeps what is typed while the previous message is sending, and restores a refused one', async () => {
    render(<App />);
    openRoom();
    const box = screen.getByLabelText('Message') as HTMLTextAreaElement;
    let answer: (r: Awaited<ReturnType<typeof fake.api.sendMessage>>) => void = () => {};
    fake.api.sendMessage = () => new Promise((resolve) => (answer = resolve));
    fireEvent.change(box, { target: { value: 'first' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(box.value).toBe('');
    fireEvent.change(box, { target: { value: 'sec' } });
    await act(async () => answer({ ok: true, value: { key: 'k1' } }));
    expect(box.value).toBe('sec');

    fireEvent.keyDown(box, { key: 'Enter' });
    fireEvent.change(box, { target: { value: ' more' } });
    await act(async () => answer({ ok: false, code: 'NOT_CONNECTED', message: 'You are not connected.' }));
    expect(box.value).toBe('sec more');
  });

  it('refuses a message over the byte limit', () => {
    render(<App />);
    openRoom();
    const box = screen.getByLabelText('Message');
    fireEvent.change(box, { target: { value: '😀'.repeat(951) } }); // 3804 bytes
    expect(screen.getByTestId('byte-counter').textContent).toContain('4 too many');
    expect(box.getAttribute('aria-invalid')).toBe('true');
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(fake.calls.some((c) => c.name === 'sendMessage')).toBe(false);
  });

  it('is disabled while reconnecting and shows the attempt', () => {
    render(<App />);
    openRoom({ state: 'reconnecting', attempt: 4 });
    expect(screen.getByRole('status').textContent).toContain('attempt 4');
    expect((screen.getByLabelText('Message') as HTMLTextAreaElement).disabled).toBe(true);
  });
});

describe('room screen', () => {
  it('host sees Close room (with confirmation), members see Leave; closed rooms offer Rejoin', async () => {
    render(<App />);
    openRoom({
      role: 'host',
      hosted: true,
      username: 'alice',
      share: {
        port: 7777,
        addresses: ['192.168.1.5:7777', '[fd00::5]:7777'],
        invite: 'Join my room',
        portMapping: null,
      },
    });
    expect(screen.getByRole('button', { name: 'Leave' })).toBeTruthy(); // asks, since it closes the room
    expect(screen.getByText('[fd00::5]:7777')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Close room' }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, close room' }));
    await waitFor(() => expect(fake.calls.some((c) => c.name === 'closeRoom')).toBe(true));

    act(() => fake.emit('roomUpdated', roomView({ state: 'closed', closedReason: 'host-timed-out' })));
    expect(screen.getByRole('alert').textContent).toContain('The host is gone');
    fake.respond('rejoinRoom', { ok: true, value: roomView() });
    fireEvent.click(screen.getByRole('button', { name: 'Rejoin' }));
    await waitFor(() => expect(fake.calls.some((c) => c.name === 'rejoinRoom')).toBe(true));
  });

  it('marks own messages and the host in the member list', async () => {
    render(<App />);
    openRoom();
    act(() => {
      fake.emit('roomMessage', {
        roomId: 'r1',
        entry: { kind: 'chat', key: 'a', from: 'bob', text: 'mine', own: true, at: 1, seq: null, pending: true },
      });
      fake.emit('roomMessage', {
        roomId: 'r1',
        entry: { kind: 'chat', key: 'b', from: 'alice', text: 'theirs', own: false, at: 2, seq: 1, pending: false },
      });
    });
    // Lines reach the list batched on the next animation frame.
    const own = must((await screen.findByText('mine')).closest('li'), 'the own message row');
    expect(own.className).toContain('own');
    expect(own.textContent).toContain('sending…');
    expect(must(screen.getByText('theirs').closest('li'), 'the other message row').className).not.toContain('own');
    const alice = must(screen.getByRole('list', { name: 'Member list' }).querySelector('li'), 'a member row');
    expect(alice.textContent).toContain('alice');
    expect(alice.textContent).toContain('host');
  });
});

describe('join flow', () => {
  it('prompts for the password and lets the user retry without retyping the rest', async () => {
    render(<App />);
    fireEvent.change(screen.getByLabelText(/Host address/), { target: { value: '10.0.0.2:7777' } });
    fireEvent.change(screen.getByLabelText('Room name'), { target: { value: 'lobby' } });
    fireEvent.change(screen.getByLabelText('Your display name'), { target: { value: 'Bob' } });
    fake.respond('joinRoom', { ok: false, code: 'PASSWORD_REQUIRED', message: 'needs a password' });
    fireEvent.click(screen.getByRole('button', { name: 'Join room' }));
    const dialog = await screen.findByRole('dialog');
    fake.respond('joinRoom', { ok: false, code: 'WRONG_PASSWORD', message: 'wrong password' });
    fireEvent.change(screen.getByLabelText('Room password'), { target: { value: 'nope' } });
    fireEvent.click(screen.getByRole('button', { name: 'Join' }));
    await waitFor(() => expect(dialog.textContent).toMatch(/wrong password/i));
    fake.respond('joinRoom', { ok: true, value: roomView() });
    fireEvent.change(screen.getByLabelText('Room password'), { target: { value: 'right' } });
    fireEvent.click(screen.getByRole('button', { name: 'Join' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const joins = fake.calls.filter((c) => c.name === 'joinRoom').map((c) => c.args);
    expect(joins.at(-1)).toEqual({ address: '10.0.0.2:7777', room: 'lobby', username: 'Bob', password: 'right' });
    expect(screen.getByRole('heading', { level: 1, name: 'lobby' })).toBeTruthy();
  });

  it('checks names before calling the API', () => {
    render(<App />);
    fireEvent.change(screen.getByLabelText(/Host address/), { target: { value: 'h' } });
    fireEvent.change(screen.getByLabelText('Room name'), { target: { value: 'x'.repeat(29) } });
    fireEvent.click(screen.getByRole('button', { name: 'Join room' }));
    expect(screen.getByText(/at most 28 bytes/)).toBeTruthy();
    expect(fake.calls.some((c) => c.name === 'joinRoom')).toBe(false);
  });
});
