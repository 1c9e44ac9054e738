// One request dispatcher for both transports: the Electron IPC handlers and the web-mode WebSocket
// call it with a request name and an untrusted payload. It validates the payload against the shared
// contract, calls the service and always answers with an ApiResult (never throws).
import type { ApiResult, RequestName, Requests } from '../../src-shared/ipc/contract.js';
import { isRequestName, parseRequest } from '../../src-shared/ipc/validate.js';
import { externalLinkProblem, type LinkProblem } from '../../src-shared/links.js';
import type { PrefsStore } from '../prefs/prefs-store.js';
import type { ChatService } from './chat-service.js';
import { ServiceError } from './service-error.js';
import type { Logger } from './logger.js';

/** What differs between Electron and web mode. */
export interface PlatformHooks {
  /** Opens an allowed link after the user confirmed it (Electron: main's own dialog). */
  openExternal?(url: string): Promise<unknown> | void;
  setActiveRoom?(roomId: string | null): void;
}

type Handlers = {
  [K in RequestName]: (args: Requests[K]['args']) => Promise<Requests[K]['result']> | Requests[K]['result'];
};

export type Dispatch = (name: unknown, payload: unknown) => Promise<ApiResult<unknown>>;

const LINK_REFUSAL: Record<LinkProblem, string> = {
  deceptive: 'That link contains invisible or direction-changing characters and is not opened.',
  invalid: 'That is not a valid link.',
  scheme: 'Links of that type are not opened.',
};

/** The link as it will be opened; refuses what the renderer should never have offered. */
export function checkExternalUrl(url: string): URL {
  const problem = externalLinkProblem(url);
  if (problem) throw new ServiceError(problem === 'invalid' ? 'BAD_ARGS' : 'FORBIDDEN', LINK_REFUSAL[problem]);
  return new URL(url);
}

export function createDispatcher(
  service: ChatService,
  prefs: PrefsStore,
  hooks: PlatformHooks = {},
  log?: Logger,
): Dispatch {
  const handlers: Handlers = {
    hostRoom: (args) => service.hostRoom(args),
    joinRoom: (args) => service.joinRoom(args),
    rejoinRoom: (args) => service.rejoinRoom(args.roomId, args.password),
    sendMessage: (args) => service.sendMessage(args.roomId, args.text),
    leaveRoom: async (args) => {
      await service.leaveRoom(args.roomId);
      return null;
    },
    closeRoom: async (args) => {
      await service.closeRoom(args.roomId);
      return null;
    },
    dismissRoom: async (args) => {
      await service.dismissRoom(args.roomId);
      return null;
    },
    listRooms: () => service.listRooms(),
    getHistory: (args) => service.getHistory(args.roomId),
    listInterfaces: () => service.listInterfaces(),
    getPrefs: () => prefs.get(),
    setPrefs: (args) => prefs.update(args),
    setActiveRoom: (args) => {
      hooks.setActiveRoom?.(args.roomId);
      return null;
    },
    openExternal: async (args) => {
      const url = checkExternalUrl(args.url);
      if (!hooks.openExternal) throw new ServiceError('FORBIDDEN', 'Opening links is not available here.');
      await hooks.openExternal(url.href);
      return null;
    },
    // nearby rooms (#17 item 1)
    getNearby: () => service.getNearby(),
    setRoomListed: (args) => service.setRoomListed(args.roomId, args.listed),
    // host tools (#14 item 7)
    kickMember: (args) => {
      service.kickMember(args.roomId, args.name);
      return null;
    },
    setRoomPassword: async (args) => {
      await service.setRoomPassword(args.roomId, args.password);
      return null;
    },
    notifyTyping: (args) => {
      service.notifyTyping(args.roomId);
      return null;
    },
    // history persistence (#14 item 2)
    getOlderHistory: (args) => service.getOlderHistory(args.roomId, args.before, args.limit),
    clearHistory: (args) => {
      service.clearHistory(args.roomId);
      return null;
    },
    // encrypted transport (#16)
    trustHostCertificate: (args) => {
      service.trustHostCertificate(args.host, args.port, args.fingerprint);
      return null;
    },
    knownHostTransport: (args) => service.knownHostTransport(args.address),
  };

  return async (name, payload) => {
    if (!isRequestName(name))
      return { ok: false, code: 'BAD_ARGS', message: `unknown request "${String(name).slice(0, 40)}"` };
    const parsed = parseRequest(name, payload);
    if (!parsed.ok) return parsed;
    try {
      const handler = handlers[name] as (args: unknown) => unknown;
      const value = await handler(parsed.value);
      return { ok: true, value };
    } catch (err) {
      if (err instanceof ServiceError) {
        const { certificateChange } = err;
        return { ok: false, code: err.code, message: err.message, ...(certificateChange ? { certificateChange } : {}) };
      }
      log?.error('request-failed', { request: name, error: (err as Error).stack ?? String(err) });
      return { ok: false, code: 'INTERNAL', message: 'Something went wrong inside the app; see the log.' };
    }
  };
}
