import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CONTROL_SUBSTITUTE,
  forPlainMembers,
  LINE_BREAK_SUBSTITUTE,
  needsPlainRewrite,
  writeForPlainMembers,
} from '../plain-line-breaks.js';
import { utf8Encode } from '../utf8.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function flatten(text: string, room = 4096): string {
  const src = utf8Encode(text);
  const dst = new Uint8Array(room);
  const end = writeForPlainMembers(src, 0, src.length, dst, 0, room);
  return decoder.decode(dst.subarray(0, end));
}

// What a terminal would act on rather than print: every control but TAB, and the Unicode separators.
// eslint-disable-next-line no-control-regex -- spotting control characters is the point
const TERMINAL_CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/u;

describe('line breaks in text for plain clients', () => {
  it('become one visible substitute each; CR LF counts as one', () => {
    const forged = 'hi\n* host left the room\r\n* the host closed the room\rx\u2028y\u2029z';
    const expected = `hi↵* host left the room↵* the host closed the room↵x↵y↵z`;
    expect(flatten(forged)).toBe(expected);
    expect(forPlainMembers(forged)).toBe(expected);
    expect(LINE_BREAK_SUBSTITUTE).toBe('↵');
  });

  it('include VT, FF and NEL, which terminals also move down a line for', () => {
    expect(flatten('a\u000bb\u000cc\u0085d')).toBe('a↵b↵c↵d');
    expect(forPlainMembers('a\u000bb\u000cc\u0085d')).toBe('a↵b↵c↵d');
  });

  it('drop a trailing CR/LF (a terminator, as netcat sends)', () => {
    expect(flatten('hello\n')).toBe('hello');
    expect(flatten('hello\r\n')).toBe('hello');
    expect(forPlainMembers('a\nb\r\n')).toBe('a↵b');
  });

  it('are found without false alarms on other E2 and C2 sequences', () => {
    const bytes = utf8Encode('a – b … € ↵ é £ ©\tc');
    expect(needsPlainRewrite(bytes, 0, bytes.length)).toBe(false);
    const nl = utf8Encode('a\u2029');
    expect(needsPlainRewrite(nl, 0, nl.length)).toBe(true);
    expect(needsPlainRewrite(nl, 0, nl.length - 1)).toBe(false); // cut inside the separator
  });

  it('cut on a character boundary when the substitutes make the text longer', () => {
    expect(flatten('\n\n\nab', 7)).toBe('↵↵');
    expect(flatten('a😀', 4)).toBe('a');
  });
});

describe('terminal controls in text for plain clients', () => {
  it('become U+FFFD, so nothing moves back over "name: " or rewrites the line', () => {
    const backspaces = '\b'.repeat(9) + '* the host closed the room';
    expect(flatten(backspaces)).toBe(`${CONTROL_SUBSTITUTE.repeat(9)}* the host closed the room`);
    expect(flatten('\u001b[2K\u001b[G* x')).toBe('\ufffd[2K\ufffd[G* x');
    expect(flatten('a\u009b2Kb\u007fc\u0000')).toBe('a\ufffd2Kb\ufffdc\ufffd');
    expect(forPlainMembers('\u001b[2K\b* x')).toBe('\ufffd[2K\ufffd* x');
  });

  it('leave TAB as it is', () => {
    expect(flatten('a\tb')).toBe('a\tb');
    const tab = utf8Encode('a\tb');
    expect(needsPlainRewrite(tab, 0, tab.length)).toBe(false);
  });

  it('leave valid UTF-8 with no line break or control, and agree with the string form (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (s) => {
        const out = flatten(s);
        return !TERMINAL_CONTROL.test(out) && out === forPlainMembers(s);
      }),
    );
  });
});
