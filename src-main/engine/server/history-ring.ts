// A room's recent chat for late joiners: the last `capacity` messages, each kept as the catch-up
// datagram already encoded (FF 89 …). Each slot owns a buffer that the next message written there
// reuses when it fits, so once the ring has gone round, keeping a message allocates nothing: the
// relay's hot path stays O(1) and off V8's heap.

/** Slot buffers grow in steps of this many bytes, so slightly longer messages reuse them too. */
const SLOT_STEP = 128;

export class HistoryRing {
  private readonly slots: (Buffer | undefined)[];
  private readonly lengths: Uint16Array;
  private readonly seqs: Uint32Array;
  /** Index of the slot the next entry goes to. */
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`history capacity ${capacity}`);
    this.slots = new Array<Buffer | undefined>(capacity);
    this.lengths = new Uint16Array(capacity);
    this.seqs = new Uint32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** The buffer (≥ `bytes`, at most 65535) to write the next entry into; commit() keeps it. */
  reserve(bytes: number): Buffer {
    const slot = this.slots[this.next];
    if (slot !== undefined && slot.length >= bytes) return slot;
    // Its own memory, not a slice of Node's shared pool that a small view would keep alive.
    const fresh = Buffer.allocUnsafeSlow(Math.ceil(bytes / SLOT_STEP) * SLOT_STEP);
    this.slots[this.next] = fresh;
    return fresh;
  }

  /** Keeps the first `bytes` of the buffer reserve() gave as room sequence `seq`. */
  commit(seq: number, bytes: number): void {
    this.seqs[this.next] = seq;
    this.lengths[this.next] = bytes;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    if (this.count < this.capacity) this.count++;
  }

  /** Copies of the kept entries with after < seq ≤ upTo, oldest first (copies: slots are reused). */
  between(after: number, upTo: number): Buffer[] {
    const out: Buffer[] = [];
    const first = (this.next - this.count + this.capacity) % this.capacity;
    for (let k = 0; k < this.count; k++) {
      const i = (first + k) % this.capacity;
      const seq = this.seqs[i] as number;
      if (seq > after && seq <= upTo) out.push(Buffer.from((this.slots[i] as Buffer).subarray(0, this.lengths[i])));
    }
    return out;
  }
}
