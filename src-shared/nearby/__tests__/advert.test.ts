import { describe, expect, it } from 'vitest';
import { utf8ByteLength, utf8Encode } from '../../protocol/utf8.js';
import {
  decodeAdvertTxt,
  encodeAdvertTxt,
  INSTANCE_LABEL_MAX_BYTES,
  instanceLabel,
  TXT_MAX_BYTES,
  truncateUtf8,
} from '../advert.js';

const FP = 'ab'.repeat(32);
const bytes = (...entries: string[]): Uint8Array[] => entries.map((e) => utf8Encode(e));

describe('TXT record', () => {
  it('puts the version first, never a password, and round-trips', () => {
    const advert = { room: 'lobby', passwordRequired: true, fingerprint: FP };
    const txt = encodeAdvertTxt(advert);
    expect(txt).toEqual(['v=1', 'room=lobby', 'pw=1', `fp=${FP}`]);
    expect(decodeAdvertTxt(bytes(...txt))).toEqual(advert);
    expect(decodeAdvertTxt(bytes(...encodeAdvertTxt({ ...advert, fingerprint: null })))).toEqual({
      ...advert,
      fingerprint: null,
    });
  });

  it('stays within 200 bytes for the longest room name and a fingerprint', () => {
    const txt = encodeAdvertTxt({ room: '房'.repeat(9), passwordRequired: false, fingerprint: FP });
    expect(txt.reduce((n, e) => n + 1 + utf8ByteLength(e), 0)).toBeLessThanOrEqual(TXT_MAX_BYTES);
  });

  it('refuses a malformed fingerprint when encoding', () => {
    expect(() => encodeAdvertTxt({ room: 'a', passwordRequired: false, fingerprint: 'AB'.repeat(32) })).toThrow();
  });

  it.each([
    ['no version first', bytes('room=lobby', 'v=1', 'pw=0'), 'no-version'],
    ['another version', bytes('v=2', 'room=lobby', 'pw=0'), 'other-version'],
    ['no room', bytes('v=1', 'pw=0'), 'bad-room'],
    ['a room the name rule refuses', bytes('v=1', 'room=\u202elobby', 'pw=0'), 'bad-room'],
    ['a room name too long', bytes('v=1', `room=${'x'.repeat(29)}`, 'pw=0'), 'bad-room'],
    ['a missing flag', bytes('v=1', 'room=lobby'), 'bad-flag'],
    ['a bad flag', bytes('v=1', 'room=lobby', 'pw=yes'), 'bad-flag'],
    ['a bad fingerprint', bytes('v=1', 'room=lobby', 'pw=0', 'fp=xyz'), 'bad-fp'],
    ['invalid UTF-8', [utf8Encode('v=1'), new Uint8Array([0x72, 0x3d, 0xff])], 'bad-entry'],
    ['an empty key', bytes('v=1', '=x'), 'bad-entry'],
    ['too many entries', bytes('v=1', ...Array.from({ length: 20 }, (_, i) => `k${i}=1`)), 'too-big'],
    ['too many bytes', bytes('v=1', `x=${'y'.repeat(250)}`), 'too-big'],
  ])('refuses %s', (_what, txt, problem) => {
    expect(decodeAdvertTxt(txt)).toBe(problem);
  });

  it('reads keys case-insensitively, keeps the first of a repeated key and skips unknown keys', () => {
    expect(decodeAdvertTxt(bytes('V=1', 'ROOM=first', 'room=second', 'pw=0', 'future=x'))).toEqual({
      room: 'first',
      passwordRequired: false,
      fingerprint: null,
    });
  });
});

describe('instance label', () => {
  it('is "room (host-id)", with a counter after a conflict', () => {
    expect(instanceLabel('lobby', 'alice-laptop')).toBe('lobby (alice-laptop)');
    expect(instanceLabel('lobby', 'alice-laptop', 2)).toBe('lobby (alice-laptop) #2');
  });

  it('fits 63 bytes without splitting a character, keeping the whole room name', () => {
    const room = '🎉'.repeat(7);
    const label = instanceLabel(room, 'ü'.repeat(40), 12);
    expect(utf8ByteLength(label)).toBeLessThanOrEqual(INSTANCE_LABEL_MAX_BYTES);
    expect(label.startsWith(`${room} (`)).toBe(true);
    expect(label.endsWith(') #12')).toBe(true);
    expect(label).not.toContain('\ufffd');
  });

  it('replaces dots, which would split the DNS label', () => {
    expect(instanceLabel('v1.2', 'host.lan')).toBe('v1-2 (host-lan)');
  });

  it('truncates on code point boundaries', () => {
    expect(truncateUtf8('a🎉b', 4)).toBe('a');
    expect(truncateUtf8('a🎉b', 5)).toBe('a🎉');
  });
});
