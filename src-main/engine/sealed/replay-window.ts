// Which counters of one sender's key were already accepted: the highest one and a 1024-bit window
// below it. The bits form a ring indexed by counter mod 1024 (RFC 6479's idea), so the usual step —
// the next counter — clears one bit and sets one, instead of shifting every word per datagram.
// Checked before the tag is verified, updated only after, so a forged datagram can never move it.
const WINDOW_BITS = 1024;
const WORDS = WINDOW_BITS / 32;

export class ReplayWindow {
  /** Highest accepted counter; -1 before the first. */
  private top = -1;
  /** Bit (c mod 1024) set when counter c was accepted, for c in (top - 1024, top]. */
  private readonly bits = new Uint32Array(WORDS);

  static readonly SIZE = WINDOW_BITS;

  /** Whether `counter` may still be accepted: newer than any seen, or in the window and unseen. */
  fresh(counter: number): boolean {
    if (counter > this.top) return true;
    if (this.top - counter >= WINDOW_BITS) return false;
    const at = counter % WINDOW_BITS; // counters stay below 2^53: exact
    return ((this.bits[at >>> 5] as number) & (1 << (at & 31))) === 0;
  }

  /** Marks `counter` accepted; call only after its datagram authenticated (and `fresh` said yes). */
  accept(counter: number): void {
    if (counter > this.top) {
      // The positions of the counters skipped over still hold marks from a window ago: clear them.
      const skipped = counter - this.top - 1;
      if (this.top < 0 || skipped >= WINDOW_BITS) this.bits.fill(0);
      else if (skipped > 0) this.clear((this.top + 1) % WINDOW_BITS, skipped);
      this.top = counter;
    }
    const at = counter % WINDOW_BITS;
    this.bits[at >>> 5] = (this.bits[at >>> 5] as number) | (1 << (at & 31));
    // `counter`'s own position held counter − 1024's mark, which is outside the window now.
  }

  /** Clears `count` (< 1024) ring positions from `at` on, whole words where they fit. */
  private clear(at: number, count: number): void {
    const bits = this.bits;
    while (count > 0) {
      if ((at & 31) === 0 && count >= 32) {
        bits[at >>> 5] = 0;
        at = (at + 32) % WINDOW_BITS;
        count -= 32;
        continue;
      }
      bits[at >>> 5] = (bits[at >>> 5] as number) & ~(1 << (at & 31));
      at = (at + 1) % WINDOW_BITS;
      count--;
    }
  }
}
