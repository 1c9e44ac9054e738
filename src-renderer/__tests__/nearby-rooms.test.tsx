// The Join screen's "Nearby rooms" list and the host's per-room toggle, against the fake API: rooms
// come and go with nearbyUpdated events, one click joins (the password dialog follows when needed),
// a discovery failure is explained, and a malformed event is dropped.
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { NearbyRoom, NearbyState } from '../../src-shared/ipc/contract.js';
import { App } from '../App.js';
import { chatStore } from '../store/chat-store.js';
import { roomView, type FakeApi } from './fake-api.js';
import { withFakeBridge } from './fake-bridge.js';

let fake: FakeApi;
withFakeBridge((f) => (fake = f));

function nearby(id: string, over: Partial<NearbyRoom> = {}): NearbyRoom {
  return { id, room: 'lobby', host: '10.0.0.5', port: 7777, passwordRequired: false, fingerprint: null, ...over };
}

const state = (rooms: NearbyRoom[], over: Partial<NearbyState> = {}): NearbyState => ({
  rooms,
  problem: null,
  unlisted: [],
  lanUnreachable: [],
  ...over,
});

describe('Nearby rooms on the Join screen', () => {
  it('asks for the list, shows rooms as they come and drops them as they go', async () => {
    render(<App />);
    await waitFor(() => expect(fake.calls.some((c) => c.name === 'getNearby')).toBe(true));
    expect(await screen.findByText(/No rooms on your network yet/)).toBeTruthy();

    // Two rooms of one name on two hosts are two entries.
    act(() => fake.emit('nearbyUpdated', state([nearby('a'), nearby('b', { host: '10.0.0.6' })])));
    expect(screen.getByRole('button', { name: 'Join lobby at 10.0.0.5:7777' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Join lobby at 10.0.0.6:7777' })).toBeTruthy();

    act(() => fake.emit('nearbyUpdated', state([nearby('b', { host: '10.0.0.6' })])));
    expect(screen.queryByRole('button', { name: 'Join lobby at 10.0.0.5:7777' })).toBeNull();
  });

  it('one click fills the form and joins; a password room then asks for the password', async () => {
    render(<App />);
    act(() => fake.emit('nearbyUpdated', state([nearby('a', { room: 'den', passwordRequired: true })])));
    fake.respond('joinRoom', { ok: false, code: 'PASSWORD_REQUIRED', message: 'This room needs a password.' });
    fireEvent.click(screen.getByRole('button', { name: 'Join den at 10.0.0.5:7777, needs a password' }));

    await waitFor(() =>
      expect(fake.calls.find((c) => c.name === 'joinRoom')?.args).toEqual({
        address: '10.0.0.5:7777',
        room: 'den',
        username: 'Bob',
        password: '',
      }),
    );
    expect((screen.getByLabelText(/Host address/) as HTMLInputElement).value).toBe('10.0.0.5:7777');
    expect((screen.getByLabelText('Room name') as HTMLInputElement).value).toBe('den');
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toContain('den');

    fake.respond('joinRoom', { ok: true, value: roomView({ room: 'den' }) });
    const input = screen.getByLabelText('Room password');
    fireEvent.change(input, { target: { value: 'pw' } });
    fireEvent.submit(input);
    await waitFor(() =>
      expect(fake.calls.filter((c) => c.name === 'joinRoom').at(-1)?.args).toMatchObject({
        room: 'den',
        password: 'pw',
      }),
    );
  });

  // encrypted transport (#16)
  it("pins the room's fingerprint: the join and the password retry carry it", async () => {
    const fingerprint = 'ab'.repeat(32);
    render(<App />);
    act(() => fake.emit('nearbyUpdated', state([nearby('a', { room: 'den', passwordRequired: true, fingerprint })])));
    fake.respond('joinRoom', { ok: false, code: 'PASSWORD_REQUIRED', message: 'This room needs a password.' });
    fireEvent.click(screen.getByRole('button', { name: 'Join den at 10.0.0.5:7777, needs a password' }));
    await waitFor(() => expect(fake.calls.find((c) => c.name === 'joinRoom')?.args).toMatchObject({ fingerprint }));
    fake.respond('joinRoom', { ok: true, value: roomView({ room: 'den' }) });
    const input = await screen.findByLabelText('Room password');
    fireEvent.change(input, { target: { value: 'pw' } });
    fireEvent.submit(input);
    await waitFor(() =>
      expect(fake.calls.filter((c) => c.name === 'joinRoom').at(-1)?.args).toMatchObject({
        password: 'pw',
        fingerprint,
      }),
    );
  });

  it('explains why the list is unavailable', async () => {
    fake.respond('getNearby', { ok: true, value: state([], { problem: 'Another program holds UDP 5353.' }) });
    render(<App />);
    expect(await screen.findByText(/Another program holds UDP 5353\. You can still join/)).toBeTruthy();
  });

  it('drops a malformed event (a room name the name rule refuses)', async () => {
    render(<App />);
    await screen.findByText(/No rooms on your network yet/);
    act(() => fake.emit('nearbyUpdated', state([nearby('a', { room: '\u202eevil' })])));
    expect(screen.queryByRole('button', { name: /evil/ })).toBeNull();
    expect(chatStore.getState().nearby?.rooms).toEqual([]);
  });
});

describe('the host toggle', () => {
  it('is on for a hosted room and turns listing off for that room', async () => {
    render(<App />);
    const share = { port: 7777, addresses: ['10.0.0.2:7777'], invite: 'Join', portMapping: null };
    act(() => {
      fake.emit('roomUpdated', roomView({ id: 'h1', hosted: true, role: 'host', share }));
      chatStore.getState().selectRoom('h1');
    });
    const toggle = (await screen.findByLabelText(/Show in Nearby rooms/)) as HTMLInputElement;
    expect(toggle.checked).toBe(true);
    fake.respond('setRoomListed', { ok: true, value: state([], { unlisted: ['h1'] }) });
    fireEvent.click(toggle);
    // At once, before the answer: a box that sprang back would invite a second click.
    expect(toggle.checked).toBe(false);
    await waitFor(() => expect(fake.calls.find((c) => c.name === 'setRoomListed')).toBeTruthy());
    expect(fake.calls.find((c) => c.name === 'setRoomListed')?.args).toEqual({ roomId: 'h1', listed: false });
    await act(async () => {});
    expect(toggle.checked).toBe(false);
  });

  it('is replaced by the reason for a room other computers cannot reach', async () => {
    fake.respond('getNearby', { ok: true, value: state([], { lanUnreachable: ['h1'] }) });
    render(<App />);
    await waitFor(() => expect(chatStore.getState().nearby?.lanUnreachable).toEqual(['h1']));
    const share = { port: 7777, addresses: ['127.0.0.1:7777'], invite: 'Join', portMapping: null };
    act(() => {
      fake.emit('roomUpdated', roomView({ id: 'h1', hosted: true, role: 'host', share }));
      chatStore.getState().selectRoom('h1');
    });
    expect(await screen.findByText(/Not shown in Nearby rooms: this room listens on an address/)).toBeTruthy();
    expect(screen.queryByLabelText(/Show in Nearby rooms/)).toBeNull();
  });

  it('goes back when the main process refuses the change', async () => {
    render(<App />);
    const share = { port: 7777, addresses: ['10.0.0.2:7777'], invite: 'Join', portMapping: null };
    act(() => {
      fake.emit('roomUpdated', roomView({ id: 'h1', hosted: true, role: 'host', share }));
      chatStore.getState().selectRoom('h1');
    });
    const toggle = (await screen.findByLabelText(/Show in Nearby rooms/)) as HTMLInputElement;
    fake.respond('setRoomListed', { ok: false, code: 'NO_SUCH_SESSION', message: 'No such room.' });
    fireEvent.click(toggle);
    expect(toggle.checked).toBe(false);
    await waitFor(() => expect(toggle.checked).toBe(true));
    expect(chatStore.getState().roomError).toBe('No such room.');
  });
});
