// Pure selectors over the store. Those returning arrays or objects must be used with useShallow
// (zustand v5 re-renders forever on a fresh object per call otherwise).
import type { ChatEntry, RoomView } from '../../src-shared/ipc/contract.js';
import type { ChatState } from './chat-store.js';

const NO_ENTRIES: ChatEntry[] = [];

export const chatSelectors = {
  activeRoom: (s: ChatState): RoomView | null => (s.activeRoomId ? (s.rooms[s.activeRoomId] ?? null) : null),
  roomList: (s: ChatState): RoomView[] =>
    s.order.map((id) => s.rooms[id]).filter((r): r is RoomView => r !== undefined),
  history:
    (roomId: string | null) =>
    (s: ChatState): ChatEntry[] =>
      roomId ? (s.history[roomId] ?? NO_ENTRIES) : NO_ENTRIES,
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
