// The CHAT ids a Tincan member sent lately and the room sequence each was relayed as. A client that
// missed an ACK sends the same CHAT again; the relay answers it from here (the ACK again) instead of
// relaying the text twice. Fixed size: a member cannot grow it, and the oldest id is forgotten first.

/** Ids remembered per member: far more than a client has unacknowledged at once. */
export const RECENT_CHAT_IDS = 64;

export class RecentChatIds {
  /** Pairs [id, seq], RECENT_CHAT_IDS of them: one typed array, so a member costs the collector one buffer. */
  private readonly pairs = new Uint32Array(2 * RECENT_CHAT_IDS);
  private filled = 0;
  private next = 0;
  /** The highest id ever remembered (-1: none): a client numbers its CHATs upwards, so a new one is above it. */
  private highest = -1;

  /** The seq `id` was relayed as, or 0 when it is not among the recent ids (seq 0 is never used). */
  seqOf(id: number): number {
    // Above every id remembered: not a resend, and the array (cold in cache) need not be read.
    if (id > this.highest) return 0;
    const pairs = this.pairs;
    for (let i = 0; i < this.filled; i++) if (pairs[2 * i] === id) return pairs[2 * i + 1] as number;
    return 0;
  }

  remember(id: number, seq: number): void {
    this.pairs[2 * this.next] = id;
    this.pairs[2 * this.next + 1] = seq;
    if (id > this.highest) this.highest = id;
    this.next = (this.next + 1) % RECENT_CHAT_IDS;
    if (this.filled < RECENT_CHAT_IDS) this.filled++;
  }
}
