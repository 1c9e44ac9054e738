import { describe, expect, it } from 'vitest';
import { readStunServer, STUN_PORT, stunServerPrefProblem } from '../stun-server.js';

describe('the STUN server a user names', () => {
  it('takes an IPv4 address or a name, with the registered port when none is named', () => {
    expect(readStunServer('11.0.0.1')).toEqual({ server: { host: '11.0.0.1', port: STUN_PORT } });
    expect(readStunServer('stun.example.org:19302')).toEqual({ server: { host: 'stun.example.org', port: 19302 } });
    expect(readStunServer(' stun.example.org ')).toEqual({ server: { host: 'stun.example.org', port: 3478 } });
  });

  it('refuses IPv6, bad ports, bad names and bad dotted numbers in plain words', () => {
    const problem = (text: string) => {
      const read = readStunServer(text);
      return 'problem' in read ? read.problem : null;
    };
    expect(problem('[2001:db8::1]:3478')).toMatch(/IPv4/);
    expect(problem('2001:db8::1')).toMatch(/IPv4/);
    expect(problem('11.0.0.1:0')).toMatch(/port/);
    expect(problem('11.0.0.1:99999')).toMatch(/port/);
    expect(problem('')).toMatch(/empty/);
    expect(problem('bad_host!')).toBe('"bad_host!" is not a host name or IPv4 address');
    expect(problem('999.1.1.1')).toMatch(/not a host name or IPv4 address/);
    expect(problem(`${'a'.repeat(300)}:3478`)).toMatch(/not a host name/);
  });

  it('as a preference, empty means off and is no problem', () => {
    expect(stunServerPrefProblem('')).toBeNull();
    expect(stunServerPrefProblem('   ')).toBeNull();
    expect(stunServerPrefProblem('stun.example.org')).toBeNull();
    expect(stunServerPrefProblem('stun example')).toMatch(/not a host name/);
  });
});
