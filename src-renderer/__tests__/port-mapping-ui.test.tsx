// Issue 17 item 3 in the UI: the Host form offers "Make this room reachable from the internet" where
// a router can help (a LAN address or all interfaces), remembers it, and the invite panel shows the
// router's answer in one line with the outside address first.
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../App.js';
import { startBridge } from '../bridge.js';
import { chatStore, resetChatStore } from '../store/chat-store.js';
import { fakeApi, roomView, type FakeApi } from './fake-api.js';

let fake: FakeApi;
let stop: () => void;

const CHOICES = [
  { value: '0.0.0.0', label: 'All IPv4 interfaces (0.0.0.0)' },
  { value: '127.0.0.1', label: 'This computer only (127.0.0.1)' },
  { value: '192.168.1.5', label: 'eth0: 192.168.1.5' },
];
const CHECKBOX = { name: /Make this room reachable from the internet/ };

async function start(hostUpnp: boolean, hostInterface = '') {
  resetChatStore();
  fake = fakeApi();
  fake.respond('listInterfaces', { ok: true, value: CHOICES });
  fake.respond('getPrefs', {
    ok: true,
    value: {
      displayName: 'Bob',
      recentHosts: [],
      recentRooms: [],
      hostPort: 7777,
      hostInterface,
      hostUpnp,
      window: null,
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
  return {
    hostRoom: fake.calls.filter((c) => c.name === 'hostRoom').map((c) => c.args),
    setPrefs: fake.calls.filter((c) => c.name === 'setPrefs').map((c) => c.args),
  };
}

afterEach(() => {
  stop();
  cleanup();
});

describe('the Host form: reachable from the internet', () => {
  it('is offered on a LAN address; ticking it asks for the mapping and remembers the choice', async () => {
    await start(false);
    const box = screen.getByRole('checkbox', CHECKBOX) as HTMLInputElement;
    expect(box.checked).toBe(false);
    fireEvent.click(box);
    const calls = await submit();
    expect(calls.hostRoom).toEqual([expect.objectContaining({ bindHost: '192.168.1.5', upnp: true })]);
    expect(calls.setPrefs).toEqual([expect.objectContaining({ hostUpnp: true })]);
  });

  it('starts ticked when remembered, and is not offered (nor asked for) on this computer only', async () => {
    await start(true);
    expect((screen.getByRole('checkbox', CHECKBOX) as HTMLInputElement).checked).toBe(true);
    fireEvent.change(screen.getByLabelText('Listen on'), { target: { value: '127.0.0.1' } });
    expect(screen.queryByRole('checkbox', CHECKBOX)).toBeNull();
    const calls = await submit();
    expect(calls.hostRoom).toEqual([expect.objectContaining({ bindHost: '127.0.0.1', upnp: false })]);
  });
});

describe('the invite panel', () => {
  it("shows the router's answer in one line, the outside address first", async () => {
    await start(true);
    const line =
      'Mapped via NAT-PMP: people on the internet can join at 11.0.0.2:7777; it is confirmed once someone outside joins.';
    act(() => {
      fake.emit(
        'roomUpdated',
        roomView({
          role: 'host',
          hosted: true,
          share: {
            port: 7777,
            addresses: ['11.0.0.2:7777', '192.168.1.5:7777'],
            invite: 'Host address: 11.0.0.2:7777',
            portMapping: { kind: 'mapped', line, externalAddress: '11.0.0.2:7777' },
          },
        }),
      );
      chatStore.getState().selectRoom('r1');
    });
    expect(screen.getByRole('status', { name: 'Internet reachability' }).textContent).toBe(line);
    const addresses = within(screen.getByRole('list', { name: 'Host addresses' })).getAllByRole('listitem');
    expect(addresses[0]?.textContent).toContain('11.0.0.2:7777');
  });
});
