// Which room messages this client has already shown, by the server's sequence number, so a catch-up
// after a reconnect never shows a line twice. Bounded: a catch-up is at most the server's history
// size (default 100), so remembering the last few thousand is plenty.

const REMEMBERED = 4_096;

export class SeenMessages {
  /** seq → sender; a Map keeps insertion order, so the oldest is dropped first. */
  private readonly bySeq = new Map<number, string>();
  private highest = 0;

  /** Highest sequence seen in this room; sent as `since` when a session is resumed. */
  get lastSeq(): number {
    return this.highest;
  }

  note(seq: number, sender: string): void {
    if (seq > this.highest) this.highest = seq;
    this.bySeq.delete(seq);
    this.bySeq.set(seq, sender);
    if (this.bySeq.size > REMEMBERED) {
      const oldest = this.bySeq.keys().next();
      if (!oldest.done) this.bySeq.delete(oldest.value);
    }
  }

  /**
   * Whether seq was already shown from this sender. The sender is compared too: a room the host
   * recreated after a restart counts from 1 again, and its messages are new.
   */
  has(seq: number, sender: string): boolean {
    return this.bySeq.get(seq) === sender;
  }
}
