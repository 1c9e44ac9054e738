// The room's catch-up ring: bounded, oldest first, filtered by sequence.
import { describe, expect, it } from 'vitest';
import { HistoryRing } from '../../src-main/engine/server/history-ring.js';

const entry = (n: number): Buffer => Buffer.from(`m${n}`);
const texts = (list: Buffer[]): string[] => list.map((b) => b.toString());

describe('HistoryRing', () => {
  it('keeps at most its capacity, dropping the oldest', () => {
    const ring = new HistoryRing(3);
    for (let n = 1; n <= 10; n++) ring.push(n, entry(n));
    expect(ring.size).toBe(3);
    expect(texts(ring.between(0, 10))).toEqual(['m8', 'm9', 'm10']);
  });

  it('returns only entries after `after` and up to `upTo`, in order', () => {
    const ring = new HistoryRing(5);
    for (let n = 1; n <= 4; n++) ring.push(n, entry(n));
    expect(texts(ring.between(1, 3))).toEqual(['m2', 'm3']);
    expect(ring.between(4, 4)).toEqual([]);
    expect(new HistoryRing(2).between(0, 100)).toEqual([]);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new HistoryRing(0)).toThrow(RangeError);
  });
});
