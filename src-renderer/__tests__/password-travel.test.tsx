// encrypted transport (#16): the Join form says how the password would travel, once that is known:
// a pinned fingerprint or a host met over TLS before (inside TLS), a host met without TLS (in clear).
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { KnownHostTransport } from '../../src-shared/ipc/contract.js';
import { App } from '../App.js';
import type { FakeApi } from './fake-api.js';
import { withFakeBridge } from './fake-bridge.js';

let fake: FakeApi;
withFakeBridge((f) => (fake = f));

/** The hint the password field is described by, or '' when it has none. */
function passwordHint(): string {
  const ids =
    screen
      .getByLabelText(/^Password/)
      .getAttribute('aria-describedby')
      ?.split(' ') ?? [];
  return ids.map((id) => document.getElementById(id)?.textContent ?? '').join('');
}

function typeAddress(value: string, answer: KnownHostTransport) {
  fake.respond('knownHostTransport', { ok: true, value: answer });
  fireEvent.change(screen.getByLabelText(/Host address/), { target: { value } });
}

describe('how the password travels, in the Join form', () => {
  it('says nothing for a host never met', async () => {
    render(<App />);
    typeAddress('10.0.0.2', 'unknown');
    await waitFor(() => expect(fake.calls.some((c) => c.name === 'knownHostTransport')).toBe(true));
    expect(passwordHint()).toBe('');
  });

  it('inside TLS for a host met over TLS before', async () => {
    render(<App />);
    typeAddress('10.0.0.2:7777', 'encrypted');
    await waitFor(() => expect(passwordHint()).toMatch(/^Sent inside TLS, only to the host you met before/));
    expect(fake.calls.find((c) => c.name === 'knownHostTransport')?.args).toEqual({ address: '10.0.0.2:7777' });
  });

  it('in clear for a host met without encryption', async () => {
    render(<App />);
    typeAddress('10.0.0.3', 'plain');
    await waitFor(() =>
      expect(passwordHint()).toBe('This host has no encryption: the password crosses the network in clear.'),
    );
  });

  it('inside TLS to the pinned host when an invite names its fingerprint', () => {
    render(<App />);
    const link = `tincan://join?v=1&host=10.0.0.5&port=7777&room=lobby&fp=${'ab'.repeat(32)}`;
    fireEvent.paste(screen.getByLabelText(/Host address/), { clipboardData: { getData: () => link } });
    expect(passwordHint()).toMatch(/^Sent inside TLS, only to the host whose fingerprint is shown/);
  });
});
