// A room's recent chat for late joiners: the last `capacity` messages, each kept as the catch-up
// datagram already encoded (FF 89 …), so adding one is a slot write and sending them is a loop of
// sends. Fixed size: the oldest entry is overwritten, never shifted.

export class HistoryRing {
  private readonly slots: (Buffer | undefined)[];
  private readonly seqs: Uint32Array;
  /** Index of the slot the next entry goes to. */
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`history capacity ${capacity}`);
    this.slots = new Array<Buffer | undefined>(capacity);
    this.seqs = new Uint32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Keeps `entry` (which the ring now owns) as room sequence `seq`. */
  push(seq: number, entry: Buffer): void {
    this.slots[this.next] = entry;
    this.seqs[this.next] = seq;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** The kept entries with after < seq ≤ upTo, oldest first. */
  between(after: number, upTo: number): Buffer[] {
    const out: Buffer[] = [];
    const first = (this.next - this.count + this.capacity) % this.capacity;
    for (let k = 0; k < this.count; k++) {
      const i = (first + k) % this.capacity;
      const seq = this.seqs[i] as number;
      if (seq > after && seq <= upTo) out.push(this.slots[i] as Buffer);
    }
    return out;
  }
}
