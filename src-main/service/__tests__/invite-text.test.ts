import { describe, expect, it } from 'vitest';
import { parseJoinLink } from '../../../src-shared/invite/join-link.js';
import { readInvite } from '../../../src-shared/invite/read-invite.js';
import { inviteLink, inviteText } from '../net-addresses.js';

describe('inviteText', () => {
  it('ends with a link that names the first address and the room', () => {
    const text = inviteText('my room', ['192.168.1.5:7777', '[fd00::5]:7777'], true);
    expect(text.split('\n')).toEqual([
      'Join my Tincan chat room "my room".',
      'Host address: 192.168.1.5:7777',
      'Other addresses: [fd00::5]:7777',
      'Room: my room',
      'Password: ask me for it',
      'Link: tincan://join?v=1&host=192.168.1.5&port=7777&room=my%20room',
    ]);
  });

  it('pastes back into the Join form as the same address and room', () => {
    const text = inviteText('lobby', ['[fd00::5]:9000'], false);
    expect(readInvite(text)).toEqual({
      kind: 'prefill',
      prefill: { address: '[fd00::5]:9000', room: 'lobby', fingerprint: null },
    });
  });

  // encrypted transport (#16)
  it('says the room is encrypted and for whom, when the host has a certificate; pastes back pinned', () => {
    const fp = '0f'.repeat(32);
    const text = inviteText('lobby', ['10.0.0.2:7777'], true, fp);
    expect(text.split('\n')).toContain(
      'Encrypted: the Tincan app connects over TLS, checks the host fingerprint below, and sends the password and messages sealed.',
    );
    expect(readInvite(text)).toMatchObject({ prefill: { fingerprint: fp } });
    expect(inviteText('lobby', ['10.0.0.2:7777'], true)).not.toContain('Encrypted');
  });

  it('skips addresses a link cannot carry, and has no link when none can', () => {
    const link = inviteLink('r', ['[fe80::1%eth0]:7777', '10.0.0.2:7777']);
    expect(link && parseJoinLink(link).host).toBe('10.0.0.2');
    expect(inviteLink('r', ['[fe80::1%eth0]:7777'])).toBeNull();
    expect(inviteText('r', ['[fe80::1%eth0]:7777'], false)).not.toContain('Link:');
  });
});
