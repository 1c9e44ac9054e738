// The relay's offset-based byte helpers: they replace Buffer views in the hot path, so they must
// agree with what the views gave.
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyBytes, isUtf8Span } from '../../src-main/engine/server/bytes.js';
import { tokenKey } from '../../src-main/engine/server/token.js';

describe('isUtf8Span', () => {
  it('checks only [start, end): ASCII, multi-byte, and invalid bytes around the span', () => {
    const good = Buffer.concat([Buffer.from([0xff, 0xff]), Buffer.from('hello wörld ✓ 🎉'), Buffer.from([0xff])]);
    expect(isUtf8Span(good, 2, good.length - 1)).toBe(true);
    expect(isUtf8Span(good, 0, good.length - 1)).toBe(false);
    expect(isUtf8Span(good, 2, good.length)).toBe(false);
    expect(isUtf8Span(good, 5, 5)).toBe(true); // empty
    // A multi-byte character cut by `end` is not valid.
    const cut = good.indexOf(Buffer.from('🎉'));
    expect(isUtf8Span(good, 2, cut + 2)).toBe(false);
  });

  it('agrees with isUtf8 on the same bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(30), fc.nat(30), (bytes, before, after) => {
        const buffer = Buffer.alloc(before + bytes.length + after, 0xff);
        buffer.set(bytes, before);
        expect(isUtf8Span(buffer, before, before + bytes.length)).toBe(isUtf8(bytes));
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (s) => {
        const bytes = Buffer.from(s, 'utf8');
        expect(isUtf8Span(bytes, 0, bytes.length)).toBe(true);
      }),
    );
  });
});

describe('copyBytes', () => {
  it('copies short spans (loop) and long spans (Buffer#copy) exactly', () => {
    for (const length of [0, 1, 64, 512, 513, 4000]) {
      const src = Buffer.alloc(length + 20);
      for (let i = 0; i < src.length; i++) src[i] = (i * 7) & 0xff;
      const dst = Buffer.alloc(length + 10, 0xee);
      copyBytes(src, 10, 10 + length, dst, 5);
      expect(dst.subarray(5, 5 + length).equals(src.subarray(10, 10 + length))).toBe(true);
      expect([...dst.subarray(0, 5)]).toEqual([0xee, 0xee, 0xee, 0xee, 0xee]);
      expect([...dst.subarray(5 + length)]).toEqual([0xee, 0xee, 0xee, 0xee, 0xee]);
    }
  });
});

describe('tokenKey', () => {
  it('is a small integer (no heap number) that depends only on the first 6 bytes at the offset', () => {
    const token = Buffer.from('xxAbCdEf-_restOfTheToken0123456789');
    const key = tokenKey(token, 2);
    expect(Number.isInteger(key)).toBe(true);
    expect(key).toBeGreaterThanOrEqual(0);
    expect(key).toBeLessThan(2 ** 30);
    expect(tokenKey(Buffer.from('AbCdEf-and-something-else'), 0)).toBe(key);
    expect(tokenKey(Buffer.from('AbCdEg'), 0)).not.toBe(key);
  });
});
