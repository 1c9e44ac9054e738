// The ChatApi over the web-mode WebSocket: requests are {t:'req', id, name, payload} frames answered
// by {t:'res', id, result}; events arrive as {t:'evt', name, payload}. Same contract as the preload.
import {
  EVENT_NAMES,
  REQUEST_NAMES,
  eventMethodName,
  type ApiResult,
  type ChatApi,
  type EventName,
} from '../src-shared/ipc/contract.js';
import { confirmLinkText, describeLink } from '../src-shared/links.js';

/** A request the backend does not answer within this time fails instead of hanging the UI. */
const REQUEST_TIMEOUT_MS = 30_000;

export interface WebApiConnection {
  api: ChatApi;
  onClose(listener: () => void): void;
  close(): void;
}

export function connectWebApi(
  wsUrl: string,
  makeSocket: (url: string) => WebSocket = (u) => new WebSocket(u),
): WebApiConnection {
  const socket = makeSocket(wsUrl);
  // The socket URL now holds the per-run token; the page URL need not (see dropTokenFromUrl).
  dropTokenFromUrl();
  const pending = new Map<number, { resolve: (r: ApiResult<unknown>) => void; timer: ReturnType<typeof setTimeout> }>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const closeListeners = new Set<() => void>();
  const queue: string[] = [];
  let nextId = 1;
  let closed = false;

  socket.addEventListener('open', () => {
    for (const frame of queue.splice(0)) socket.send(frame);
  });
  socket.addEventListener('message', (event) => {
    let frame: { t?: unknown; id?: unknown; name?: unknown; payload?: unknown; result?: unknown };
    try {
      frame = JSON.parse(String(event.data)) as typeof frame;
    } catch {
      return;
    }
    if (frame.t === 'res' && typeof frame.id === 'number') {
      const waiter = pending.get(frame.id);
      if (!waiter) return;
      pending.delete(frame.id);
      clearTimeout(waiter.timer);
      waiter.resolve(frame.result as ApiResult<unknown>);
    } else if (frame.t === 'evt' && typeof frame.name === 'string') {
      for (const listener of listeners.get(frame.name as EventName) ?? []) listener(frame.payload);
    }
  });
  socket.addEventListener('close', () => {
    closed = true;
    for (const [id, waiter] of pending) {
      clearTimeout(waiter.timer);
      waiter.resolve({ ok: false, code: 'BACKEND_GONE', message: 'The Tincan backend is not running any more.' });
      pending.delete(id);
    }
    for (const listener of closeListeners) listener();
  });

  function request(name: string, args: unknown): Promise<ApiResult<unknown>> {
    if (closed)
      return Promise.resolve({
        ok: false,
        code: 'BACKEND_GONE',
        message: 'The Tincan backend is not running any more.',
      });
    const id = nextId++;
    const frame = JSON.stringify({ t: 'req', id, name, payload: args ?? {} });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve({ ok: false, code: 'TIMEOUT', message: 'The backend did not answer in time.' });
      }, REQUEST_TIMEOUT_MS);
      pending.set(id, { resolve, timer });
      if (socket.readyState === WebSocket.OPEN) socket.send(frame);
      else queue.push(frame);
    });
  }

  const api: Record<string, unknown> = {};
  for (const name of REQUEST_NAMES) api[name] = (args: unknown) => request(name, args);
  for (const name of EVENT_NAMES) {
    api[eventMethodName(name)] = (listener: (payload: unknown) => void) => {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    };
  }
  // Web mode has no main process and the backend cannot open the user's browser: the page asks
  // itself, showing the same normalised address as the desktop dialog, and opens the link in a new
  // tab without giving it a handle on us.
  api.openExternal = async ({ url }: { url: string }): Promise<ApiResult<null>> => {
    const link = describeLink(url);
    if (!link) return { ok: false, code: 'FORBIDDEN', message: 'That link is not opened.' };
    if (window.confirm(`Open this link in a new tab?\n\n${confirmLinkText(link)}`))
      window.open(link.href, '_blank', 'noopener,noreferrer');
    return { ok: true, value: null };
  };

  return {
    api: api as ChatApi,
    onClose: (listener) => closeListeners.add(listener),
    close: () => socket.close(),
  };
}

/**
 * Removes `token=` from the page URL's fragment, in place (history.replaceState: no new history
 * entry), so the per-run token does not stay in the address bar, the browser history or a copied
 * link. The bridge has already kept it in the tab's sessionStorage, so a reload still reconnects.
 */
export function dropTokenFromUrl(): void {
  if (typeof window === 'undefined') return;
  const params = new URLSearchParams(window.location.hash.slice(1));
  if (!params.has('token')) return;
  params.delete('token');
  const rest = params.toString();
  const url = `${window.location.pathname}${window.location.search}${rest ? `#${rest}` : ''}`;
  window.history.replaceState(window.history.state, '', url);
}
