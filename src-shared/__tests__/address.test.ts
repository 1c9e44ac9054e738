import { describe, expect, it } from 'vitest';
import { AddressError, formatHostAddress, parseHostAddress } from '../address.js';

describe('parseHostAddress', () => {
  it('accepts host, host:port, IPv4, bare and bracketed IPv6', () => {
    expect(parseHostAddress('example.org', 7777)).toEqual({ host: 'example.org', port: 7777 });
    expect(parseHostAddress('example.org:9000', 7777)).toEqual({ host: 'example.org', port: 9000 });
    expect(parseHostAddress(' 10.0.0.5:1 ', 7777)).toEqual({ host: '10.0.0.5', port: 1 });
    expect(parseHostAddress('::1', 7777)).toEqual({ host: '::1', port: 7777 });
    expect(parseHostAddress('[::1]:65535', 7777)).toEqual({ host: '::1', port: 65535 });
    expect(parseHostAddress('[fe80::1]', 7777)).toEqual({ host: 'fe80::1', port: 7777 });
  });
  it('refuses what cannot be an address, with a message', () => {
    for (const bad of ['', 'host:0', 'host:65536', 'host:abc', ':80', '[::1', '[::1]x', '[]:1', 'a b']) {
      expect(() => parseHostAddress(bad, 7777), bad).toThrowError(AddressError);
    }
  });
  it('formats IPv6 in brackets', () => {
    expect(formatHostAddress({ host: '::1', port: 5 })).toBe('[::1]:5');
    expect(formatHostAddress({ host: '127.0.0.1', port: 5 })).toBe('127.0.0.1:5');
  });
});
