import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { truncateUtf8, utf8ByteLength, utf8Encode } from '../utf8.js';
import { checkRoomName, checkUsername } from '../names.js';
import { parsePlainLine, plainClosedNotice, plainJoinedNotice } from '../plain-text.js';

describe('UTF-8 helpers', () => {
  it('count bytes of 1- to 4-byte characters', () => {
    expect(utf8ByteLength('a')).toBe(1);
    expect(utf8ByteLength('é')).toBe(2);
    expect(utf8ByteLength('中')).toBe(3);
    expect(utf8ByteLength('😀')).toBe(4);
  });
  it('agree with TextEncoder on any string (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => utf8ByteLength(s) === utf8Encode(s).length));
  });
  it('truncate on a character boundary', () => {
    expect(truncateUtf8('a😀b', 4)).toBe('a');
    expect(truncateUtf8('a😀b', 5)).toBe('a😀');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.integer({ min: 0, max: 50 }), (s, n) => {
        const t = truncateUtf8(s, n);
        return utf8Encode(t).length <= n && s.startsWith(t);
      }),
    );
  });
});

describe('names', () => {
  it('room names are 1..28 bytes', () => {
    expect(checkRoomName('x'.repeat(28))).toBeNull();
    expect(checkRoomName('x'.repeat(29))).toBe('too-long');
    expect(checkRoomName('中'.repeat(9))).toBe(null); // 27 bytes
    expect(checkRoomName('中'.repeat(10))).toBe('too-long'); // 30 bytes
    expect(checkRoomName('')).toBe('empty');
  });
  it('usernames refuse control characters and surrounding space', () => {
    expect(checkUsername('bob')).toBeNull();
    expect(checkUsername('bo\nb')).toBe('control-character');
    expect(checkUsername('bo\u0085b')).toBe('control-character');
    expect(checkUsername(' bob')).toBe('surrounding-space');
    expect(checkUsername('x'.repeat(33))).toBe('too-long');
    expect(checkUsername('😀'.repeat(8))).toBeNull();
  });
});

describe('plain dialect lines', () => {
  it('parse chat lines and notices', () => {
    expect(parsePlainLine('alice: hi: there')).toEqual({ kind: 'chat', sender: 'alice', text: 'hi: there' });
    expect(parsePlainLine(plainJoinedNotice('bob'))).toEqual({ kind: 'notice', text: 'bob joined the room' });
    expect(parsePlainLine(plainClosedNotice(0))).toEqual({ kind: 'notice', text: 'the host closed the room' });
    expect(parsePlainLine('just text')).toEqual({ kind: 'text', text: 'just text' });
  });
});
