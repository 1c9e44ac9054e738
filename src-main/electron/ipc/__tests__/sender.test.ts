import { describe, expect, it } from 'vitest';
import { isTrustedFrame, isTrustedUrl } from '../sender.js';
import { checkExternalUrl } from '../../../service/dispatch.js';
import { inviteText, shareAddresses, interfaceChoices } from '../../../service/net-addresses.js';

describe('IPC sender check', () => {
  it('trusts only the top app:// frame (and the dev server when given)', () => {
    expect(isTrustedFrame({ url: 'app://tincan/index.html', parent: null }, null)).toBe(true);
    expect(isTrustedFrame({ url: 'app://tincan/index.html', parent: {} }, null)).toBe(false);
    expect(isTrustedFrame(null, null)).toBe(false);
    expect(isTrustedUrl('app://evil/index.html', null)).toBe(false);
    expect(isTrustedUrl('file:///etc/passwd', null)).toBe(false);
    expect(isTrustedUrl('https://tincan/', null)).toBe(false);
    expect(isTrustedUrl('http://localhost:5173/', null)).toBe(false);
    expect(isTrustedUrl('http://localhost:5173/x', 'http://localhost:5173')).toBe(true);
    expect(isTrustedUrl('not a url', 'http://localhost:5173')).toBe(false);
  });
  it('opens only allowlisted link schemes', () => {
    expect(checkExternalUrl('https://example.com/a?b').href).toBe('https://example.com/a?b');
    expect(() => checkExternalUrl('file:///etc/passwd')).toThrow();
    expect(() => checkExternalUrl('javascript:alert(1)')).toThrow();
    expect(() => checkExternalUrl('nonsense')).toThrow();
  });
});

describe('host addresses', () => {
  const table = {
    lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true, netmask: '', mac: '', cidr: null }],
    eth0: [
      { address: 'fe80::1', family: 'IPv6', internal: false, netmask: '', mac: '', cidr: null, scopeid: 2 },
      { address: '192.168.1.5', family: 'IPv4', internal: false, netmask: '', mac: '', cidr: null },
      { address: 'fd00::5', family: 'IPv6', internal: false, netmask: '', mac: '', cidr: null, scopeid: 0 },
    ],
  } as never;
  it('lists every non-internal address with the port, per bind address', () => {
    expect(shareAddresses('0.0.0.0', 7777, table)).toEqual(['192.168.1.5:7777']);
    expect(shareAddresses('::', 7777, table)).toEqual(['192.168.1.5:7777', '[fd00::5]:7777', '[fe80::1%eth0]:7777']);
    expect(shareAddresses('127.0.0.1', 9, table)).toEqual(['127.0.0.1:9']);
    expect(shareAddresses('0.0.0.0', 7777, {})).toEqual(['127.0.0.1:7777']);
    expect(interfaceChoices(table).map((c) => c.value)).toEqual([
      '0.0.0.0',
      '::',
      '127.0.0.1',
      'fe80::1%eth0',
      '192.168.1.5',
      'fd00::5',
    ]);
  });
  it('writes an invite that names the room, the addresses and the password need', () => {
    const text = inviteText('lobby', ['192.168.1.5:7777', '[fd00::5]:7777'], true);
    expect(text).toContain('"lobby"');
    expect(text).toContain('Host address: 192.168.1.5:7777');
    expect(text).toContain('[fd00::5]:7777');
    expect(text).toContain('Password');
    expect(inviteText('open', ['h:1'], false)).not.toContain('Password');
  });
});
