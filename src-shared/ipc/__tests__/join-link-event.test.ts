import { describe, expect, it } from 'vitest';
import { parseEvent } from '../validate.js';

const ok = { host: 'fd00::5', port: 7777, room: 'lobby', fingerprint: null };

describe('joinLink event', () => {
  it('accepts the fields of a parsed link', () => {
    expect(parseEvent('joinLink', ok)).toEqual(ok);
    expect(parseEvent('joinLink', { ...ok, host: 'chat.example.org', fingerprint: 'a'.repeat(64) })).not.toBeNull();
  });

  it('refuses what the link parser would refuse, and anything extra such as a password', () => {
    for (const bad of [
      { ...ok, host: '[fd00::5]' },
      { ...ok, host: 'a b' },
      { ...ok, host: 'fe80::1%eth0' },
      { ...ok, port: 0 },
      { ...ok, port: 1.5 },
      { ...ok, room: '' },
      { ...ok, room: 'x'.repeat(29) },
      { ...ok, room: 'a\nb' },
      { ...ok, fingerprint: 'A'.repeat(64) },
      { ...ok, fingerprint: 'abc' },
      { ...ok, password: 'secret' },
      { host: 'h', port: 1, room: 'r' },
    ]) {
      expect(parseEvent('joinLink', bad), JSON.stringify(bad)).toBeNull();
    }
  });
});
