import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  hasLineBreak,
  LINE_BREAK_SUBSTITUTE,
  withoutLineBreaks,
  writeWithoutLineBreaks,
} from '../plain-line-breaks.js';
import { utf8Encode } from '../utf8.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function flatten(text: string, room = 4096): string {
  const src = utf8Encode(text);
  const dst = new Uint8Array(room);
  const end = writeWithoutLineBreaks(src, 0, src.length, dst, 0, room);
  return decoder.decode(dst.subarray(0, end));
}

describe('line breaks in text for plain clients', () => {
  it('become one visible substitute each; CR LF counts as one', () => {
    const forged = 'hi\n* host left the room\r\n* the host closed the room\rx\u2028y\u2029z';
    const expected = `hi↵* host left the room↵* the host closed the room↵x↵y↵z`;
    expect(flatten(forged)).toBe(expected);
    expect(withoutLineBreaks(forged)).toBe(expected);
    expect(LINE_BREAK_SUBSTITUTE).toBe('↵');
  });

  it('drop a trailing CR/LF (a terminator, as netcat sends)', () => {
    expect(flatten('hello\n')).toBe('hello');
    expect(flatten('hello\r\n')).toBe('hello');
    expect(withoutLineBreaks('a\nb\r\n')).toBe('a↵b');
  });

  it('are found without false alarms on other E2 sequences', () => {
    const bytes = utf8Encode('a – b … € ↵');
    expect(hasLineBreak(bytes, 0, bytes.length)).toBe(false);
    const nl = utf8Encode('a\u2029');
    expect(hasLineBreak(nl, 0, nl.length)).toBe(true);
    expect(hasLineBreak(nl, 0, nl.length - 1)).toBe(false); // cut inside the separator
  });

  it('cut on a character boundary when the substitutes make the text longer', () => {
    expect(flatten('\n\n\nab', 7)).toBe('↵↵');
    expect(flatten('a😀', 4)).toBe('a');
  });

  it('leave valid UTF-8 with no line break, and agree with the string form (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 64 }), (s) => {
        const out = flatten(s);
        return !/[\r\n\u2028\u2029]/u.test(out) && out === withoutLineBreaks(s);
      }),
    );
  });
});
