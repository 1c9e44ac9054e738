// Which counters of one sender's key were already accepted: the highest one and a 1024-bit window
// below it (RFC 6479's idea, without its block trick: 1024 bits is 32 words). Checked before the tag
// is verified, updated only after, so a forged datagram can never move the window.
const WINDOW_BITS = 1024;
const WORDS = WINDOW_BITS / 32;

export class ReplayWindow {
  /** Highest accepted counter; -1 before the first. */
  private top = -1;
  /** Bit (top - c) set when counter c was accepted, for c in (top - 1024, top]. */
  private readonly bits = new Uint32Array(WORDS);

  static readonly SIZE = WINDOW_BITS;

  /** Whether `counter` may still be accepted: newer than any seen, or in the window and unseen. */
  fresh(counter: number): boolean {
    if (counter > this.top) return true;
    const age = this.top - counter;
    if (age >= WINDOW_BITS) return false;
    return ((this.bits[age >>> 5] as number) & (1 << (age & 31))) === 0;
  }

  /** Marks `counter` accepted; call only after its datagram authenticated (and `fresh` said yes). */
  accept(counter: number): void {
    if (counter > this.top) {
      this.shift(this.top < 0 ? WINDOW_BITS : counter - this.top);
      this.top = counter;
      this.bits[0] = (this.bits[0] as number) | 1;
      return;
    }
    const age = this.top - counter;
    this.bits[age >>> 5] = (this.bits[age >>> 5] as number) | (1 << (age & 31));
  }

  /** Ages every mark by `by` positions; marks older than the window fall off. */
  private shift(by: number): void {
    const bits = this.bits;
    if (by >= WINDOW_BITS) {
      bits.fill(0);
      return;
    }
    const words = by >>> 5;
    const rest = by & 31;
    for (let i = WORDS - 1; i >= 0; i--) {
      const from = i - words;
      const lower = from >= 0 ? (bits[from] as number) : 0;
      const below = from - 1 >= 0 ? (bits[from - 1] as number) : 0;
      bits[i] = rest === 0 ? lower : ((lower << rest) | (below >>> (32 - rest))) >>> 0;
    }
  }
}
