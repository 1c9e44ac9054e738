// Who can be mentioned in the room on screen, and who "you" are: given to the message rows by context,
// so the list itself does not carry it. Rebuilt only when the member names or your name change.
import { createContext, useContext, useMemo } from 'react';
import type { RoomView } from '../../../src-shared/ipc/contract.js';
import { MentionFinder } from '../../../src-shared/mentions.js';
import { nameKey } from '../../../src-shared/protocol/names.js';

export interface MentionScope {
  finder: MentionFinder;
  /** Your name's key (names.ts), to tell a mention of you from one of someone else. */
  myKey: string;
}

const NO_MEMBERS: MentionScope = { finder: new MentionFinder([]), myKey: '' };

export const MentionScopeContext = createContext<MentionScope>(NO_MEMBERS);

export function useMentionScope(): MentionScope {
  return useContext(MentionScopeContext);
}

/** The scope of a room: its current members. Names never hold line breaks, so they join into one key. */
export function useRoomMentionScope(room: RoomView): MentionScope {
  const names = room.members.map((m) => m.name).join('\n');
  return useMemo(
    () => ({ finder: new MentionFinder(names ? names.split('\n') : []), myKey: nameKey(room.username) }),
    [names, room.username],
  );
}
