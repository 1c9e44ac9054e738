// host tools (#14 item 7) in the UI: the host's Remove action asks first and sends kickMember; the
// Change password dialog keeps focus inside and reports the backend's refusal next to the field; a
// removed member's room shows "removed by the host"; "alice is typing…" comes, goes with her
// message, and the composer says when we type.
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App.js';
import { chatStore } from '../store/chat-store.js';
import { roomView, type FakeApi } from './fake-api.js';
import { withFakeBridge } from './fake-bridge.js';

let fake: FakeApi;
withFakeBridge((f) => (fake = f));

function hostRoom() {
  render(<App />);
  act(() => {
    fake.emit('roomUpdated', roomView({ role: 'host', hosted: true, username: 'alice' }));
    chatStore.getState().selectRoom('r1');
  });
}

const callsOf = (name: string) => fake.calls.filter((c) => c.name === name).map((c) => c.args);

describe('removing a member', () => {
  it('asks first; Escape cancels with focus back, Yes sends kickMember', async () => {
    hostRoom();
    expect(screen.queryByRole('button', { name: 'Remove alice' })).toBeNull(); // not ourselves
    const remove = screen.getByRole('button', { name: 'Remove bob' });
    fireEvent.click(remove);
    const cancel = screen.getByRole('button', { name: 'Cancel' });
    expect(document.activeElement).toBe(cancel);
    fireEvent.keyDown(cancel, { key: 'Escape' });
    expect(screen.queryByRole('button', { name: 'Yes, remove' })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Remove bob' }));
    expect(callsOf('kickMember')).toEqual([]);

    fireEvent.click(screen.getByRole('button', { name: 'Remove bob' }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, remove' }));
    await waitFor(() => expect(callsOf('kickMember')).toEqual([{ roomId: 'r1', name: 'bob' }]));
    // bob's row goes away with the focused confirmation: focus moves on to the composer.
    act(() =>
      fake.emit(
        'roomUpdated',
        roomView({ role: 'host', hosted: true, username: 'alice', members: [{ name: 'alice', host: true }] }),
      ),
    );
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Message')));
  });

  it('says in plain words when the member had already left', async () => {
    hostRoom();
    fake.respond('kickMember', { ok: false, code: 'NO_SUCH_MEMBER', message: 'bob is no longer in this room.' });
    fireEvent.click(screen.getByRole('button', { name: 'Remove bob' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Yes, remove' })));
    const alert = await screen.findByText('bob is no longer in this room.');
    expect(alert.closest('[role="alert"]')?.textContent).not.toContain('Something went wrong');
  });

  it('is offered to the host only', () => {
    render(<App />);
    act(() => {
      fake.emit('roomUpdated', roomView());
      chatStore.getState().selectRoom('r1');
    });
    expect(screen.queryByRole('button', { name: /^Remove / })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Change password…' })).toBeNull();
  });

  it('shows the removed member’s room closed as removed by the host', () => {
    render(<App />);
    act(() => {
      fake.emit('roomUpdated', roomView({ state: 'closed', closedReason: 'kicked', members: [] }));
      chatStore.getState().selectRoom('r1');
    });
    expect(screen.getByRole('alert').textContent).toContain('The host removed you from this room.');
  });
});

describe('changing the password', () => {
  it('keeps Tab inside, shows a refusal next to the field, closes once it worked', async () => {
    hostRoom();
    const open = screen.getByRole('button', { name: 'Change password…' });
    open.focus();
    fireEvent.click(open);
    expect(screen.getByRole('dialog')).toBeTruthy();
    const input = screen.getByLabelText('New password');
    await waitFor(() => expect(document.activeElement).toBe(input));
    const submit = screen.getByRole('button', { name: 'Remove password' });
    submit.focus();
    fireEvent.keyDown(submit, { key: 'Tab' });
    expect(document.activeElement).toBe(input);

    fireEvent.change(input, { target: { value: 's3cret' } });
    fake.respond('setRoomPassword', { ok: false, code: 'NOT_CONNECTED', message: 'The password was not changed.' });
    fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The password was not changed.');
    expect(input.getAttribute('aria-invalid')).toBe('true');

    fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(callsOf('setRoomPassword')).toEqual([
      { roomId: 'r1', password: 's3cret' },
      { roomId: 'r1', password: 's3cret' },
    ]);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Change password…' }));
  });

  it('closes on Escape without a request', async () => {
    hostRoom();
    fireEvent.click(screen.getByRole('button', { name: 'Change password…' }));
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(callsOf('setRoomPassword')).toEqual([]);
  });
});

describe('typing indicators', () => {
  it('shows who is typing, isolated, until their message arrives', async () => {
    render(<App />);
    act(() => {
      fake.emit('roomUpdated', roomView());
      chatStore.getState().selectRoom('r1');
    });
    const line = screen.getByTestId('typing-line');
    expect(line.textContent).toBe('');
    act(() => fake.emit('roomTyping', { roomId: 'r1', name: 'alice' }));
    expect(line.textContent).toBe('alice is typing…');
    expect(line.querySelector('bdi')?.textContent).toBe('alice');
    act(() =>
      fake.emit('roomMessage', {
        roomId: 'r1',
        entry: { kind: 'chat', key: 'k1', from: 'alice', text: 'hi', own: false, at: 1, seq: 1, pending: false },
      }),
    );
    await waitFor(() => expect(line.textContent).toBe(''));
  });

  it('expires without a fresh notice', () => {
    chatStore.getState().noteTyping('r1', 'alice', Date.now() - 10_000);
    render(<App />);
    act(() => {
      fake.emit('roomUpdated', roomView());
      chatStore.getState().selectRoom('r1');
    });
    expect(screen.getByTestId('typing-line').textContent).toBe('');
  });

  it('tells the backend when we type, not when the draft is emptied', async () => {
    render(<App />);
    act(() => {
      fake.emit('roomUpdated', roomView());
      chatStore.getState().selectRoom('r1');
    });
    const composer = screen.getByLabelText('Message');
    fireEvent.change(composer, { target: { value: 'h' } });
    fireEvent.change(composer, { target: { value: '' } });
    await waitFor(() => expect(callsOf('notifyTyping')).toEqual([{ roomId: 'r1' }]));
  });
});
