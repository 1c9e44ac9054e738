// Pure selectors over the store. Those returning arrays or objects must be used with useShallow
// (zustand v5 re-renders forever on a fresh object per call otherwise).
import type { ChatEntry, RoomView } from '../../src-shared/ipc/contract.js';
import type { ChatState } from './chat-store.js';
import type { EntryLog } from './entry-log.js';

export const chatSelectors = {
  activeRoom: (s: ChatState): RoomView | null => (s.activeRoomId ? (s.rooms[s.activeRoomId] ?? null) : null),
  roomList: (s: ChatState): RoomView[] =>
    s.order.map((id) => s.rooms[id]).filter((r): r is RoomView => r !== undefined),
  /** The room's log: a stable object mutated in place; pair it with historyVersion to re-render. */
  log:
    (roomId: string | null) =>
    (s: ChatState): EntryLog | null =>
      roomId ? (s.history[roomId] ?? null) : null,
  historyVersion:
    (roomId: string) =>
    (s: ChatState): number =>
      s.historyVersion[roomId] ?? 0,
  /** A fresh copy of the room's entries (O(n)): for tests and one-off reads, never a React selector. */
  entries:
    (roomId: string | null) =>
    (s: ChatState): ChatEntry[] =>
      (roomId ? s.history[roomId]?.toArray() : undefined) ?? [],
  newSince:
    (roomId: string) =>
    (s: ChatState): string | null =>
      s.newSince[roomId] ?? null,
  unread:
    (roomId: string) =>
    (s: ChatState): number =>
      s.unread[roomId] ?? 0,
  totalUnread: (s: ChatState): number => Object.values(s.unread).reduce((a, b) => a + b, 0),
  /** Hosts first, then by name; stable for equal names. */
  sortedMembers: (s: ChatState) => {
    const room = chatSelectors.activeRoom(s);
    if (!room) return [];
    return [...room.members].sort((a, b) => Number(b.host) - Number(a.host) || a.name.localeCompare(b.name));
  },
  canSend: (s: ChatState): boolean => chatSelectors.activeRoom(s)?.state === 'connected',
};
