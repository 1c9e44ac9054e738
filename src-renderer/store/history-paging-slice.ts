// Older history, loaded when the reader scrolls to the top (#14 item 2): the service opens a room
// with its newest lines and hands out older pages from disk on request. One request per room at a
// time; a short page means the start of the stored history. The in-memory bound wins over paging:
// lines the reader scrolled up to are kept, and loading stops when the log is full.
import type { StoreApi } from 'zustand/vanilla';
import type { ApiResult, ChatApi, ChatEntry, RoomId } from '../../src-shared/ipc/contract.js';
import type { EntryLog } from './entry-log.js';

/** Entries asked for per page (at most HISTORY_PAGE_MAX). */
export const OLDER_PAGE = 200;

/**
 * Where a room's older history stands: `more` may be on disk, `loading` a page is on its way,
 * `start` everything stored is shown, `bound` the in-memory limit stops further loading.
 */
export type OlderHistory = 'more' | 'loading' | 'start' | 'bound';

export interface HistoryPagingSlice {
  /** Per room; absent means `more`. */
  olderHistory: Record<RoomId, OlderHistory>;
  /** Asks for the page older than the room's oldest entry and puts it first; no-op unless `more`. */
  loadOlderHistory(roomId: RoomId): Promise<void>;
}

interface Needs {
  api: ChatApi | null;
  history: Record<RoomId, EntryLog>;
  historyVersion: Record<RoomId, number>;
}

type State = HistoryPagingSlice & Needs;

export function createHistoryPagingSlice<S extends State>(
  set: StoreApi<S>['setState'],
  get: StoreApi<S>['getState'],
): HistoryPagingSlice {
  const patch = (fn: (s: State) => Partial<State>) => set((s) => fn(s) as Partial<S>);
  const mark = (roomId: RoomId, state: OlderHistory) =>
    patch((s) => ({ olderHistory: { ...s.olderHistory, [roomId]: state } }));

  async function fetchPage(roomId: RoomId, before: string): Promise<ApiResult<ChatEntry[]>> {
    const api = get().api;
    if (!api) return { ok: false, code: 'NO_API', message: 'The app is not connected to its backend.' };
    try {
      return await api.getOlderHistory({ roomId, before, limit: OLDER_PAGE });
    } catch (err) {
      return { ok: false, code: 'INTERNAL', message: (err as Error).message };
    }
  }

  return {
    olderHistory: {},
    loadOlderHistory: async (roomId) => {
      const log = get().history[roomId];
      const oldest = log?.at(log.start);
      if (!log || !oldest || (get().olderHistory[roomId] ?? 'more') !== 'more') return;
      if (log.length >= log.limit) return mark(roomId, 'bound');
      mark(roomId, 'loading');
      const page = await fetchPage(roomId, oldest.key);
      // The log was replaced, cleared or trimmed meanwhile: the page no longer joins onto it.
      if (get().history[roomId] !== log || log.at(log.start)?.key !== oldest.key) {
        if (get().olderHistory[roomId] === 'loading') mark(roomId, 'more');
        return;
      }
      // A failed request is not the start of history: the next scroll to the top tries again.
      if (!page.ok) return mark(roomId, 'more');
      const added = log.prepend(page.value);
      const short = page.value.length < OLDER_PAGE;
      // Full, the page's oldest lines (or later pages) did not fit: say so rather than "beginning".
      const full = log.length >= log.limit;
      const next: OlderHistory = full
        ? short && added === page.value.length
          ? 'start'
          : 'bound'
        : short
          ? 'start'
          : 'more';
      patch((s) => ({
        olderHistory: { ...s.olderHistory, [roomId]: next },
        historyVersion: { ...s.historyVersion, [roomId]: (s.historyVersion[roomId] ?? 0) + 1 },
      }));
    },
  };
}
