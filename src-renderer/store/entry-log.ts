// A room's history in the UI: an append-only log in fixed-size chunks with a key index, so adding,
// replacing (a pending line acknowledged) and trimming the oldest entry are O(1) whatever the
// history's length. Entries keep an absolute position that never shifts when the head is trimmed,
// which lets the message list cache row heights by position. Older entries loaded from disk are
// put before the head (positions may go below 0), so a prepend never moves a row already shown.
// The store mutates the log in place and publishes a new version number, so no event copies the
// history.
import type { ChatEntry } from '../../src-shared/ipc/contract.js';

const CHUNK = 256;

/** A position's slot in its chunk (positions before 0 included). */
const slotOf = (position: number) => ((position % CHUNK) + CHUNK) % CHUNK;

export class EntryLog {
  /** chunks[k] holds absolute positions (firstChunk + k) * CHUNK … + CHUNK - 1. */
  private chunks: ChatEntry[][] = [];
  private firstChunk = 0;
  private head = 0;
  private tail = 0;
  private readonly positions = new Map<string, number>();

  constructor(readonly limit: number) {}

  /** Absolute position of the oldest entry kept. */
  get start(): number {
    return this.head;
  }

  /** Absolute position one past the newest entry. */
  get end(): number {
    return this.tail;
  }

  get length(): number {
    return this.tail - this.head;
  }

  /** The entry at an absolute position, if it is still kept. */
  at(position: number): ChatEntry | undefined {
    if (position < this.head || position >= this.tail) return undefined;
    const chunk = Math.floor(position / CHUNK) - this.firstChunk;
    return this.chunks[chunk]?.[slotOf(position)];
  }

  positionOf(key: string): number | undefined {
    return this.positions.get(key);
  }

  /** Adds the entry, or replaces the one with the same key in place. True when it was added. */
  upsert(entry: ChatEntry): boolean {
    const known = this.positions.get(entry.key);
    if (known !== undefined) {
      const chunk = this.chunks[Math.floor(known / CHUNK) - this.firstChunk];
      if (chunk) chunk[slotOf(known)] = entry;
      return false;
    }
    const position = this.tail++;
    let chunk = this.chunks[this.chunks.length - 1];
    if (!chunk || slotOf(position) === 0) this.chunks.push((chunk = []));
    chunk.push(entry);
    this.positions.set(entry.key, position);
    while (this.length > this.limit) this.dropOldest();
    return true;
  }

  /**
   * Puts older entries (oldest first) before the head, skipping keys already kept, and only as many
   * as the limit leaves room for: the newest of them, so the log stays contiguous. Returns how many
   * were added. O(page + chunks): rare, when the reader scrolls to the top.
   */
  prepend(older: readonly ChatEntry[]): number {
    let added = 0;
    for (let i = older.length - 1; i >= 0 && this.length < this.limit; i--) {
      const entry = older[i];
      if (!entry || this.positions.has(entry.key)) continue;
      const position = --this.head;
      while (Math.floor(position / CHUNK) < this.firstChunk) {
        this.chunks.unshift([]);
        this.firstChunk -= 1;
      }
      const chunk = this.chunks[Math.floor(position / CHUNK) - this.firstChunk];
      if (chunk) chunk[slotOf(position)] = entry;
      this.positions.set(entry.key, position);
      added += 1;
    }
    return added;
  }

  /**
   * Drops every entry ("clear history"). Positions keep counting from where they were, as if the
   * entries had been trimmed, so the list's height index stays valid.
   */
  clear(): void {
    this.positions.clear();
    this.head = this.tail;
    this.firstChunk = Math.floor(this.tail / CHUNK);
    // The current chunk keeps its slots before the tail empty, so positions still map to indexes.
    const current: ChatEntry[] = [];
    current.length = slotOf(this.tail);
    this.chunks = current.length > 0 ? [current] : [];
  }

  private dropOldest(): void {
    const entry = this.at(this.head);
    if (entry) this.positions.delete(entry.key);
    this.head += 1;
    // A chunk whose last entry is gone is released; shifting a short array of chunks is cheap.
    if (slotOf(this.head) === 0) {
      this.chunks.shift();
      this.firstChunk += 1;
    }
  }

  /** A copy of the kept entries, oldest first (tests and one-off reads; O(n)). */
  toArray(): ChatEntry[] {
    const out: ChatEntry[] = [];
    for (let p = this.head; p < this.tail; p++) {
      const entry = this.at(p);
      if (entry) out.push(entry);
    }
    return out;
  }
}
