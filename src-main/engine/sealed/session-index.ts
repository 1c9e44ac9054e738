// Sealed sessions by their 8-byte id, found from a datagram's bytes without allocating: a number
// key from the id's first 4 bytes, then a byte compare (ids are random, so buckets hold one).
import { randomBytes } from 'node:crypto';
import { SEALED_SESSION_ID_BYTES } from '../../../src-shared/protocol/index.js';

export class SessionIndex<T> {
  private readonly byKey = new Map<number, T[]>();
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
    const key = this.idOf(entry).readUInt32BE(0);
    const bucket = this.byKey.get(key);
    if (bucket) bucket.push(entry);
    else this.byKey.set(key, [entry]);
    this.total++;
  }

  delete(entry: T): void {
    const key = this.idOf(entry).readUInt32BE(0);
    const bucket = this.byKey.get(key);
    const at = bucket ? bucket.indexOf(entry) : -1;
    if (!bucket || at < 0) return;
    bucket.splice(at, 1);
    if (bucket.length === 0) this.byKey.delete(key);
    this.total--;
  }

  /** The entry whose id is bytes[at, at + 8) (the caller checked the bytes are there). */
  find(bytes: Buffer, at: number): T | undefined {
    const bucket = this.byKey.get(bytes.readUInt32BE(at));
    if (bucket === undefined) return undefined;
    for (const entry of bucket)
      if (this.idOf(entry).compare(bytes, at, at + SEALED_SESSION_ID_BYTES) === 0) return entry;
    return undefined;
  }
}
