// The one module that touches the API: it finds it (window.api in Electron, the WebSocket client in
// web mode), validates every event against the contract and feeds the store. Started once in
// main.tsx; returns a disposer.
import type { ChatApi, ChatEntry, RoomId } from '../src-shared/ipc/contract.js';
import { LinkError, parseJoinLink } from '../src-shared/invite/join-link.js';
import { prefillFromLink } from '../src-shared/invite/read-invite.js';
import { parseEvent } from '../src-shared/ipc/validate.js';
import { createFrameBatch } from './frame-batch.js';
import { chatStore, type ChatStore } from './store/chat-store.js';
import { connectWebApi } from './web-api.js';

export interface BridgeHooks {
  /** Every valid chat line as it arrives (web mode's notifications), before the frame batch. */
  onLine?(roomId: RoomId, entry: ChatEntry): void;
}

export function startBridge(api: ChatApi, store: ChatStore = chatStore, hooks: BridgeHooks = {}): () => void {
  const state = () => store.getState();
  state().attachApi(api);
  const drop = (what: string) => console.warn(`tincan: dropped a malformed ${what} event`);
  // Chat lines are batched per frame; every other event first applies the lines queued before it,
  // so the order of events is kept (a line never lands in a room removed after it).
  const lines = createFrameBatch((roomId, entries) => state().addEntries(roomId, entries));
  const offs = [
    api.onRoomUpdated((payload) => {
      lines.flush();
      const view = parseEvent('roomUpdated', payload);
      if (view) state().upsertRoom(view);
      else drop('roomUpdated');
    }),
    api.onRoomMessage((payload) => {
      const msg = parseEvent('roomMessage', payload);
      if (!msg) return drop('roomMessage');
      lines.add(msg.roomId, msg.entry);
      hooks.onLine?.(msg.roomId, msg.entry);
      if (msg.entry.kind === 'chat') state().typingDone(msg.roomId, msg.entry.from);
    }),
    // host tools (#14 item 7)
    api.onRoomTyping((payload) => {
      const typing = parseEvent('roomTyping', payload);
      if (typing) state().noteTyping(typing.roomId, typing.name);
      else drop('roomTyping');
    }),
    api.onRoomRemoved((payload) => {
      lines.flush();
      const ref = parseEvent('roomRemoved', payload);
      if (ref) state().removeRoom(ref.roomId);
      else drop('roomRemoved');
    }),
    api.onFocusRoom((payload) => {
      lines.flush();
      const ref = parseEvent('focusRoom', payload);
      if (ref) state().focusRoom(ref.roomId);
      else drop('focusRoom');
    }),
    api.onJoinLink((payload) => {
      const link = parseEvent('joinLink', payload);
      if (link) state().prefillJoin(prefillFromLink(link));
      else drop('joinLink');
    }),
    api.onJoinLinkRefused((payload) => {
      const refusal = parseEvent('joinLinkRefused', payload);
      if (refusal) state().refuseJoinLink(refusal.reason);
      else drop('joinLinkRefused');
    }),
    api.onNearbyUpdated((payload) => {
      const nearby = parseEvent('nearbyUpdated', payload);
      if (nearby) state().setNearby(nearby);
      else drop('nearbyUpdated');
    }),
  ];
  void state().loadInitial();
  return () => {
    for (const off of offs) off();
    lines.dispose();
    state().attachApi(null);
  };
}

/**
 * Web mode's stand-in for the OS handing over a link: a page opened at `#token=…&join=<link>` shows
 * the filled Join form, or for a malformed link the form saying why; nothing is joined either way.
 */
export function openLinkFromHash(hash: string, store: ChatStore = chatStore): void {
  const raw = new URLSearchParams(hash.slice(1)).get('join');
  if (!raw) return;
  try {
    store.getState().prefillJoin(prefillFromLink(parseJoinLink(raw)));
  } catch (err) {
    if (!(err instanceof LinkError)) throw err;
    store.getState().refuseJoinLink(err.message);
  }
}

/** Where this tab keeps web mode's per-run token once it has left the URL, so a reload reconnects. */
export const WEB_TOKEN_KEY = 'tincan.webToken';

/**
 * The web-mode token: from the URL fragment the backend printed (then kept in this tab's
 * sessionStorage — never in history, gone when the tab closes), or from sessionStorage on a reload.
 */
function webToken(): string | null {
  const fromUrl = new URLSearchParams(window.location.hash.slice(1)).get('token');
  try {
    if (fromUrl) sessionStorage.setItem(WEB_TOKEN_KEY, fromUrl);
    return fromUrl ?? sessionStorage.getItem(WEB_TOKEN_KEY);
  } catch {
    return fromUrl; // storage disabled: a reload needs the printed URL again
  }
}

/** The API of this environment: the preload's in Electron, else the web-mode WebSocket (token in the URL fragment). */
export function resolveApi(store: ChatStore = chatStore): ChatApi | null {
  if (window.api) return window.api;
  const token = webToken();
  if (!token) return null;
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const connection = connectWebApi(`${scheme}//${window.location.host}/ws?token=${encodeURIComponent(token)}`);
  connection.onClose(() => store.getState().setBackendLost(true));
  return connection.api;
}
