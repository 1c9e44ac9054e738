// Issue 15 in the Host form: the request always names an interface, defaulting to a LAN address
// (never all interfaces), and a privileged port leaves the form only after the user ticks the box.
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../App.js';
import { startBridge } from '../bridge.js';
import { pickInterface } from '../host-interface.js';
import { chatStore, resetChatStore } from '../store/chat-store.js';
import { fakeApi, roomView, type FakeApi } from './fake-api.js';

let fake: FakeApi;
let stop: () => void;

const CHOICES = [
  { value: '0.0.0.0', label: 'All IPv4 interfaces (0.0.0.0)' },
  { value: '::', label: 'All interfaces, IPv4 and IPv6 (::)' },
  { value: '127.0.0.1', label: 'This computer only (127.0.0.1)' },
  { value: '192.168.1.5', label: 'eth0: 192.168.1.5' },
];

async function start(interfaces = CHOICES, hostInterface = '') {
  resetChatStore();
  fake = fakeApi();
  fake.respond('listInterfaces', { ok: true, value: interfaces });
  fake.respond('getPrefs', {
    ok: true,
    value: {
      displayName: 'Bob',
      recentHosts: [],
      recentRooms: [],
      hostPort: 7777,
      hostInterface,
      window: null,
      keepHistory: true,
      historyBound: 10_000,
    },
  });
  stop = startBridge(fake.api);
  await act(async () => {});
}

beforeEach(() => start());

afterEach(() => {
  stop();
  cleanup();
});

describe('the Host form', () => {
  async function host(port?: string) {
    fake.respond('hostRoom', { ok: true, value: roomView({ role: 'host', hosted: true }) });
    render(<App />);
    act(() => chatStore.getState().showScreen('host'));
    fireEvent.change(screen.getByLabelText('Room name'), { target: { value: 'den' } });
    expect((screen.getByLabelText('Listen on') as HTMLSelectElement).value).not.toBe('0.0.0.0');
    if (port !== undefined) fireEvent.change(screen.getByLabelText(/^Port/), { target: { value: port } });
    fireEvent.click(screen.getByRole('button', { name: 'Host room' }));
    await act(async () => {});
    return fake.calls.filter((c) => c.name === 'hostRoom').map((c) => c.args as { bindHost: string; port: number });
  }

  it('names the LAN address by default, never all interfaces', async () => {
    const calls = await host();
    expect(calls).toEqual([expect.objectContaining({ bindHost: '192.168.1.5', port: 7777 })]);
  });

  it('keeps a remembered choice that is still offered', async () => {
    stop();
    await start(CHOICES, '127.0.0.1');
    expect((await host())[0]?.bindHost).toBe('127.0.0.1');
  });

  it('refuses a privileged port at the field, without a request, until the user confirms it', async () => {
    expect(await host('80')).toEqual([]);
    expect(screen.getByText(/Ports below 1024 need administrator rights/)).toBeTruthy();
    fireEvent.click(screen.getByRole('checkbox', { name: /Use port 80 anyway/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Host room' }));
    await act(async () => {});
    const calls = fake.calls.filter((c) => c.name === 'hostRoom').map((c) => c.args);
    expect(calls).toEqual([expect.objectContaining({ port: 80, allowPrivilegedPort: true })]);
  });

  it('sends no confirmation for an ordinary port', async () => {
    const [call] = await host('8080');
    expect(call).not.toHaveProperty('allowPrivilegedPort');
  });
});

describe('pickInterface', () => {
  it('prefers the remembered choice, then a LAN address, then this computer only', () => {
    expect(pickInterface(CHOICES, '::')).toBe('::');
    expect(pickInterface(CHOICES, '')).toBe('192.168.1.5');
    expect(pickInterface(CHOICES, '10.0.0.9')).toBe('192.168.1.5');
    expect(pickInterface(CHOICES.slice(0, 3), '')).toBe('127.0.0.1');
    expect(pickInterface([], '')).toBe('127.0.0.1');
  });
});
