// The renderer's single store, built from slices: rooms (views, history, unread counts), ui (which
// screen, dialogs, errors) and actions that call the ChatApi. Outside React use chatStore.getState().
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  ApiResult,
  ChatApi,
  ChatEntry,
  HostRequest,
  JoinRequest,
  NearbyState,
  NetInterfaceChoice,
  Prefs,
  RoomId,
  RoomView,
} from '../../src-shared/ipc/contract.js';
import { HISTORY_LIMIT } from '../../src-shared/ipc/history-limit.js';
import { linkRefusal, type JoinPrefill } from '../../src-shared/invite/read-invite.js';
import { EntryLog } from './entry-log.js';
import { createHistoryPagingSlice, type HistoryPagingSlice } from './history-paging-slice.js';
import { createHostToolsSlice, type HostToolsSlice } from './host-tools-slice.js';
import { createTrustSlice, type TrustSlice } from './trust-slice.js';

/** History kept per room in the UI: the same bound as the service's. */
export const UI_HISTORY_LIMIT = HISTORY_LIMIT;

export type Screen = 'room' | 'host' | 'join';

export type PasswordPrompt =
  | { kind: 'join'; request: JoinRequest; error: string | null }
  | { kind: 'rejoin'; roomId: RoomId; room: string; error: string | null };

export interface RoomsSlice {
  rooms: Record<RoomId, RoomView>;
  order: RoomId[];
  /** Each room's log, mutated in place: subscribe to historyVersion to see changes. */
  history: Record<RoomId, EntryLog>;
  /** Bumped on every change to a room's log. */
  historyVersion: Record<RoomId, number>;
  unread: Record<RoomId, number>;
  /** Key of the first line that arrived while the user was away from the room ("new since you left"). */
  newSince: Record<RoomId, string>;
  upsertRoom(view: RoomView): void;
  removeRoom(roomId: RoomId): void;
  addEntry(roomId: RoomId, entry: ChatEntry): void;
  /** Several entries in one store update (the bridge batches them per animation frame). */
  addEntries(roomId: RoomId, entries: readonly ChatEntry[]): void;
  setHistory(roomId: RoomId, entries: ChatEntry[]): void;
  /** Empties the room's log in place (the backend has cleared its history). */
  emptyHistory(roomId: RoomId): void;
}

export interface UiSlice {
  activeRoomId: RoomId | null;
  screen: Screen;
  busy: boolean;
  formError: string | null;
  /** The API's code for formError (meaningful only while formError is set): picks the field at fault. */
  formErrorCode: string | null;
  roomError: string | null;
  /** The API's code for roomError, read the same way. */
  roomErrorCode: string | null;
  passwordPrompt: PasswordPrompt | null;
  backendLost: boolean;
  prefs: Prefs | null;
  interfaces: NetInterfaceChoice[];
  /** Unsent composer text per room, kept while switching rooms. */
  drafts: Record<RoomId, string>;
  setDraft(roomId: RoomId, text: string): void;
  selectRoom(roomId: RoomId): void;
  showScreen(screen: Screen): void;
  setBackendLost(lost: boolean): void;
  focusRoom(roomId: RoomId): void;
  /** An invite link to show in the Join form; `seq` changes on every link, even the same one twice. */
  joinPrefill: (JoinPrefill & { seq: number }) | null;
  /** Opens the Join form filled from an invite link; the user still presses Join. */
  prefillJoin(prefill: JoinPrefill): void;
  /** The Join form has taken the prefill. */
  clearJoinPrefill(): void;
  /** Why an invite link opened from outside (OS, page address) cannot be used; `seq` as for prefills. */
  joinLinkRefusal: { message: string; seq: number } | null;
  /** Opens the Join form saying why the link it was given cannot be used. */
  refuseJoinLink(reason: string): void;
  /** The host's invite panel is open; kept across room switches and restarts (localStorage). */
  inviteOpen: boolean;
  setInviteOpen(open: boolean): void;
  /** The member list is shown on narrow windows (wide ones always show it). */
  membersOpen: boolean;
  setMembersOpen(open: boolean): void;
  /** Rooms on the local network and the hosted rooms taken off it; null until first asked. */
  nearby: NearbyState | null;
  setNearby(state: NearbyState): void;
}

export interface ActionsSlice {
  api: ChatApi | null;
  attachApi(api: ChatApi | null): void;
  loadInitial(): Promise<void>;
  hostRoom(req: HostRequest): Promise<boolean>;
  joinRoom(req: JoinRequest): Promise<boolean>;
  submitPassword(password: string): Promise<boolean>;
  cancelPassword(): void;
  rejoinRoom(roomId: RoomId): Promise<boolean>;
  sendMessage(roomId: RoomId, text: string): Promise<boolean>;
  leaveRoom(roomId: RoomId): Promise<void>;
  closeRoom(roomId: RoomId): Promise<void>;
  dismissRoom(roomId: RoomId): Promise<void>;
  openExternal(url: string): Promise<void>;
  /** Starts the nearby-rooms list (the Join screen shows it). */
  watchNearby(): Promise<void>;
  setRoomListed(roomId: RoomId, listed: boolean): Promise<void>;
  // history persistence (#14 item 2)
  clearHistory(roomId: RoomId): Promise<void>;
  /** Saves preferences the user changed (the history switch and bound, the STUN server); null or why not. */
  savePrefs(patch: Partial<Pick<Prefs, 'keepHistory' | 'historyBound' | 'stunServer'>>): Promise<string | null>;
}

export type ChatState = RoomsSlice & UiSlice & ActionsSlice & HostToolsSlice & HistoryPagingSlice & TrustSlice;
export type ChatStore = StoreApi<ChatState>;
type Set = StoreApi<ChatState>['setState'];
type Get = StoreApi<ChatState>['getState'];

const PASSWORD_CODES = new Set(['PASSWORD_REQUIRED', 'WRONG_PASSWORD']);

function createRoomsSlice(set: Set): RoomsSlice {
  const addEntries: RoomsSlice['addEntries'] = (roomId, entries) =>
    set((s) => {
      if (entries.length === 0) return {};
      const known = s.history[roomId];
      const log = known ?? new EntryLog(UI_HISTORY_LIMIT);
      const looking = s.activeRoomId === roomId && s.screen === 'room';
      let unseen = 0;
      let firstUnseen: string | null = null;
      for (const entry of entries) {
        const added = log.upsert(entry);
        if (added && entry.kind === 'chat' && !entry.own && !looking) {
          unseen += 1;
          firstUnseen ??= entry.key;
        }
      }
      // Only the touched room's keys change: the cost is per room, never per history entry.
      return {
        history: known ? s.history : { ...s.history, [roomId]: log },
        historyVersion: { ...s.historyVersion, [roomId]: (s.historyVersion[roomId] ?? 0) + 1 },
        unread: unseen > 0 ? { ...s.unread, [roomId]: (s.unread[roomId] ?? 0) + unseen } : s.unread,
        newSince:
          firstUnseen !== null && s.newSince[roomId] === undefined
            ? { ...s.newSince, [roomId]: firstUnseen }
            : s.newSince,
      };
    });
  return {
    rooms: {},
    order: [],
    history: {},
    historyVersion: {},
    unread: {},
    newSince: {},
    upsertRoom: (view) =>
      set((s) => ({
        rooms: { ...s.rooms, [view.id]: view },
        order: s.order.includes(view.id) ? s.order : [...s.order, view.id],
      })),
    removeRoom: (roomId) =>
      set((s) => {
        const rooms = { ...s.rooms };
        const history = { ...s.history };
        const historyVersion = { ...s.historyVersion };
        const unread = { ...s.unread };
        const newSince = { ...s.newSince };
        const olderHistory = { ...s.olderHistory };
        delete rooms[roomId];
        delete olderHistory[roomId];
        delete history[roomId];
        delete historyVersion[roomId];
        delete unread[roomId];
        delete newSince[roomId];
        const order = s.order.filter((id) => id !== roomId);
        const activeRoomId = s.activeRoomId === roomId ? (order[0] ?? null) : s.activeRoomId;
        return {
          rooms,
          history,
          historyVersion,
          unread,
          newSince,
          olderHistory,
          order,
          activeRoomId,
          screen: activeRoomId ? s.screen : s.screen === 'room' ? 'join' : s.screen,
        };
      }),
    addEntry: (roomId, entry) => addEntries(roomId, [entry]),
    addEntries,
    setHistory: (roomId, entries) =>
      set((s) => {
        // Entries that arrived as events while the history was loading are kept.
        const log = new EntryLog(UI_HISTORY_LIMIT);
        for (const entry of entries.slice(-UI_HISTORY_LIMIT)) log.upsert(entry);
        const live = s.history[roomId];
        if (live) for (const entry of live.toArray()) log.upsert(entry);
        return {
          history: { ...s.history, [roomId]: log },
          historyVersion: { ...s.historyVersion, [roomId]: (s.historyVersion[roomId] ?? 0) + 1 },
        };
      }),
    emptyHistory: (roomId) =>
      set((s) => {
        const log = s.history[roomId];
        if (!log) return {};
        log.clear();
        const newSince = { ...s.newSince };
        delete newSince[roomId];
        return {
          historyVersion: { ...s.historyVersion, [roomId]: (s.historyVersion[roomId] ?? 0) + 1 },
          unread: { ...s.unread, [roomId]: 0 },
          newSince,
          // Nothing older is left on disk either.
          olderHistory: { ...s.olderHistory, [roomId]: 'start' },
        };
      }),
  };
}

/** Counts prefills and refusals over the store's life, so a form that is showing can tell a new one from one it took. */
let prefillSeq = 0;

const createUiSlice = (set: Set, get: Get): UiSlice => ({
  activeRoomId: null,
  screen: 'join',
  busy: false,
  formError: null,
  formErrorCode: null,
  roomError: null,
  roomErrorCode: null,
  passwordPrompt: null,
  backendLost: false,
  prefs: null,
  interfaces: [],
  drafts: {},
  setDraft: (roomId, text) => set((s) => ({ drafts: { ...s.drafts, [roomId]: text } })),
  selectRoom: (roomId) => {
    set((s) => {
      // Leaving a room: what it showed has been seen, so its "new since you left" marker starts over.
      let newSince = s.newSince;
      const left = s.activeRoomId;
      if (left !== null && left !== roomId && newSince[left] !== undefined) {
        newSince = { ...newSince };
        delete newSince[left];
      }
      return { activeRoomId: roomId, screen: 'room', roomError: null, unread: { ...s.unread, [roomId]: 0 }, newSince };
    });
    void get().api?.setActiveRoom({ roomId });
  },
  showScreen: (screen) => {
    set({ screen, formError: null });
    if (screen !== 'room') void get().api?.setActiveRoom({ roomId: null });
  },
  setBackendLost: (lost) => set({ backendLost: lost }),
  focusRoom: (roomId) => {
    if (get().rooms[roomId]) get().selectRoom(roomId);
  },
  joinPrefill: null,
  prefillJoin: (prefill) => {
    set({ joinPrefill: { ...prefill, seq: ++prefillSeq } });
    get().showScreen('join');
  },
  clearJoinPrefill: () => set({ joinPrefill: null, joinLinkRefusal: null }),
  joinLinkRefusal: null,
  refuseJoinLink: (reason) => {
    set({ joinLinkRefusal: { message: linkRefusal(reason), seq: ++prefillSeq } });
    get().showScreen('join');
  },
  inviteOpen: readFlag(INVITE_OPEN_KEY, true),
  setInviteOpen: (open) => {
    set({ inviteOpen: open });
    writeFlag(INVITE_OPEN_KEY, open);
  },
  membersOpen: false,
  setMembersOpen: (open) => set({ membersOpen: open }),
  nearby: null,
  setNearby: (state) => set({ nearby: state }),
});

const INVITE_OPEN_KEY = 'tincan.inviteOpen';

// UI-only flags live in localStorage: absent in tests without a DOM, and a full or blocked storage
// must never break the app, so both directions fall back quietly.
function readFlag(key: string, fallback: boolean): boolean {
  try {
    const value = globalThis.localStorage?.getItem(key);
    return value === null || value === undefined ? fallback : value === '1';
  } catch {
    return fallback;
  }
}

function writeFlag(key: string, value: boolean): void {
  try {
    globalThis.localStorage?.setItem(key, value ? '1' : '0');
  } catch {
    // Storage refused: the choice still holds for this session.
  }
}

type Failed = Extract<ApiResult<unknown>, { ok: false }>;

function failure(result: Failed): string {
  return result.message || result.code;
}

function formFailure(result: Failed): Pick<UiSlice, 'formError' | 'formErrorCode'> {
  return { formError: failure(result), formErrorCode: result.code };
}

function roomFailure(result: Failed): Pick<UiSlice, 'roomError' | 'roomErrorCode'> {
  return { roomError: failure(result), roomErrorCode: result.code };
}

/** `nearby` with another set of unlisted rooms; before the first answer, an empty list. */
function withUnlisted(nearby: NearbyState | null, unlisted: RoomId[]): NearbyState {
  return { ...(nearby ?? { rooms: [], problem: null, lanUnreachable: [] }), unlisted };
}

const NO_API: Extract<ApiResult<never>, { ok: false }> = {
  ok: false,
  code: 'NO_API',
  message: 'The app is not connected to its backend.',
};

const createActionsSlice = (set: Set, get: Get): ActionsSlice => {
  /** Calls the API, turning a missing API or a thrown error into a failed result. */
  async function call<T>(fn: (api: ChatApi) => Promise<ApiResult<T>>): Promise<ApiResult<T>> {
    const api = get().api;
    if (!api) return NO_API;
    try {
      return await fn(api);
    } catch (err) {
      return { ok: false, code: 'INTERNAL', message: (err as Error).message };
    }
  }

  function entered(view: RoomView): void {
    get().upsertRoom(view);
    get().selectRoom(view.id);
    set({ busy: false, formError: null, passwordPrompt: null });
  }

  return {
    api: null,
    attachApi: (api) => set({ api }),
    loadInitial: async () => {
      const [prefs, interfaces, rooms] = await Promise.all([
        call((api) => api.getPrefs({})),
        call((api) => api.listInterfaces({})),
        call((api) => api.listRooms({})),
      ]);
      if (prefs.ok) set({ prefs: prefs.value });
      if (interfaces.ok) set({ interfaces: interfaces.value });
      if (rooms.ok) {
        for (const view of rooms.value) get().upsertRoom(view);
        await Promise.all(
          rooms.value.map(async (view) => {
            const history = await call((api) => api.getHistory({ roomId: view.id }));
            if (history.ok) get().setHistory(view.id, history.value);
          }),
        );
        const first = rooms.value[0];
        if (first && !get().activeRoomId) get().selectRoom(first.id);
      }
    },
    hostRoom: async (req) => {
      set({ busy: true, formError: null });
      const result = await call((api) => api.hostRoom(req));
      if (result.ok) {
        entered(result.value);
        void call((api) =>
          api.setPrefs({
            hostPort: req.port,
            hostInterface: req.bindHost,
            hostUpnp: req.upnp === true,
            hostEncryptedOnly: req.encryptedOnly === true,
          }),
        ).then((p) => p.ok && set({ prefs: p.value }));
        return true;
      }
      set({ busy: false, ...formFailure(result) });
      return false;
    },
    joinRoom: async (req) => {
      set({ busy: true, formError: null });
      const result = await call((api) => api.joinRoom(req));
      if (result.ok) {
        entered(result.value);
        void call((api) => api.getPrefs({})).then((p) => p.ok && set({ prefs: p.value }));
        return true;
      }
      if (PASSWORD_CODES.has(result.code) || (result.code === 'RATE_LIMITED' && get().passwordPrompt)) {
        const error =
          result.code === 'WRONG_PASSWORD'
            ? 'Wrong password. Please try again.'
            : result.code === 'RATE_LIMITED'
              ? failure(result)
              : null;
        set({ busy: false, formError: null, passwordPrompt: { kind: 'join', request: req, error } });
        return false;
      }
      // encrypted transport (#16): a changed certificate is the user's call, asked in a dialog.
      if (result.code === 'CERTIFICATE_CHANGED' && result.certificateChange) {
        set({ busy: false, formError: null, passwordPrompt: null });
        get().askAboutCertificate({ kind: 'join', request: req }, result.certificateChange);
        return false;
      }
      set({ busy: false, ...formFailure(result), passwordPrompt: null });
      return false;
    },
    submitPassword: async (password) => {
      const prompt = get().passwordPrompt;
      if (!prompt) return false;
      if (prompt.kind === 'join') return get().joinRoom({ ...prompt.request, password });
      set({ busy: true });
      const result = await call((api) => api.rejoinRoom({ roomId: prompt.roomId, password }));
      if (result.ok) {
        entered(result.value);
        return true;
      }
      set({
        busy: false,
        passwordPrompt: {
          ...prompt,
          error: result.code === 'WRONG_PASSWORD' ? 'Wrong password. Please try again.' : failure(result),
        },
      });
      return false;
    },
    cancelPassword: () => set({ passwordPrompt: null, busy: false }),
    rejoinRoom: async (roomId) => {
      set({ busy: true, roomError: null });
      const result = await call((api) => api.rejoinRoom({ roomId }));
      if (result.ok) {
        entered(result.value);
        return true;
      }
      if (PASSWORD_CODES.has(result.code)) {
        const room = get().rooms[roomId]?.room ?? '';
        set({
          busy: false,
          passwordPrompt: {
            kind: 'rejoin',
            roomId,
            room,
            error: result.code === 'WRONG_PASSWORD' ? 'Wrong password. Please try again.' : null,
          },
        });
        return false;
      }
      // encrypted transport (#16): the host of a remembered room now shows another certificate.
      if (result.code === 'CERTIFICATE_CHANGED' && result.certificateChange) {
        set({ busy: false, roomError: null });
        get().askAboutCertificate({ kind: 'rejoin', roomId }, result.certificateChange);
        return false;
      }
      set({ busy: false, ...roomFailure(result) });
      return false;
    },
    sendMessage: async (roomId, text) => {
      const result = await call((api) => api.sendMessage({ roomId, text }));
      if (!result.ok) set({ ...roomFailure(result) });
      else if (get().roomError) set({ roomError: null });
      return result.ok;
    },
    leaveRoom: async (roomId) => {
      const result = await call((api) => api.leaveRoom({ roomId }));
      if (!result.ok) set({ ...roomFailure(result) });
    },
    closeRoom: async (roomId) => {
      const result = await call((api) => api.closeRoom({ roomId }));
      if (!result.ok) set({ ...roomFailure(result) });
    },
    dismissRoom: async (roomId) => {
      const result = await call((api) => api.dismissRoom({ roomId }));
      if (result.ok) get().removeRoom(roomId);
      else set({ ...roomFailure(result) });
    },
    openExternal: async (url) => {
      const result = await call((api) => api.openExternal({ url }));
      if (!result.ok) set({ ...roomFailure(result) });
    },
    watchNearby: async () => {
      const result = await call((api) => api.getNearby({}));
      if (result.ok) set({ nearby: result.value });
    },
    setRoomListed: async (roomId, listed) => {
      // The box follows the click at once (a controlled checkbox would otherwise spring back until
      // the answer comes); the answer settles it, a failure puts the old value back.
      const before = get().nearby?.unlisted ?? [];
      const others = before.filter((id) => id !== roomId);
      set((s) => ({ nearby: withUnlisted(s.nearby, listed ? others : [...others, roomId]) }));
      const result = await call((api) => api.setRoomListed({ roomId, listed }));
      if (result.ok) set({ nearby: result.value });
      else set((s) => ({ ...roomFailure(result), nearby: withUnlisted(s.nearby, before) }));
    },
    clearHistory: async (roomId) => {
      const result = await call((api) => api.clearHistory({ roomId }));
      if (result.ok) get().emptyHistory(roomId);
      else set({ ...roomFailure(result) });
    },
    savePrefs: async (patch) => {
      const result = await call((api) => api.setPrefs(patch));
      if (!result.ok) return result.message;
      set({ prefs: result.value });
      return null;
    },
  };
};

const initChatState = (set: Set, get: Get): ChatState => ({
  ...createRoomsSlice(set),
  ...createUiSlice(set, get),
  ...createActionsSlice(set, get),
  ...createHostToolsSlice<ChatState>(set, get),
  ...createHistoryPagingSlice<ChatState>(set, get),
  ...createTrustSlice<ChatState>(set, get),
});

export function createChatStore(): ChatStore {
  return createStore<ChatState>()(initChatState);
}

/** The app's store. Tests make their own with createChatStore(), or reset this one. */
export const chatStore = createChatStore();

/** Back to the initial state (component tests share the app's store). */
export function resetChatStore(): void {
  chatStore.setState(initChatState(chatStore.setState, chatStore.getState), true);
}
