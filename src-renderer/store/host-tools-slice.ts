// host tools (#14 item 7): the host's requests (remove a member, change the password) and who is
// typing in each room. Kept apart from chat-store.ts so the feature reads in one place.
import type { StoreApi } from 'zustand/vanilla';
import type { ApiResult, ChatApi, RoomId } from '../../src-shared/ipc/contract.js';
import { TYPING_SHOWN_MS } from '../../src-shared/protocol/typing.js';

export interface HostToolsSlice {
  /** Per room: who is typing, and until when (ms since 1970) it is shown without a fresh notice. */
  typing: Record<RoomId, Record<string, number>>;
  /** Host only: removes `name`; false (with roomError set) when the request failed. */
  kickMember(roomId: RoomId, name: string): Promise<boolean>;
  /** Host only: '' clears the password; resolves with the error text, or null when it worked. */
  setRoomPassword(roomId: RoomId, password: string): Promise<string | null>;
  /** Our user typed in the composer (the backend and engine throttle what goes out). */
  notifyTyping(roomId: RoomId): void;
  /** `name` is typing in the room (a roomTyping event). */
  noteTyping(roomId: RoomId, name: string, now?: number): void;
  /** A message from `name` arrived: it no longer types it. */
  typingDone(roomId: RoomId, name: string): void;
}

interface Needs {
  api: ChatApi | null;
  roomError: string | null;
  roomErrorCode: string | null;
}

type State = HostToolsSlice & Needs;

export function createHostToolsSlice<S extends State>(
  set: StoreApi<S>['setState'],
  get: StoreApi<S>['getState'],
): HostToolsSlice {
  async function call(fn: (api: ChatApi) => Promise<ApiResult<null>>): Promise<ApiResult<null>> {
    const api = get().api;
    if (!api) return { ok: false, code: 'NO_API', message: 'The app is not connected to its backend.' };
    try {
      return await fn(api);
    } catch (err) {
      return { ok: false, code: 'INTERNAL', message: (err as Error).message };
    }
  }
  const patch = (p: Partial<State>) => set(p as Partial<S>);

  return {
    typing: {},
    kickMember: async (roomId, name) => {
      const result = await call((api) => api.kickMember({ roomId, name }));
      if (!result.ok) patch({ roomError: result.message || result.code, roomErrorCode: result.code });
      return result.ok;
    },
    setRoomPassword: async (roomId, password) => {
      const result = await call((api) => api.setRoomPassword({ roomId, password }));
      return result.ok ? null : result.message || result.code;
    },
    notifyTyping: (roomId) => {
      void call((api) => api.notifyTyping({ roomId }));
    },
    noteTyping: (roomId, name, now = Date.now()) => {
      const room = get().typing[roomId] ?? {};
      patch({ typing: { ...get().typing, [roomId]: { ...room, [name]: now + TYPING_SHOWN_MS } } });
    },
    typingDone: (roomId, name) => {
      const room = get().typing[roomId];
      if (room?.[name] === undefined) return;
      const { [name]: _gone, ...rest } = room;
      patch({ typing: { ...get().typing, [roomId]: rest } });
    },
  };
}

/** The names shown as typing at `now`, in a stable order. */
export function typingNames(typing: Record<string, number> | undefined, now: number): string[] {
  if (!typing) return [];
  return Object.keys(typing)
    .filter((name) => (typing[name] as number) > now)
    .sort((a, b) => a.localeCompare(b));
}
