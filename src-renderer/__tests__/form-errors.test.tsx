// Form errors in plain words next to the field at fault (raw codes only in a details line),
// announced through role="alert", with focus on the field after a failed submit.
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App.js';
import { chatStore } from '../store/chat-store.js';
import type { FakeApi } from './fake-api.js';
import { withFakeBridge } from './fake-bridge.js';
import { must } from '../../test/support/must.js';

let fake: FakeApi;
withFakeBridge((f) => (fake = f));

function fillJoin() {
  fireEvent.change(screen.getByLabelText(/Host address/), { target: { value: '10.0.0.2:7777' } });
  fireEvent.change(screen.getByLabelText('Room name'), { target: { value: 'lobby' } });
  fireEvent.change(screen.getByLabelText('Your display name'), { target: { value: 'Bob' } });
}

/** The error text tied to a field through aria-describedby. */
function describedError(field: HTMLElement): HTMLElement {
  const ids = (field.getAttribute('aria-describedby') ?? '').split(' ');
  const error = ids.map((id) => document.getElementById(id)).find((el) => el?.getAttribute('role') === 'alert');
  return must(error ?? null, 'an announced error for the field');
}

describe('form errors', () => {
  it('a failed client check focuses the first field at fault and announces its error', async () => {
    render(<App />);
    fireEvent.change(screen.getByLabelText(/Host address/), { target: { value: 'h' } });
    fireEvent.change(screen.getByLabelText('Room name'), { target: { value: 'x'.repeat(29) } });
    fireEvent.click(screen.getByRole('button', { name: 'Join room' }));
    const room = screen.getByLabelText('Room name');
    await waitFor(() => expect(document.activeElement).toBe(room));
    expect(room.getAttribute('aria-invalid')).toBe('true');
    expect(describedError(room).textContent).toMatch(/at most 28 bytes/);
  });

  it('an unreachable host is explained in plain words next to the address, the code in details', async () => {
    render(<App />);
    fillJoin();
    fake.respond('joinRoom', {
      ok: false,
      code: 'UNREACHABLE',
      message: 'Cannot connect to 10.0.0.2:7777 (ECONNREFUSED)',
    });
    fireEvent.click(screen.getByRole('button', { name: 'Join room' }));
    const address = screen.getByLabelText(/Host address/);
    await waitFor(() => expect(document.activeElement).toBe(address));
    const error = describedError(address);
    expect(error.textContent).toMatch(/^Could not reach that address\./);
    expect(must(error.querySelector('.error-details'), 'a details line').textContent).toContain('ECONNREFUSED');
    expect(address.getAttribute('aria-invalid')).toBe('true');
  });

  it('a server that is not Tincan is named as such, its decoder error only in details', async () => {
    render(<App />);
    fillJoin();
    fake.respond('joinRoom', {
      ok: false,
      code: 'PROTOCOL',
      message: 'Malformed reply: RoomNameSize 72 is outside 1..28',
    });
    fireEvent.click(screen.getByRole('button', { name: 'Join room' }));
    const error = await waitFor(() => describedError(screen.getByLabelText(/Host address/)));
    expect(error.firstChild?.textContent).toBe(
      'That address did not answer like a Tincan server. Check the host address and port.',
    );
    expect(error.textContent).toContain('RoomNameSize 72');
  });

  // encrypted transport (#16)
  it.each([
    ['CERTIFICATE_MISMATCH', /^This host's certificate is not the one your invite names/],
    ['DOWNGRADE', /^This host answered without encryption/],
  ])('%s is explained next to the address, with no way to connect anyway', async (code, words) => {
    render(<App />);
    fillJoin();
    fake.respond('joinRoom', { ok: false, code, message: '10.0.0.2:7777 presented certificate 00ff…' });
    fireEvent.click(screen.getByRole('button', { name: 'Join room' }));
    const address = screen.getByLabelText(/Host address/);
    await waitFor(() => expect(document.activeElement).toBe(address));
    expect(describedError(address).textContent).toMatch(words);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.queryByRole('button', { name: /trust/i })).toBeNull();
  });

  it('a taken name goes to the display name; a full room to the form line, which takes focus', async () => {
    render(<App />);
    fillJoin();
    fake.respond('joinRoom', { ok: false, code: 'NAME_TAKEN', message: 'that name is already taken in this room' });
    fireEvent.click(screen.getByRole('button', { name: 'Join room' }));
    const name = screen.getByLabelText('Your display name');
    await waitFor(() => expect(document.activeElement).toBe(name));
    expect(describedError(name).textContent).toMatch(/already uses that name/);

    fake.respond('joinRoom', { ok: false, code: 'ROOM_FULL', message: 'the room is full' });
    fireEvent.click(screen.getByRole('button', { name: 'Join room' }));
    await waitFor(() => expect(document.activeElement?.id).toBe('form-error'));
    expect(document.activeElement?.getAttribute('role')).toBe('alert');
    expect(document.activeElement?.textContent).toBe('The room is full. Try again later.');
  });

  it('a port in use is shown next to the port field of the host form', async () => {
    render(<App />);
    act(() => chatStore.getState().showScreen('host'));
    fireEvent.change(screen.getByLabelText('Room name'), { target: { value: 'lobby' } });
    fireEvent.change(screen.getByLabelText('Your display name'), { target: { value: 'Ann' } });
    fake.respond('hostRoom', { ok: false, code: 'PORT_IN_USE', message: 'That port is already in use.' });
    fireEvent.click(screen.getByRole('button', { name: 'Host room' }));
    const port = screen.getByLabelText('Port');
    await waitFor(() => expect(document.activeElement).toBe(port));
    expect(describedError(port).textContent).toBe('That port is already in use.');
  });
});
