// The room's catch-up ring: bounded, oldest first, filtered by sequence, short entries in one arena.
import { describe, expect, it } from 'vitest';
import { HISTORY_SLOT_BYTES, HistoryRing } from '../../src-main/engine/server/history-ring.js';

/** Keeps `text` as seq n, the way the relay writes an entry (at reservedAt). */
function keepText(ring: HistoryRing, n: number, text: string): void {
  ring.reserve(Buffer.byteLength(text)).write(text, ring.reservedAt);
  ring.commit(n, Buffer.byteLength(text));
}
const keep = (ring: HistoryRing, n: number): void => keepText(ring, n, `m${n}`);
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

  it('keeps short entries side by side in one buffer, growing it while the ring fills', () => {
    const ring = new HistoryRing(100);
    for (let n = 1; n <= 30; n++) keep(ring, n); // past the first arena's 8 slots, twice
    const arena = ring.reserve(10);
    expect(ring.reservedAt).toBe(30 * HISTORY_SLOT_BYTES);
    for (let n = 31; n <= 250; n++) keep(ring, n);
    // Once the ring is full, every short entry lands in the same buffer: no Buffer per message.
    expect(ring.reserve(HISTORY_SLOT_BYTES)).toBe(ring.reserve(1));
    expect(ring.reserve(1).length).toBe(100 * HISTORY_SLOT_BYTES);
    expect(arena.length).toBeLessThan(100 * HISTORY_SLOT_BYTES); // it grew on the way
    expect(texts(ring.between(0, 250))).toEqual(Array.from({ length: 100 }, (_, i) => `m${151 + i}`));
  });

  it('gives a longer entry its own buffer, reused by the next long entry in that slot', () => {
    const ring = new HistoryRing(2);
    const long = 'x'.repeat(HISTORY_SLOT_BYTES + 1);
    keepText(ring, 1, long);
    keep(ring, 2);
    const [copy] = ring.between(0, 1);
    keep(ring, 3); // a short entry over the long one's slot
    const own = ring.reserve(HISTORY_SLOT_BYTES + 50);
    expect(ring.reservedAt).toBe(0);
    expect(own.length).toBeGreaterThanOrEqual(HISTORY_SLOT_BYTES + 50);
    keepText(ring, 4, 'y'.repeat(HISTORY_SLOT_BYTES + 50));
    keepText(ring, 5, 'z'.repeat(HISTORY_SLOT_BYTES + 2));
    expect(ring.reserve(HISTORY_SLOT_BYTES + 2)).toBe(own); // round again: rewritten, not replaced
    expect(copy?.toString()).toBe(long); // copies are not touched by later writes
    expect(texts(ring.between(3, 5))).toEqual([
      'y'.repeat(HISTORY_SLOT_BYTES + 50),
      'z'.repeat(HISTORY_SLOT_BYTES + 2),
    ]);
  });

  it('mixes short and long entries in order', () => {
    const ring = new HistoryRing(4);
    const long = 'L'.repeat(400);
    keep(ring, 1);
    keepText(ring, 2, long);
    keep(ring, 3);
    keepText(ring, 4, long);
    keep(ring, 5);
    expect(texts(ring.between(0, 5))).toEqual([long, 'm3', long, 'm5']);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new HistoryRing(0)).toThrow(RangeError);
  });
});
