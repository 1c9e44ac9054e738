// The relay's memory of a member's recent CHAT ids (what answers a resend with its ACK again): ids in
// any order, a wrap of the 32-bit counter, and the oldest forgotten once the window is full.
import { describe, expect, it } from 'vitest';
import { RECENT_CHAT_IDS, RecentChatIds } from '../../src-main/engine/server/recent-chat-ids.js';

describe('RecentChatIds', () => {
  it('finds each remembered id, in order or not, across the 32-bit wrap', () => {
    const recent = new RecentChatIds();
    const ids = [5, 6, 3, 0xffff_fffe, 0xffff_ffff, 0, 1, 7];
    ids.forEach((id, i) => {
      expect(recent.seqOf(id)).toBe(0);
      recent.remember(id, 100 + i);
    });
    ids.forEach((id, i) => expect(recent.seqOf(id)).toBe(100 + i));
    expect(recent.seqOf(4)).toBe(0);
    expect(recent.seqOf(8)).toBe(0);
  });

  it('forgets the oldest id once the window is full, whatever the highest id was', () => {
    const recent = new RecentChatIds();
    recent.remember(1_000_000, 1);
    for (let i = 0; i < RECENT_CHAT_IDS - 1; i++) recent.remember(i + 1, i + 2);
    expect(recent.seqOf(1_000_000)).toBe(1);
    recent.remember(500, 99);
    expect(recent.seqOf(1_000_000)).toBe(0); // pushed out
    expect(recent.seqOf(1)).toBe(2);
    expect(recent.seqOf(500)).toBe(99);
  });
});
