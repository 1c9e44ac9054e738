// Wires the contract to ipcMain: every request channel gets a handler that checks the sender frame,
// then lets the shared dispatcher validate the payload and call the service. Errors come back as
// {ok:false, code, message} results, since thrown errors lose everything but their message over IPC.
import { ipcMain, type BrowserWindow } from 'electron';
import {
  REQUEST_NAMES,
  eventChannel,
  requestChannel,
  type EventName,
  type Events,
} from '../../../src-shared/ipc/contract.js';
import type { Dispatch } from '../../service/dispatch.js';
import type { Logger } from '../../service/logger.js';
import { isTrustedFrame } from './sender.js';

export function registerIpc(dispatch: Dispatch, devServerUrl: string | null, log: Logger): () => void {
  for (const name of REQUEST_NAMES) {
    ipcMain.handle(requestChannel(name), async (event, payload: unknown) => {
      if (!isTrustedFrame(event.senderFrame, devServerUrl)) {
        log.warn('ipc-refused', { request: name, frame: event.senderFrame?.url ?? null });
        return { ok: false, code: 'FORBIDDEN', message: 'This frame may not use the chat API.' };
      }
      return dispatch(name, payload);
    });
  }
  return () => REQUEST_NAMES.forEach((name) => ipcMain.removeHandler(requestChannel(name)));
}

/** Typed main → renderer push. */
export function emitTo<K extends EventName>(win: BrowserWindow | null, name: K, payload: Events[K]): void {
  if (!win || win.isDestroyed() || win.webContents.isDestroyed()) return;
  win.webContents.send(eventChannel(name), payload);
}
