import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkRoomName, checkUsername, describeNameProblem, nameKey, visibleName } from '../names.js';
import { USERNAME_MAX_BYTES } from '../limits.js';

describe('the name rule', () => {
  it('refuses bidi controls, in user and room names', () => {
    for (const c of ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069']) {
      expect(checkUsername(`${c}ecila`)).toBe('invisible-character');
      expect(checkRoomName(`lob${c}by`)).toBe('invisible-character');
    }
  });

  it('refuses zero-width and other invisible characters, alone or inside a name', () => {
    for (const c of ['\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u2060', '\ufeff', '\u00ad', '\u034f']) {
      expect(checkUsername(c)).toBe('invisible-character');
      expect(checkUsername(`al${c}ice`)).toBe('invisible-character');
    }
    expect(checkUsername('\u3164')).toBe('invisible-character'); // Hangul filler
    expect(checkUsername('\u2800')).toBe('invisible-character'); // braille blank
    expect(checkUsername('x\u{e0041}')).toBe('invisible-character'); // tag character
    expect(checkUsername('x\ufe0f')).toBe('invisible-character'); // variation selector on a letter
  });

  it('accepts emoji, including presentation selectors and joined sequences', () => {
    for (const name of ['❤️', '🏳️‍🌈', '👨‍👩‍👧', '👍🏽', '😀'.repeat(8), 'ana 🙂']) expect(checkUsername(name)).toBeNull();
  });

  it('refuses names that would forge plain-dialect lines', () => {
    expect(checkUsername('* p1 left the room')).toBe('notice-prefix');
    expect(checkUsername('*bob')).toBe('notice-prefix');
    expect(checkUsername('host: hi')).toBe('line-separator');
    expect(checkRoomName('a: b')).toBe('line-separator');
    expect(checkUsername('a*b')).toBeNull();
    expect(checkUsername('12:30')).toBeNull();
  });

  it('refuses line breaks and controls', () => {
    for (const c of ['\n', '\r', '\t', '\u0000', '\u0085', '\u2028', '\u2029'])
      expect(checkUsername(`a${c}b`)).toBe('control-character');
  });

  it('accepts ordinary names in many scripts', () => {
    for (const name of ['alice', 'José', 'Ådne', 'Иван', 'Σωκράτης', '李小龍', 'محمد', 'שלום', 'o\u0301la'])
      expect(checkUsername(name)).toBeNull();
  });

  it('says what is wrong in words', () => {
    expect(describeNameProblem('The display name', 'invisible-character', USERNAME_MAX_BYTES)).toBe(
      'The display name must not contain invisible or text-direction characters',
    );
    expect(describeNameProblem('The display name', 'notice-prefix', USERNAME_MAX_BYTES)).toContain('"*"');
  });
});

describe('nameKey: names that look the same compare equal', () => {
  it('folds case, NFC vs NFD, compatibility forms and look-alike letters', () => {
    expect(nameKey('Alice')).toBe(nameKey('alice'));
    expect(nameKey('ALICE')).toBe(nameKey('alice'));
    expect(nameKey('Jos\u00e9')).toBe(nameKey('Jose\u0301'));
    expect(nameKey('\uff41lice')).toBe(nameKey('alice')); // full-width a
    expect(nameKey('\u0430lice')).toBe(nameKey('alice')); // Cyrillic a
    expect(nameKey('\u03bfscar')).toBe(nameKey('oscar')); // Greek omicron
    expect(nameKey('straße')).toBe(nameKey('STRASSE'));
    expect(nameKey('❤️')).toBe(nameKey('❤'));
  });

  it('keeps different names apart', () => {
    expect(nameKey('alice')).not.toBe(nameKey('alicia'));
    expect(nameKey('José')).not.toBe(nameKey('Jose'));
    expect(nameKey('李')).not.toBe(nameKey('季'));
  });

  it('folds capital sharp s all the way: ẞ, ß and ss are one name, and the key is its own key', () => {
    expect(nameKey('STRAẞE')).toBe('strasse');
    expect(nameKey('Straße')).toBe('strasse');
    expect(nameKey(nameKey('ẞ'))).toBe(nameKey('ẞ'));
  });

  it('is idempotent and case-insensitive (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 16 }), (s) => {
        const k = nameKey(s);
        return nameKey(k) === k && nameKey(s.toUpperCase()) === nameKey(s.toLowerCase());
      }),
    );
  });
});

describe('visibleName: a name from a server that does not keep the rule', () => {
  it('marks each control, bidi or invisible character with U+FFFD', () => {
    expect(visibleName('\u202eecila')).toBe('\uFFFDecila');
    expect(visibleName('\u200b\u200b')).toBe('\uFFFD\uFFFD');
    expect(visibleName('a\nb\u2028c')).toBe('a\uFFFDb\uFFFDc');
    expect(visibleName('bob\u2066x\ufeff')).toBe('bob\uFFFDx\uFFFD');
  });

  it('returns every name the rule accepts unchanged (property)', () => {
    for (const name of ['alice', 'שלום', 'José', '👩\u200d💻', '👍\ufe0f', '中文'])
      expect(visibleName(name)).toBe(name);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 16 }), (s) =>
        checkUsername(s) === null ? visibleName(s) === s : true,
      ),
    );
  });

  it('leaves no character the rule refuses as hidden (property)', () => {
    fc.assert(
      // At most 8 code points: 32 bytes, so the length check never answers first.
      fc.property(fc.string({ unit: 'binary', maxLength: 8 }), (s) => {
        const shown = visibleName(s);
        const problem = checkUsername(shown.length > 0 ? shown : 'x');
        return problem !== 'control-character' && problem !== 'invisible-character';
      }),
    );
  });
});
