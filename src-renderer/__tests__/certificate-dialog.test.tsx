// encrypted transport (#16): a join refused because a known host's certificate changed asks the user,
// against the fake API. Cancel is the default and has focus; Escape cancels; trusting tells the backend
// the presented fingerprint, then joins again with the same request.
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App.js';
import { roomView, type FakeApi } from './fake-api.js';
import { withFakeBridge } from './fake-bridge.js';

let fake: FakeApi;
withFakeBridge((f) => (fake = f));

const KNOWN = '11112222333344445555666677778888'.repeat(2);
const PRESENTED = 'aaaabbbbccccddddeeeeffff00009999'.repeat(2);
const CHANGED = {
  ok: false as const,
  code: 'CERTIFICATE_CHANGED',
  message: 'the certificate of 10.0.0.2:7777 changed',
  certificateChange: { host: '10.0.0.2', port: 7777, known: KNOWN, presented: PRESENTED },
};

async function joinChangedHost(): Promise<HTMLElement> {
  render(<App />);
  fireEvent.change(screen.getByLabelText(/Host address/), { target: { value: '10.0.0.2:7777' } });
  fireEvent.change(screen.getByLabelText('Room name'), { target: { value: 'lobby' } });
  fake.respond('joinRoom', CHANGED);
  fireEvent.click(screen.getByRole('button', { name: 'Join room' }));
  return screen.findByRole('alertdialog');
}

const joins = () => fake.calls.filter((c) => c.name === 'joinRoom');

describe('a changed host certificate', () => {
  it('names the room, the host and both fingerprints grouped; Cancel has focus', async () => {
    const dialog = await joinChangedHost();
    expect(dialog.textContent).toContain('“lobby”');
    expect(dialog.textContent).toContain('10.0.0.2:7777');
    expect(dialog.textContent).toContain('1111 2222 3333 4444 5555 6666 7777 8888 1111');
    expect(dialog.textContent).toContain('aaaa bbbb cccc dddd eeee ffff 0000 9999 aaaa');
    expect(dialog.textContent).toMatch(/posing as the host/);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Cancel' }));
    // Blocking: the form behind it cannot be reached.
    expect(screen.getByRole('main', { hidden: true }).hasAttribute('inert')).toBe(true);
  });

  it('Escape cancels: nothing is trusted and nothing joined again', async () => {
    const dialog = await joinChangedHost();
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(fake.calls.some((c) => c.name === 'trustHostCertificate')).toBe(false);
    expect(joins()).toHaveLength(1);
  });

  it('Tab stays inside the dialog', async () => {
    const dialog = await joinChangedHost();
    const trust = screen.getByRole('button', { name: 'Trust the new certificate' });
    trust.focus();
    fireEvent.keyDown(dialog, { key: 'Tab' });
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Cancel' }));
  });

  it('trusting the new certificate tells the backend, then joins again with the same request', async () => {
    await joinChangedHost();
    fake.respond('joinRoom', { ok: true, value: roomView({ room: 'lobby' }) });
    fireEvent.click(screen.getByRole('button', { name: 'Trust the new certificate' }));
    await waitFor(() => expect(joins()).toHaveLength(2));
    expect(fake.calls.find((c) => c.name === 'trustHostCertificate')?.args).toEqual({
      host: '10.0.0.2',
      port: 7777,
      fingerprint: PRESENTED,
    });
    expect(joins()[1]?.args).toEqual(joins()[0]?.args);
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
  });

  it('a refused trust keeps the dialog open saying why, and joins nothing', async () => {
    await joinChangedHost();
    fake.respond('trustHostCertificate', {
      ok: false,
      code: 'FORBIDDEN',
      message: 'Join again to see what it presents.',
    });
    fireEvent.click(screen.getByRole('button', { name: 'Trust the new certificate' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Join again to see what it presents.');
    expect(joins()).toHaveLength(1);
  });

  it('asks too when a room from last time is rejoined from the sidebar, and trusting rejoins it', async () => {
    render(<App />);
    act(() => fake.emit('roomUpdated', roomView({ id: 'r9', room: 'den', state: 'closed', remembered: true })));
    fake.respond('rejoinRoom', CHANGED, { ok: true, value: roomView({ id: 'r9', room: 'den' }) });
    const list = within(screen.getByRole('list', { name: 'From last time' }));
    await act(async () => fireEvent.click(list.getByRole('button', { name: 'Rejoin den' })));
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog.textContent).toContain('“den”');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Cancel' }));
    fireEvent.click(screen.getByRole('button', { name: 'Trust the new certificate' }));
    const rejoins = () => fake.calls.filter((c) => c.name === 'rejoinRoom').map((c) => c.args);
    await waitFor(() => expect(rejoins()).toEqual([{ roomId: 'r9' }, { roomId: 'r9' }]));
    expect(fake.calls.find((c) => c.name === 'trustHostCertificate')?.args).toMatchObject({ fingerprint: PRESENTED });
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(joins()).toHaveLength(0);
  });
});
