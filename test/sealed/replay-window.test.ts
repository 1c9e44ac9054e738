import { describe, expect, it } from 'vitest';
import { ReplayWindow } from '../../src-main/engine/sealed/replay-window.js';

function accept(w: ReplayWindow, c: number): boolean {
  if (!w.fresh(c)) return false;
  w.accept(c);
  return true;
}

describe('replay window', () => {
  it('accepts counter 0 first, then refuses it', () => {
    const w = new ReplayWindow();
    expect(accept(w, 0)).toBe(true);
    expect(accept(w, 0)).toBe(false);
  });

  it('accepts late datagrams inside the window exactly once, in any order', () => {
    const w = new ReplayWindow();
    expect(accept(w, 100)).toBe(true);
    for (const c of [99, 50, 98, 3]) expect(accept(w, c)).toBe(true);
    for (const c of [99, 50, 98, 3, 100]) expect(accept(w, c)).toBe(false);
    expect(accept(w, 101)).toBe(true);
    expect(accept(w, 97)).toBe(true);
  });

  it('refuses what fell out of the 1024-bit window, accepts the oldest still inside', () => {
    const w = new ReplayWindow();
    accept(w, 2000);
    expect(w.fresh(2000 - 1024)).toBe(false);
    expect(accept(w, 2000 - 1023)).toBe(true);
    expect(accept(w, 2000 - 1023)).toBe(false);
  });

  it('keeps marks across shifts that are and are not multiples of 32', () => {
    const w = new ReplayWindow();
    for (const c of [5, 37, 38, 70]) accept(w, c);
    accept(w, 70 + 33); // shift by 33
    accept(w, 70 + 33 + 64); // shift by 64
    for (const c of [5, 37, 38, 70, 103, 167]) expect(w.fresh(c)).toBe(false);
    for (const c of [6, 36, 39, 69, 104, 166]) expect(w.fresh(c)).toBe(true);
  });

  it('forgets everything after a jump beyond the window', () => {
    const w = new ReplayWindow();
    accept(w, 10);
    accept(w, 10 + 5000);
    expect(w.fresh(10)).toBe(false); // too old now
    expect(w.fresh(5009)).toBe(true);
    expect(w.fresh(5010)).toBe(false);
  });

  it('agrees with a plain set of accepted counters over random steps, late ones and jumps', () => {
    const w = new ReplayWindow();
    const seen = new Set<number>();
    let top = -1;
    let state = 12345;
    const random = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    for (let i = 0; i < 50_000; i++) {
      const pick = random(10);
      // Mostly the next counter; else a late one (some outside the window) or a jump of any size.
      const c =
        pick < 4 ? top + 1 : pick < 8 ? Math.max(0, top - random(1_100)) : top + 2 + random(pick === 8 ? 3 : 1_100);
      const expected = !seen.has(c) && (c > top || top - c < ReplayWindow.SIZE);
      expect(accept(w, c)).toBe(expected);
      if (expected) {
        seen.add(c);
        top = Math.max(top, c);
      }
    }
  });

  it('works near the largest counter a number holds exactly', () => {
    const w = new ReplayWindow();
    const big = Number.MAX_SAFE_INTEGER - 2_000;
    expect(accept(w, big)).toBe(true);
    expect(accept(w, big + 3)).toBe(true);
    expect(accept(w, big + 1)).toBe(true);
    expect(accept(w, big + 1)).toBe(false);
    expect(accept(w, big + 2)).toBe(true);
    expect(w.fresh(big + 3 - 1024)).toBe(false);
    expect(w.fresh(big + 3 - 1023)).toBe(true);
  });
});
