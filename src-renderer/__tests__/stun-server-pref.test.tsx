// The Host form's "STUN server for the reachability check" (issue 17 item 3): offered beside "Make this
// room reachable", empty (off) unless the user names a server, checked with the rule the IPC boundary
// uses (the error next to the field, in plain words), and saved before the room is hosted because the
// main process reads it when the mapping starts.
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../App.js';
import { startBridge } from '../bridge.js';
import { chatStore, resetChatStore } from '../store/chat-store.js';
import { fakeApi, roomView, type FakeApi } from './fake-api.js';

let fake: FakeApi;
let stop: () => void;

const LABEL = 'STUN server for the reachability check (optional)';
const CHECKBOX = { name: /Make this room reachable from the internet/ };

async function start(prefs: { hostUpnp: boolean; stunServer?: string }) {
  resetChatStore();
  fake = fakeApi();
  fake.respond('listInterfaces', {
    ok: true,
    value: [
      { value: '192.168.1.5', label: 'eth0: 192.168.1.5' },
      { value: '127.0.0.1', label: 'This computer only (127.0.0.1)' },
    ],
  });
  fake.respond('getPrefs', {
    ok: true,
    value: {
      displayName: 'Bob',
      recentHosts: [],
      recentRooms: [],
      hostPort: 7777,
      hostInterface: '192.168.1.5',
      window: null,
      keepHistory: true,
      historyBound: 10_000,
      hostEncryptedOnly: false,
      stunServer: '',
      ...prefs,
    },
  });
  fake.respond('hostRoom', { ok: true, value: roomView({ role: 'host', hosted: true }) });
  stop = startBridge(fake.api);
  await act(async () => {});
  render(<App />);
  act(() => chatStore.getState().showScreen('host'));
  fireEvent.change(screen.getByLabelText('Room name'), { target: { value: 'den' } });
}

async function submit() {
  fireEvent.click(screen.getByRole('button', { name: 'Host room' }));
  await act(async () => {});
  return fake.calls.filter((c) => c.name === 'setPrefs' || c.name === 'hostRoom');
}

afterEach(() => {
  stop();
  cleanup();
});

describe('the STUN server preference', () => {
  it('is offered only with "reachable from the internet", empty by default, and says nobody is contacted then', async () => {
    await start({ hostUpnp: false });
    expect(screen.queryByLabelText(LABEL)).toBeNull();
    fireEvent.click(screen.getByRole('checkbox', CHECKBOX));
    const field = screen.getByLabelText(LABEL) as HTMLInputElement;
    expect(field.value).toBe('');
    expect(field.getAttribute('aria-describedby')).toBeTruthy();
    const hint = document.getElementById(field.getAttribute('aria-describedby') ?? '');
    expect(hint?.textContent).toMatch(/^Empty: off, and nobody outside your network is contacted\./);
    // Empty and unchanged: hosting saves no STUN server.
    const calls = await submit();
    expect(calls.map((c) => c.name)).toEqual(['hostRoom', 'setPrefs']);
    expect(calls[1]?.args).not.toHaveProperty('stunServer');
  });

  it('a malformed server is explained next to the field and nothing is hosted', async () => {
    await start({ hostUpnp: true });
    const field = screen.getByLabelText(LABEL);
    fireEvent.change(field, { target: { value: 'stun example' } });
    fireEvent.blur(field);
    const error = screen.getByRole('alert');
    expect(error.textContent).toBe(
      '"stun example" is not a host name. Type a name or an IPv4 address, with :port if it is not 3478, or leave it empty to skip the check.',
    );
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(field.getAttribute('aria-describedby')).toContain(error.id);
    expect(await submit()).toEqual([]);
    expect(document.activeElement).toBe(field);

    fireEvent.change(field, { target: { value: '[2001:db8::1]' } });
    expect(screen.getByRole('alert').textContent).toMatch(/^Use an IPv4 address or a name: routers map IPv4\./);
  });

  it('a server the user names is saved before the room is hosted', async () => {
    await start({ hostUpnp: true });
    fireEvent.change(screen.getByLabelText(LABEL), { target: { value: ' stun.example.org:19302 ' } });
    const calls = await submit();
    expect(calls.map((c) => c.name)).toEqual(['setPrefs', 'hostRoom', 'setPrefs']);
    expect(calls[0]?.args).toEqual({ stunServer: 'stun.example.org:19302' });
    expect(calls[1]?.args).toEqual(expect.objectContaining({ upnp: true }));
  });

  it('starts with the remembered server; emptying it turns the check off', async () => {
    await start({ hostUpnp: true, stunServer: 'stun.example.org' });
    const field = screen.getByLabelText(LABEL) as HTMLInputElement;
    expect(field.value).toBe('stun.example.org');
    fireEvent.change(field, { target: { value: '' } });
    const calls = await submit();
    expect(calls[0]).toEqual({ name: 'setPrefs', args: { stunServer: '' } });
    expect(calls[1]?.name).toBe('hostRoom');
  });

  it('a refusal from the main process keeps the form and shows why next to the field', async () => {
    await start({ hostUpnp: true });
    fake.respond('setPrefs', { ok: false, code: 'BAD_ARGS', message: 'invalid setPrefs request: stunServer: no' });
    fireEvent.change(screen.getByLabelText(LABEL), { target: { value: 'stun.example.org' } });
    const calls = await submit();
    expect(calls.map((c) => c.name)).toEqual(['setPrefs']);
    expect(screen.getByRole('alert').textContent).toBe(
      'The STUN server was not saved: invalid setPrefs request: stunServer: no',
    );
  });
});
