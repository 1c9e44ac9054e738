// The only preload. Sandboxed, bundled to one CJS file: it may import nothing but electron and the
// contract constants. It exposes named methods only: one per request (bound to its own channel) and
// one onX(listener) per event that passes just the payload and returns an unsubscribe function.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  EVENT_NAMES,
  REQUEST_NAMES,
  eventChannel,
  eventMethodName,
  requestChannel,
  type ChatApi,
} from '../../src-shared/ipc/contract.js';

const api: Record<string, unknown> = {};

for (const name of REQUEST_NAMES) {
  const channel = requestChannel(name);
  api[name] = (args: unknown) => ipcRenderer.invoke(channel, args ?? {});
}

for (const name of EVENT_NAMES) {
  const channel = eventChannel(name);
  api[eventMethodName(name)] = (listener: unknown) => {
    if (typeof listener !== 'function') throw new TypeError(`${eventMethodName(name)} needs a function`);
    const forward = (_event: IpcRendererEvent, payload: unknown) => (listener as (p: unknown) => void)(payload);
    ipcRenderer.on(channel, forward);
    return () => {
      ipcRenderer.removeListener(channel, forward);
    };
  };
}

contextBridge.exposeInMainWorld('api', Object.freeze(api) as ChatApi);
