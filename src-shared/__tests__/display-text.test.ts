import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { plainDisplayText } from '../display-text.js';

describe('plainDisplayText (notifications)', () => {
  it('removes bidi overrides and invisible characters', () => {
    expect(plainDisplayText('\u202eecila', 50)).toBe('ecila');
    expect(plainDisplayText('https://evil.example/\u202efdp.exe.moc.elgoog', 80)).toBe(
      'https://evil.example/fdp.exe.moc.elgoog',
    );
    expect(plainDisplayText('a\u200bb\u2066c\u2069d\ufeff', 50)).toBe('abcd');
  });

  it('makes one line: breaks and controls never reach the notification', () => {
    expect(plainDisplayText('hi\n* host left the room\r\nbye\u2028x\u2029y', 80)).toBe(
      'hi * host left the room bye x y',
    );
    expect(plainDisplayText('bell\u0007 esc\u001b[31mred', 80)).toBe('bell esc[31mred');
    expect(plainDisplayText('  lots   of\t\tspace  ', 80)).toBe('lots of space');
  });

  it('bounds the length in characters, never splitting one', () => {
    expect(plainDisplayText('x'.repeat(500), 200)).toHaveLength(200);
    expect(plainDisplayText('x'.repeat(500), 200).endsWith('…')).toBe(true);
    expect(plainDisplayText('😀'.repeat(10), 5)).toBe('😀😀😀😀…');
    expect(plainDisplayText('short', 200)).toBe('short');
  });

  it('always yields a bounded line without controls or invisibles (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.integer({ min: 1, max: 120 }), (s, n) => {
        const out = plainDisplayText(s, n);
        return (
          Array.from(out).length <= n &&
          // eslint-disable-next-line no-control-regex -- the property is about control characters
          !/[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Default_Ignorable_Code_Point}]/u.test(out)
        );
      }),
    );
  });
});
