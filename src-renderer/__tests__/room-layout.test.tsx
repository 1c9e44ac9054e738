// The room's layout state: the invite panel stays as the user left it across room switches and
// restarts; the member list has a toggle (shown by CSS on narrow windows).
import { act, fireEvent, render, screen } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { App } from '../App.js';
import { chatStore, resetChatStore } from '../store/chat-store.js';
import { roomView, type FakeApi } from './fake-api.js';
import { withFakeBridge } from './fake-bridge.js';
import { must } from '../../test/support/must.js';

let fake: FakeApi;
// Before the shared set-up: the store reads the remembered panel state when it is reset.
beforeEach(() => {
  localStorage.clear();
});
withFakeBridge((f) => (fake = f));

const share = { port: 7777, addresses: ['192.168.1.5:7777'], invite: 'Join my room', portMapping: null };

function hostedRoom(id: string) {
  return roomView({ id, room: `room ${id}`, role: 'host', hosted: true, username: 'alice', share });
}

function invitePanel(): HTMLDetailsElement {
  return must(screen.getByText('Invite others').closest('details'), 'the invite panel');
}

describe('invite panel', () => {
  it('stays closed across room switches once the user closed it, and is remembered', () => {
    render(<App />);
    act(() => {
      fake.emit('roomUpdated', hostedRoom('r1'));
      fake.emit('roomUpdated', hostedRoom('r2'));
      chatStore.getState().selectRoom('r1');
    });
    expect(invitePanel().open).toBe(true);
    const panel = invitePanel();
    panel.open = false;
    fireEvent(panel, new Event('toggle'));
    expect(chatStore.getState().inviteOpen).toBe(false);

    act(() => chatStore.getState().selectRoom('r2'));
    expect(invitePanel().open).toBe(false);
    act(() => chatStore.getState().selectRoom('r1'));
    expect(invitePanel().open).toBe(false);
    expect(localStorage.getItem('tincan.inviteOpen')).toBe('0');

    // A fresh store (an app restart) reads the choice back.
    resetChatStore();
    expect(chatStore.getState().inviteOpen).toBe(false);
  });
});

describe('member list toggle', () => {
  it('shows and hides the member panel and says so', () => {
    render(<App />);
    act(() => {
      fake.emit('roomUpdated', roomView());
      chatStore.getState().selectRoom('r1');
    });
    const toggle = screen.getByRole('button', { name: /^Members \(\d+\)$/ });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    const panel = must(document.getElementById('member-panel'), 'the member panel');
    expect(toggle.getAttribute('aria-controls')).toBe('member-panel');
    expect(panel.className).not.toContain('open');
    fireEvent.click(toggle);
    expect(screen.getByRole('button', { name: 'Hide members' }).getAttribute('aria-expanded')).toBe('true');
    expect(panel.className).toContain('open');
  });
});
