// The room's catch-up ring: bounded, oldest first, filtered by sequence.
import { describe, expect, it } from 'vitest';
import { HistoryRing } from '../../src-main/engine/server/history-ring.js';

/** Keeps `m<n>` as seq n, the way the relay writes an entry. */
function keep(ring: HistoryRing, n: number): void {
  const text = `m${n}`;
  ring.reserve(text.length).write(text);
  ring.commit(n, text.length);
}
const texts = (list: Buffer[]): string[] => list.map((b) => b.toString());

describe('HistoryRing', () => {
  it('keeps at most its capacity, dropping the oldest', () => {
    const ring = new HistoryRing(3);
    for (let n = 1; n <= 10; n++) keep(ring, n);
    expect(ring.size).toBe(3);
    expect(texts(ring.between(0, 10))).toEqual(['m8', 'm9', 'm10']);
  });

  it('returns only entries after `after` and up to `upTo`, in order', () => {
    const ring = new HistoryRing(5);
    for (let n = 1; n <= 4; n++) keep(ring, n);
    expect(texts(ring.between(1, 3))).toEqual(['m2', 'm3']);
    expect(ring.between(4, 4)).toEqual([]);
    expect(new HistoryRing(2).between(0, 100)).toEqual([]);
  });

  it('reuses a slot buffer once round, and hands out copies that later writes do not touch', () => {
    const ring = new HistoryRing(2);
    const firstSlot = ring.reserve(2);
    keep(ring, 1);
    keep(ring, 2);
    const [copy] = ring.between(0, 1);
    expect(ring.reserve(2)).toBe(firstSlot); // round again: m1's buffer is written over, not replaced
    keep(ring, 3);
    expect(copy?.toString()).toBe('m1');
    expect(texts(ring.between(0, 3))).toEqual(['m2', 'm3']);
    expect(ring.reserve(500).length).toBeGreaterThanOrEqual(500); // a longer message gets a bigger slot
  });

  it('refuses a capacity below 1', () => {
    expect(() => new HistoryRing(0)).toThrow(RangeError);
  });
});
