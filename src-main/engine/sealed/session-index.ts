// Sealed sessions by their 8-byte id, found from a datagram's bytes without allocating: the id's
// first 4 bytes as a number pick a bucket, its last 4 as a number pick the entry (ids are random,
// so buckets hold one). Two integer reads per datagram: no Buffer compare, no key string. Read as
// signed 32-bit integers, which V8 keeps unboxed: half of all unsigned ones are above 2^31, and
// each such lookup key cost a heap number per datagram.
import { randomBytes } from 'node:crypto';
import { SEALED_SESSION_ID_BYTES } from '../../../src-shared/protocol/index.js';

interface Indexed<T> {
  /** The id's last 4 bytes, big-endian, signed. */
  readonly low: number;
  readonly entry: T;
}

export class SessionIndex<T> {
  private readonly byHigh = new Map<number, Indexed<T>[]>();
  private total = 0;

  /** @param idOf the 8-byte session id of an entry (fixed for as long as it is indexed) */
  constructor(private readonly idOf: (entry: T) => Buffer) {}

  get size(): number {
    return this.total;
  }

  /** A random id no current session has. */
  newId(): Buffer {
    for (;;) {
      const id = randomBytes(SEALED_SESSION_ID_BYTES);
      if (this.find(id, 0) === undefined) return id;
    }
  }

  add(entry: T): void {
    const id = this.idOf(entry);
    const high = id.readInt32BE(0);
    const indexed: Indexed<T> = { low: id.readInt32BE(4), entry };
    const bucket = this.byHigh.get(high);
    if (bucket) bucket.push(indexed);
    else this.byHigh.set(high, [indexed]);
    this.total++;
  }

  delete(entry: T): void {
    const high = this.idOf(entry).readInt32BE(0);
    const bucket = this.byHigh.get(high);
    const at = bucket ? bucket.findIndex((e) => e.entry === entry) : -1;
    if (!bucket || at < 0) return;
    bucket.splice(at, 1);
    if (bucket.length === 0) this.byHigh.delete(high);
    this.total--;
  }

  /** The entry whose id is bytes[at, at + 8) (the caller checked the bytes are there). */
  find(bytes: Buffer, at: number): T | undefined {
    const bucket = this.byHigh.get(bytes.readInt32BE(at));
    if (bucket === undefined) return undefined;
    const low = bytes.readInt32BE(at + 4);
    for (let i = 0; i < bucket.length; i++) {
      const e = bucket[i] as Indexed<T>;
      if (e.low === low) return e.entry;
    }
    return undefined;
  }
}
