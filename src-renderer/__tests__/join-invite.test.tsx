// Invites in the Join form: pasting a link or the whole invite text, and links the operating system
// opens (the joinLink event). Either way the form is filled and nothing is joined until the user asks.
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../App.js';
import { openLinkFromHash } from '../bridge.js';
import { chatStore } from '../store/chat-store.js';
import { roomView, type FakeApi } from './fake-api.js';
import { withFakeBridge } from './fake-bridge.js';

let fake: FakeApi;
withFakeBridge((f) => (fake = f));

const LINK = 'tincan://join?v=1&host=10.0.0.5&port=7777&room=lobby';

const INVITE = [
  'Join my Tincan chat room "my room".',
  'Host address: 192.168.1.5:7777',
  'Other addresses: [fd00::5]:7777',
  'Room: my room',
  'Password: ask me for it',
  'Link: tincan://join?v=1&host=192.168.1.5&port=7777&room=my%20room',
].join('\n');

const value = (label: RegExp | string) => (screen.getByLabelText(label) as HTMLInputElement).value;
const paste = (label: RegExp | string, text: string) =>
  fireEvent.paste(screen.getByLabelText(label), { clipboardData: { getData: () => text } });
const joined = () => fake.calls.some((c) => c.name === 'joinRoom');
/** The error text a field is described by (its last aria-describedby), or null when it is valid. */
function fieldError(label: RegExp | string): string | null {
  const field = screen.getByLabelText(label);
  if (field.getAttribute('aria-invalid') !== 'true') return null;
  const id = field.getAttribute('aria-describedby')?.split(' ').pop();
  return (id && document.getElementById(id)?.textContent) || null;
}

describe('pasting into the Join form', () => {
  it('the whole invite text fills host and room; joining still takes a click', async () => {
    render(<App />);
    paste(/Host address/, INVITE);
    expect(value(/Host address/)).toBe('192.168.1.5:7777');
    expect(value('Room name')).toBe('my room');
    expect(screen.getByRole('status').textContent).toContain('Filled in from an invite');
    expect(joined()).toBe(false);

    fake.respond('joinRoom', { ok: true, value: roomView({ room: 'my room' }) });
    fireEvent.click(screen.getByRole('button', { name: 'Join room' }));
    await waitFor(() =>
      expect(fake.calls.find((c) => c.name === 'joinRoom')?.args).toEqual({
        address: '192.168.1.5:7777',
        room: 'my room',
        username: 'Bob',
        password: '',
      }),
    );
  });

  it('a bare link pasted into the room field fills both, IPv6 in brackets', () => {
    render(<App />);
    paste('Room name', 'tincan://join?v=1&host=[fd00::5]&port=9000&room=lobby');
    expect(value(/Host address/)).toBe('[fd00::5]:9000');
    expect(value('Room name')).toBe('lobby');
  });

  it('a link typed or dropped in (no paste event) is read too', () => {
    render(<App />);
    fireEvent.change(screen.getByLabelText(/Host address/), {
      target: { value: 'tincan://join?host=10.0.0.2&port=7777&room=r' },
    });
    expect(value(/Host address/)).toBe('10.0.0.2:7777');
    expect(value('Room name')).toBe('r');
  });

  it('a malformed link says what is wrong next to the field and fills nothing', () => {
    render(<App />);
    paste(/Host address/, 'tincan://join?host=10.0.0.2&port=99999&room=r');
    const field = screen.getByLabelText(/Host address/);
    expect(value(/Host address/)).toBe('');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(field.getAttribute('aria-describedby')!.split(' ').pop()!)!.textContent).toContain(
      'bad port in the link',
    );
    fireEvent.change(field, { target: { value: '10.0.0.2' } });
    expect(field.getAttribute('aria-invalid')).toBe('false');
  });

  it('an address with a scheme or a trailing slash fills the host field only', () => {
    render(<App />);
    fireEvent.change(screen.getByLabelText('Room name'), { target: { value: 'kept' } });
    expect(paste(/Host address/, 'tincan://192.168.1.5:7777/')).toBe(false);
    expect(value(/Host address/)).toBe('192.168.1.5:7777');
    paste(/Host address/, '10.0.0.2:9000/');
    expect(value(/Host address/)).toBe('10.0.0.2:9000');
    expect(value('Room name')).toBe('kept');
  });

  it('a web page address is refused next to the field, saying what a host address is', () => {
    render(<App />);
    paste(/Host address/, 'http://127.0.0.1:5173/#token=abc');
    const field = screen.getByLabelText(/Host address/);
    expect(value(/Host address/)).toBe('');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(field.getAttribute('aria-describedby')!.split(' ').pop()!)!.textContent).toContain(
      'not a Tincan host',
    );
  });

  it('ordinary text pastes as usual', () => {
    render(<App />);
    const event = paste(/Host address/, '10.0.0.2:7777');
    expect(event).toBe(true); // not prevented: the browser inserts it
  });
});

describe('links opened by the operating system (joinLink)', () => {
  it('switches to the Join form, filled, without joining', () => {
    render(<App />);
    act(() => {
      fake.emit('roomUpdated', roomView());
      chatStore.getState().selectRoom('r1');
    });
    expect(screen.queryByLabelText(/Host address/)).toBeNull();
    act(() => fake.emit('joinLink', { host: 'fd00::5', port: 7000, room: 'linked', fingerprint: null }));
    expect(value(/Host address/)).toBe('[fd00::5]:7000');
    expect(value('Room name')).toBe('linked');
    expect(screen.getByRole('status').textContent).toContain('press Join room');
    expect(joined()).toBe(false);
  });

  it('fills a Join form that is already showing, also with the same link twice', () => {
    render(<App />);
    const link = { host: '10.0.0.9', port: 7777, room: 'again', fingerprint: null };
    act(() => fake.emit('joinLink', link));
    expect(value('Room name')).toBe('again');
    fireEvent.change(screen.getByLabelText('Room name'), { target: { value: 'edited' } });
    act(() => fake.emit('joinLink', link));
    expect(value('Room name')).toBe('again');
    expect(joined()).toBe(false);
  });

  it('a refused link opens the Join form saying why, from any screen', () => {
    render(<App />);
    act(() => {
      fake.emit('roomUpdated', roomView());
      chatStore.getState().selectRoom('r1');
    });
    act(() => fake.emit('joinLinkRefused', { reason: 'the link has an unknown parameter "password"' }));
    expect(fieldError(/Host address/)).toBe(
      'That invite link can\'t be used: the link has an unknown parameter "password".',
    );
    expect(value(/Host address/)).toBe('');
    expect(joined()).toBe(false);
  });

  it('drops a malformed event (a password never rides along)', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    render(<App />);
    act(() => fake.emit('joinLink', { host: 'h', port: 1, room: 'r', fingerprint: null, password: 'x' } as never));
    expect(value('Room name')).toBe('');
    expect(warn).toHaveBeenCalledWith('tincan: dropped a malformed joinLink event');
    warn.mockRestore();
  });
});

describe('web mode: a link in the page address (#join=…)', () => {
  it('opens the filled Join form; a malformed one says why next to the address', () => {
    render(<App />);
    const link = 'tincan://join?v=1&host=[fd00::5]&port=7777&room=from%20hash';
    act(() => openLinkFromHash(`#token=abc&join=${encodeURIComponent(link)}`));
    expect(value('Room name')).toBe('from hash');
    expect(value(/Host address/)).toBe('[fd00::5]:7777');
    act(() => openLinkFromHash(`#token=abc&join=${encodeURIComponent('tincan://join?host=h&port=0&room=r')}`));
    expect(fieldError(/Host address/)).toContain("That invite link can't be used: bad port in the link");
    expect(value('Room name')).toBe('from hash');
    act(() => openLinkFromHash('#token=abc'));
    expect(value('Room name')).toBe('from hash');
    expect(joined()).toBe(false);
  });
});

describe('invite panel', () => {
  it('offers the link on its own with a copy button', async () => {
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    render(<App />);
    act(() => {
      fake.emit(
        'roomUpdated',
        roomView({
          role: 'host',
          hosted: true,
          share: {
            port: 7777,
            addresses: ['10.0.0.5:7777'],
            invite: `Room: lobby\nLink: ${LINK}`,
            portMapping: null,
          },
        }),
      );
      chatStore.getState().selectRoom('r1');
    });
    fireEvent.click(screen.getByRole('button', { name: 'Copy invite link' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(LINK));
  });

  it('has no link button when the invite has no link', () => {
    render(<App />);
    act(() => {
      fake.emit(
        'roomUpdated',
        roomView({
          role: 'host',
          hosted: true,
          share: { port: 7777, addresses: ['x'], invite: 'Room: lobby', portMapping: null },
        }),
      );
      chatStore.getState().selectRoom('r1');
    });
    expect(screen.queryByRole('button', { name: 'Copy invite link' })).toBeNull();
  });
});

// encrypted transport (#16)
describe("an invite's host fingerprint", () => {
  const FP = '0123456789abcdef'.repeat(4);
  const GROUPED = '0123 4567 89ab cdef '.repeat(4).trim();

  it('is shown grouped, checked when connecting, and sent with the join', async () => {
    render(<App />);
    paste(/Host address/, `${LINK}&fp=${FP}`);
    expect(screen.getByText(/checked when connecting/).textContent).toBe(
      `Host fingerprint: ${GROUPED}, checked when connecting.`,
    );
    fake.respond('joinRoom', { ok: true, value: roomView({ room: 'lobby' }) });
    fireEvent.click(screen.getByRole('button', { name: 'Join room' }));
    await waitFor(() =>
      expect(fake.calls.find((c) => c.name === 'joinRoom')?.args).toEqual({
        address: '10.0.0.5:7777',
        room: 'lobby',
        username: 'Bob',
        password: '',
        fingerprint: FP,
      }),
    );
  });

  it('comes with a link the operating system opens', () => {
    render(<App />);
    act(() => fake.emit('joinLink', { host: '10.0.0.9', port: 7777, room: 'r', fingerprint: FP }));
    expect(screen.getByText(/checked when connecting/).textContent).toContain(GROUPED);
  });

  it('is dropped when the user types another host: a pin belongs to the host it came with', async () => {
    render(<App />);
    paste(/Host address/, `${LINK}&fp=${FP}`);
    fireEvent.change(screen.getByLabelText(/Host address/), { target: { value: '10.0.0.6' } });
    expect(screen.queryByText(/checked when connecting/)).toBeNull();
    fake.respond('joinRoom', { ok: true, value: roomView({ room: 'lobby' }) });
    fireEvent.click(screen.getByRole('button', { name: 'Join room' }));
    await waitFor(() => expect(joined()).toBe(true));
    expect(fake.calls.find((c) => c.name === 'joinRoom')?.args).not.toHaveProperty('fingerprint');
  });
});
