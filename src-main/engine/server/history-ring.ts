// A room's recent chat for late joiners: the last `capacity` messages, each kept as the catch-up
// datagram already encoded (FF 89 …). Entries of up to SLOT_BYTES (nearly every chat line) live in
// one arena per room, slot i at i × SLOT_BYTES; a longer one gets a buffer of its own, reused by the
// next long entry in that slot. So once the ring has gone round, keeping a message allocates nothing,
// and a full ring is two or three JS objects rather than one Buffer per message: 500 rooms × 100
// slots of Buffers were 50,000 long-lived objects that V8 copied out of its young generation in one
// 30–60 ms scavenge mid-chat.

/** Bytes of one arena slot: the catch-up header, a 32-byte name and ~200 bytes of text. */
export const HISTORY_SLOT_BYTES = 256;
/** Slots of a new arena; it doubles while the ring fills, so a quiet room costs little. */
const FIRST_SLOTS = 8;
/** Own buffers of long entries grow in steps of this many bytes, so slightly longer ones reuse them. */
const LONG_STEP = 128;

export class HistoryRing {
  /** Short entries; grows by doubling up to capacity × HISTORY_SLOT_BYTES. */
  private arena = Buffer.alloc(0);
  /** Buffers of entries longer than a slot, by slot; kept for reuse when a short entry replaces one. */
  private readonly long: (Buffer | undefined)[];
  private readonly lengths: Uint16Array;
  private readonly seqs: Uint32Array;
  /** Index of the slot the next entry goes to. */
  private next = 0;
  private count = 0;
  /** Where in the buffer the last reserve() returned the entry is to be written. */
  reservedAt = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`history capacity ${capacity}`);
    this.long = new Array<Buffer | undefined>(capacity);
    this.lengths = new Uint16Array(capacity);
    this.seqs = new Uint32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /**
   * The buffer to write the next entry (`bytes` long, at most 65535) into, from `reservedAt` on;
   * commit() keeps it.
   */
  reserve(bytes: number): Buffer {
    if (bytes <= HISTORY_SLOT_BYTES) {
      if ((this.next + 1) * HISTORY_SLOT_BYTES > this.arena.length) this.growArena();
      this.reservedAt = this.next * HISTORY_SLOT_BYTES;
      return this.arena;
    }
    this.reservedAt = 0;
    const own = this.long[this.next];
    if (own !== undefined && own.length >= bytes) return own;
    // Its own memory, not a slice of Node's shared pool that a small view would keep alive.
    const fresh = Buffer.allocUnsafeSlow(Math.ceil(bytes / LONG_STEP) * LONG_STEP);
    this.long[this.next] = fresh;
    return fresh;
  }

  /** Keeps the `bytes` written at reservedAt of the buffer reserve() gave as room sequence `seq`. */
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
      if (seq > after && seq <= upTo) out.push(Buffer.from(this.entry(i)));
    }
    return out;
  }

  /** A view of slot i's entry (its length says where it lives). */
  private entry(i: number): Buffer {
    const length = this.lengths[i] as number;
    if (length > HISTORY_SLOT_BYTES) return (this.long[i] as Buffer).subarray(0, length);
    const at = i * HISTORY_SLOT_BYTES;
    return this.arena.subarray(at, at + length);
  }

  /** Doubles the arena (at most to capacity slots); only while the ring has not yet gone round. */
  private growArena(): void {
    const slots = Math.min(this.capacity, Math.max(FIRST_SLOTS, (2 * this.arena.length) / HISTORY_SLOT_BYTES));
    const arena = Buffer.allocUnsafeSlow(slots * HISTORY_SLOT_BYTES);
    this.arena.copy(arena);
    this.arena = arena;
  }
}
