import { describe, expect, it } from 'vitest';
import { HeightIndex } from '../height-index.js';

/** The obvious O(n) model the index must agree with. */
function naiveTop(heights: number[], position: number): number {
  return heights.slice(0, position).reduce((a, b) => a + b, 0);
}

describe('HeightIndex', () => {
  it('gives tops, total and the row at an offset, with estimates then measurements', () => {
    const index = new HeightIndex(50);
    index.extendTo(4);
    expect(index.total()).toBe(200);
    expect(index.top(2)).toBe(100);
    expect(index.set(1, 80)).toBe(30);
    expect(index.isMeasured(1)).toBe(true);
    expect(index.isMeasured(2)).toBe(false);
    expect(index.top(2)).toBe(130);
    expect(index.at(0)).toBe(0);
    expect(index.at(49)).toBe(0);
    expect(index.at(50)).toBe(1);
    expect(index.at(129)).toBe(1);
    expect(index.at(130)).toBe(2);
    expect(index.at(10_000)).toBe(3);
  });

  it('agrees with a plain sum through growth, random measurements, trimming and compaction', () => {
    const index = new HeightIndex(40);
    const heights: number[] = [];
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let start = 0;
    for (let round = 0; round < 40; round++) {
      const end = heights.length + 500;
      index.extendTo(end);
      while (heights.length < end) heights.push(40);
      for (let k = 0; k < 200; k++) {
        const p = start + Math.floor(rand() * (heights.length - start));
        const h = 20 + Math.floor(rand() * 200);
        index.set(p, h);
        heights[p] = h;
      }
      start = Math.max(0, heights.length - 3000);
      index.trimTo(start);
      for (let p = 0; p < start; p++) heights[p] = 0;
      for (let k = 0; k < 20; k++) {
        const p = start + Math.floor(rand() * (heights.length - start));
        expect(index.top(p)).toBe(naiveTop(heights, p));
        const y = naiveTop(heights, p) + 1;
        expect(index.at(y)).toBe(p);
      }
      expect(index.total()).toBe(naiveTop(heights, heights.length));
    }
    expect(index.start).toBe(start);
  });

  it('puts older rows before the first, keeping measured heights, and says how much was added above', () => {
    const index = new HeightIndex(50);
    index.extendTo(3);
    index.set(0, 20);
    index.set(2, 70);
    // Below position 0, across the tree's first growth.
    expect(index.prependTo(-1500)).toBe(1500 * 50);
    expect(index.start).toBe(-1500);
    // The old first row gets a neighbour above (its separator or header may go): measured again.
    expect(index.isMeasured(0)).toBe(false);
    expect(index.isMeasured(2)).toBe(true);
    expect(index.isMeasured(-1)).toBe(false);
    expect(index.height(2)).toBe(70);
    expect(index.top(0)).toBe(1500 * 50);
    expect(index.total()).toBe(1500 * 50 + 20 + 50 + 70);
    expect(index.at(0)).toBe(-1500);
    expect(index.at(1500 * 50 + 10)).toBe(0);
    index.set(-1500, 10);
    expect(index.top(0)).toBe(1499 * 50 + 10);
    expect(index.prependTo(-1500)).toBe(0);
  });

  it('revives trimmed rows when older ones come back before them', () => {
    const index = new HeightIndex(10);
    index.extendTo(6);
    index.trimTo(4);
    expect(index.top(6)).toBe(20);
    expect(index.prependTo(2)).toBe(20);
    expect(index.total()).toBe(40);
    expect(index.at(0)).toBe(2);
  });
});
