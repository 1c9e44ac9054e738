import { describe, expect, it } from 'vitest';
import {
  LINK_MAX_LENGTH,
  LinkError,
  formatJoinLink,
  looksLikeLink,
  parseJoinLink,
  type JoinLink,
} from '../join-link.js';

const FP = 'ab'.repeat(32);

function problemOf(link: string): string {
  try {
    parseJoinLink(link);
  } catch (err) {
    if (err instanceof LinkError) return err.problem;
    throw err;
  }
  throw new Error(`accepted: ${link}`);
}

function messageOf(link: string): string {
  try {
    parseJoinLink(link);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`accepted: ${link}`);
}

describe('formatJoinLink / parseJoinLink round trip', () => {
  const cases: JoinLink[] = [
    { host: '192.168.1.5', port: 7777, room: 'lobby', fingerprint: null },
    { host: 'fd00::5', port: 1, room: 'a', fingerprint: null },
    { host: '::ffff:10.0.0.1', port: 65535, room: 'x', fingerprint: FP },
    { host: 'chat.example.org', port: 9000, room: 'café & co = 100%', fingerprint: null },
    { host: 'localhost', port: 7777, room: 'a+b?c#d/e', fingerprint: null },
    { host: 'h', port: 7777, room: 'שלום עולם 🎉', fingerprint: null },
    { host: '10.0.0.1', port: 7777, room: 'x'.repeat(28), fingerprint: FP },
  ];
  for (const link of cases) {
    it(`round-trips ${link.host} ${link.room}`, () => {
      const text = formatJoinLink(link);
      expect(text.startsWith('tincan://join?v=1&host=')).toBe(true);
      expect(text).not.toMatch(/\s/);
      expect(parseJoinLink(text)).toEqual(link);
    });
  }

  it('writes a readable link', () => {
    expect(formatJoinLink({ host: '192.168.1.5', port: 7777, room: 'my room', fingerprint: null })).toBe(
      'tincan://join?v=1&host=192.168.1.5&port=7777&room=my%20room',
    );
    expect(formatJoinLink({ host: 'fd00::5', port: 7777, room: 'r', fingerprint: null })).toBe(
      'tincan://join?v=1&host=[fd00::5]&port=7777&room=r',
    );
  });

  it('refuses to format what it could not parse back', () => {
    expect(() => formatJoinLink({ host: 'fe80::1%eth0', port: 7777, room: 'r', fingerprint: null })).toThrow(LinkError);
    expect(() => formatJoinLink({ host: 'h', port: 0, room: 'r', fingerprint: null })).toThrow(LinkError);
    expect(() => formatJoinLink({ host: 'h', port: 7777, room: ' r', fingerprint: null })).toThrow(LinkError);
    expect(() => formatJoinLink({ host: 'h', port: 7777, room: 'r', fingerprint: 'abc' })).toThrow(LinkError);
  });
});

describe('parseJoinLink accepts', () => {
  it('the minimal link, without version or fingerprint, in any parameter order', () => {
    expect(parseJoinLink('tincan://join?room=r&port=7777&host=10.0.0.1')).toEqual({
      host: '10.0.0.1',
      port: 7777,
      room: 'r',
      fingerprint: null,
    });
  });
  it('an upper-case scheme, surrounding whitespace and a slash after the action', () => {
    expect(parseJoinLink('  TINCAN://join/?host=h&port=1&room=r\n').host).toBe('h');
  });
  it('percent-encoded brackets and colons, and a literal plus in the room', () => {
    const link = parseJoinLink('tincan://join?host=%5Bfd00%3A%3A1%5D&port=7777&room=a+b');
    expect(link.host).toBe('fd00::1');
    expect(link.room).toBe('a+b');
  });
  it('a colon-separated fingerprint, normalised to lowercase hex', () => {
    const colons = Array.from({ length: 32 }, () => 'AB').join(':');
    expect(parseJoinLink(`tincan://join?host=h&port=1&room=r&fp=${colons}`).fingerprint).toBe(FP);
  });
});

describe('parseJoinLink refuses, with a distinct message', () => {
  const base = 'tincan://join?host=10.0.0.1&port=7777&room=lobby';
  const bad: [string, string][] = [
    ['https://join?host=h&port=1&room=r', 'scheme'],
    ['tincan', 'scheme'],
    ['10.0.0.1:7777', 'scheme'],
    ['tincan:join?host=h&port=1&room=r', 'scheme'],
    ['tincan://host?host=h&port=1&room=r', 'action'],
    ['tincan://?host=h&port=1&room=r', 'action'],
    ['tincan://join/extra?host=h&port=1&room=r', 'action'],
    ['tincan://join', 'missing-parameter'],
    ['tincan://join?', 'missing-parameter'],
    ['tincan://join?host=h&port=1', 'missing-parameter'],
    ['tincan://join?host=h&room=r', 'missing-parameter'],
    ['tincan://join?port=1&room=r', 'missing-parameter'],
    [`${base}&host=10.0.0.2`, 'duplicate-parameter'],
    [`${base}&room=lobby`, 'duplicate-parameter'],
    [`${base}&password=secret`, 'unknown-parameter'],
    [`${base}&Host=x`, 'unknown-parameter'],
    [`${base}&`, 'syntax'],
    ['tincan://join?host=h&&port=1&room=r', 'syntax'],
    ['tincan://join?host&port=1&room=r', 'syntax'],
    [`${base}#frag`, 'syntax'],
    ['tincan://join?host=h&port=1&room=%E0%A4', 'encoding'],
    ['tincan://join?host=h&port=1&room=%zz', 'encoding'],
    [`${base}&v=2`, 'version'],
    [`${base}&v=one`, 'version'],
    ['tincan://join?host=&port=1&room=r', 'host'],
    ['tincan://join?host=fd00::1&port=1&room=r', 'host'],
    ['tincan://join?host=[fd00::1&port=1&room=r', 'host'],
    ['tincan://join?host=fd00::1]&port=1&room=r', 'host'],
    ['tincan://join?host=[10.0.0.1]&port=1&room=r', 'host'],
    ['tincan://join?host=[1:2:3:4:5:6:7:8:9]&port=1&room=r', 'host'],
    ['tincan://join?host=[1::2::3]&port=1&room=r', 'host'],
    ['tincan://join?host=[fe80::1%25eth0]&port=1&room=r', 'host'],
    ['tincan://join?host=256.1.1.1&port=1&room=r', 'host'],
    ['tincan://join?host=1.2.3&port=1&room=r', 'host'],
    ['tincan://join?host=010.0.0.1&port=1&room=r', 'host'],
    ['tincan://join?host=a..b&port=1&room=r', 'host'],
    ['tincan://join?host=-a.b&port=1&room=r', 'host'],
    ['tincan://join?host=a%20b&port=1&room=r', 'host'],
    ['tincan://join?host=user@h&port=1&room=r', 'host'],
    [`tincan://join?host=${'a'.repeat(64)}&port=1&room=r`, 'host'],
    ['tincan://join?host=h&port=0&room=r', 'port'],
    ['tincan://join?host=h&port=65536&room=r', 'port'],
    ['tincan://join?host=h&port=07777&room=r', 'port'],
    ['tincan://join?host=h&port=-1&room=r', 'port'],
    ['tincan://join?host=h&port=1.5&room=r', 'port'],
    ['tincan://join?host=h&port=&room=r', 'port'],
    ['tincan://join?host=h&port=80a&room=r', 'port'],
    ['tincan://join?host=h&port=1&room=', 'room'],
    [`tincan://join?host=h&port=1&room=${'x'.repeat(29)}`, 'room'],
    [`tincan://join?host=h&port=1&room=${'%C3%A9'.repeat(15)}`, 'room'],
    ['tincan://join?host=h&port=1&room=%20lobby', 'room'],
    ['tincan://join?host=h&port=1&room=a%0Ab', 'room'],
    [`${base}&fp=abc`, 'fingerprint'],
    [`${base}&fp=${'g'.repeat(64)}`, 'fingerprint'],
    [`${base}&fp=${'a'.repeat(63)}`, 'fingerprint'],
    [`${base}&fp=${'ab:'.repeat(31)}ab:`, 'fingerprint'],
    [`${base}&fp=`, 'fingerprint'],
    [`${base}&room=${'x'.repeat(LINK_MAX_LENGTH)}`, 'too-long'],
  ];
  for (const [link, problem] of bad) {
    it(`${problem}: ${link.slice(0, 80)}`, () => {
      expect(problemOf(link)).toBe(problem);
    });
  }

  it('says what is wrong in words', () => {
    expect(messageOf('https://x')).toBe('not a Tincan link: it must start with "tincan://"');
    expect(messageOf('tincan://host?x=1')).toBe('unknown link action "host" (expected "join")');
    expect(messageOf(`${base}&password=x`)).toBe('the link has an unknown parameter "password"');
    expect(messageOf(`${base}&port=1`)).toBe('the link gives "port" more than once');
    expect(messageOf('tincan://join?host=h&room=r')).toBe('the link has no port');
    expect(messageOf('tincan://join?host=h&port=99999&room=r')).toBe(
      'bad port in the link: "99999" is not a whole number from 1 to 65535',
    );
    expect(messageOf('tincan://join?host=fd00::1&port=1&room=r')).toBe(
      'bad host in the link: the IPv6 address "fd00::1" must be written in brackets, e.g. [fd00::1]',
    );
    expect(messageOf(`tincan://join?host=h&port=1&room=${'x'.repeat(29)}`)).toBe(
      'bad room in the link: the room name must be at most 28 bytes of UTF-8',
    );
    expect(messageOf(`${base}&v=9`)).toBe('the link is for a newer version of Tincan (link version 9); update the app');
    expect(messageOf('x'.repeat(2000))).toBe('the link is too long (2000 characters; at most 1024)');
  });

  it('gives every kind of problem its own message', () => {
    const messages = new Map<string, Set<string>>();
    for (const [link, problem] of bad) {
      const set = messages.get(problem) ?? new Set<string>();
      set.add(messageOf(link));
      messages.set(problem, set);
    }
    const all = [...messages.values()].flatMap((s) => [...s]);
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('looksLikeLink', () => {
  it('tells a link (even a broken one) from an address', () => {
    expect(looksLikeLink(' tincan://join?x')).toBe(true);
    expect(looksLikeLink('TINCAN:whatever')).toBe(true);
    expect(looksLikeLink('192.168.1.5:7777')).toBe(false);
  });
});
