// Names that lie, in the UI: names and room names from other people are isolated in <bdi dir="auto">,
// and the join form refuses the spoofing names with the reason at the field, before any request.
import { act, fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App.js';
import { chatStore } from '../store/chat-store.js';
import { roomView, type FakeApi } from './fake-api.js';
import { withFakeBridge } from './fake-bridge.js';

let fake: FakeApi;
withFakeBridge((f) => (fake = f));

describe('user-supplied text', () => {
  it('is isolated with <bdi dir="auto"> in the member list, room title and sidebar', () => {
    render(<App />);
    act(() => {
      // As a foreign server could send them: our own server refuses these names.
      fake.emit(
        'roomUpdated',
        roomView({
          room: 'שלום',
          members: [
            { name: '\u202eecila', host: true },
            { name: 'bob', host: false },
          ],
        }),
      );
      chatStore.getState().selectRoom('r1');
    });
    const member = screen.getByRole('list', { name: 'Member list' }).querySelector('li .member-name')!;
    expect(member.tagName).toBe('BDI');
    expect(member.getAttribute('dir')).toBe('auto');
    expect(member.textContent).toBe('\u202eecila');
    const title = screen.getByRole('heading', { level: 1, name: 'שלום' });
    expect(title.querySelector('bdi[dir="auto"]')?.textContent).toBe('שלום');
    const sidebarName = screen.getByTestId('room-item-שלום').querySelector('.room-item-name')!;
    expect(sidebarName.tagName).toBe('BDI');
  });
});

describe('the join form', () => {
  it.each([
    ['\u202eecila', /invisible or text-direction characters/],
    ['\u200b', /invisible or text-direction characters/],
    ['* p1 left the room', /must not start with "\*"/],
    ['host: hi', /must not contain ": "/],
  ])('refuses the display name %j at the field, without calling the API', (name, reason) => {
    render(<App />);
    fireEvent.change(screen.getByLabelText(/Host address/), { target: { value: '10.0.0.2' } });
    fireEvent.change(screen.getByLabelText('Room name'), { target: { value: 'lobby' } });
    fireEvent.change(screen.getByLabelText('Your display name'), { target: { value: name } });
    fireEvent.click(screen.getByRole('button', { name: 'Join room' }));
    const field = screen.getByLabelText('Your display name');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText(reason)).toBeTruthy();
    expect(fake.calls.some((c) => c.name === 'joinRoom')).toBe(false);
  });
});

describe('typed text', () => {
  it('takes its direction from its first strong character in the composer and the name fields', () => {
    render(<App />);
    expect(screen.getByLabelText('Room name').getAttribute('dir')).toBe('auto');
    expect(screen.getByLabelText('Your display name').getAttribute('dir')).toBe('auto');
    act(() => {
      fake.emit('roomUpdated', roomView());
      chatStore.getState().selectRoom('r1');
    });
    expect(screen.getByLabelText('Message').getAttribute('dir')).toBe('auto');
  });
});
