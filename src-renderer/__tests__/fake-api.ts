// An in-memory ChatApi for renderer tests: scripted results per request, recorded calls, and
// emit() to push events exactly as the preload or the WebSocket client would.
import {
  EVENT_NAMES,
  REQUEST_NAMES,
  eventMethodName,
  type ApiResult,
  type ChatApi,
  type EventName,
  type Events,
  type RequestName,
  type RoomView,
} from '../../src-shared/ipc/contract.js';

export interface FakeApi {
  api: ChatApi;
  calls: Array<{ name: RequestName; args: unknown }>;
  /** Next results for a request (FIFO); default: a fallback per request. */
  respond(name: RequestName, ...results: ApiResult<unknown>[]): void;
  emit<K extends EventName>(name: K, payload: Events[K]): void;
  listenerCount(name: EventName): number;
}

export function roomView(over: Partial<RoomView> = {}): RoomView {
  return {
    id: 'r1',
    room: 'lobby',
    server: '127.0.0.1:7777',
    username: 'bob',
    role: 'member',
    hosted: false,
    passwordProtected: false,
    state: 'connected',
    attempt: null,
    closedReason: null,
    dialect: 'tincan',
    members: [
      { name: 'alice', host: true },
      { name: 'bob', host: false },
    ],
    share: null,
    remembered: false,
    catchUp: null,
    transport: 'plain',
    encryptedOnly: false,
    ...over,
  };
}

const FALLBACK: Partial<Record<RequestName, unknown>> = {
  listRooms: [],
  getHistory: [],
  getOlderHistory: [],
  listInterfaces: [{ value: '0.0.0.0', label: 'All IPv4 interfaces (0.0.0.0)' }],
  getPrefs: {
    displayName: 'Bob',
    recentHosts: [],
    recentRooms: [],
    hostPort: 7777,
    hostInterface: '0.0.0.0',
    hostUpnp: false,
    window: null,
    keepHistory: true,
    historyBound: 10_000,
  },
  sendMessage: { key: 'k' },
  getNearby: { rooms: [], problem: null, unlisted: [], lanUnreachable: [] },
  setRoomListed: { rooms: [], problem: null, unlisted: [], lanUnreachable: [] },
  knownHostTransport: 'unknown',
};

export function fakeApi(): FakeApi {
  const calls: FakeApi['calls'] = [];
  const queues = new Map<RequestName, ApiResult<unknown>[]>();
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  const api: Record<string, unknown> = {};
  for (const name of REQUEST_NAMES) {
    api[name] = async (args: unknown) => {
      calls.push({ name, args });
      const next = queues.get(name)?.shift();
      return next ?? { ok: true, value: FALLBACK[name] ?? null };
    };
  }
  for (const name of EVENT_NAMES) {
    api[eventMethodName(name)] = (listener: (p: unknown) => void) => {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    };
  }
  return {
    api: api as ChatApi,
    calls,
    respond: (name, ...results) => queues.set(name, [...(queues.get(name) ?? []), ...results]),
    emit: (name, payload) => listeners.get(name)?.forEach((l) => l(payload)),
    listenerCount: (name) => listeners.get(name)?.size ?? 0,
  };
}
