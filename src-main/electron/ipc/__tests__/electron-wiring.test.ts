// The Electron wiring with a stand-in `electron` module (the binary is not needed): IPC handlers
// check the sender before the payload, the session refuses network and permissions, and every web
// contents gets navigation guards.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { must } from '../../../../test/support/must.js';

const electron = vi.hoisted(() => {
  const handlers = new Map<string, (event: unknown, payload: unknown) => Promise<unknown>>();
  const appListeners = new Map<string, (...args: unknown[]) => void>();
  const session = {
    beforeRequest: null as null | ((d: { url: string }, cb: (r: { cancel: boolean }) => void) => void),
    headers: null as
      | null
      | ((
          d: { responseHeaders: Record<string, string[]> },
          cb: (r: { responseHeaders: Record<string, string[]> }) => void,
        ) => void),
    permissionRequest: null as null | ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void),
    permissionCheck: null as null | ((wc: unknown, permission: string) => boolean),
  };
  return {
    handlers,
    appListeners,
    session,
    module: {
      ipcMain: {
        handle: (channel: string, fn: (event: unknown, payload: unknown) => Promise<unknown>) =>
          handlers.set(channel, fn),
        removeHandler: (channel: string) => handlers.delete(channel),
      },
      app: { on: (name: string, fn: (...args: unknown[]) => void) => appListeners.set(name, fn) },
      session: {
        defaultSession: {
          webRequest: {
            onBeforeRequest: (fn: typeof session.beforeRequest) => (session.beforeRequest = fn),
            onHeadersReceived: (fn: typeof session.headers) => (session.headers = fn),
          },
          setPermissionRequestHandler: (fn: typeof session.permissionRequest) => (session.permissionRequest = fn),
          setPermissionCheckHandler: (fn: typeof session.permissionCheck) => (session.permissionCheck = fn),
        },
      },
      BrowserWindow: class {},
    },
  };
});

vi.mock('electron', () => electron.module);

const { registerIpc } = await import('../register.js');
const { guardWebContents, hardenSession } = await import('../../window.js');
const { REQUEST_NAMES, requestChannel } = await import('../../../../src-shared/ipc/contract.js');

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const top = (url: string) => ({ senderFrame: { url, parent: null } });

describe('registerIpc', () => {
  beforeEach(() => electron.handlers.clear());

  it('registers one handler per request that refuses foreign frames before dispatching', async () => {
    const dispatch = vi.fn(async () => ({ ok: true as const, value: [] }));
    registerIpc(dispatch, null, silent);
    const handler = must(electron.handlers.get(requestChannel('listRooms')), 'the listRooms handler');
    expect(electron.handlers.size).toBe(REQUEST_NAMES.length);
    expect(await handler(top('app://tincan/index.html'), {})).toEqual({ ok: true, value: [] });
    expect(dispatch).toHaveBeenCalledWith('listRooms', {});
    for (const event of [
      top('https://evil.example/'),
      top('file:///x'),
      { senderFrame: { url: 'app://tincan/', parent: {} } },
      { senderFrame: null },
    ]) {
      expect(await handler(event, {})).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    }
    expect(dispatch).toHaveBeenCalledTimes(1);
  });
});

describe('session and navigation policy', () => {
  it('cancels renderer network except app://, and sets the strict CSP', () => {
    hardenSession(null);
    const decide = (url: string) => {
      let cancel: boolean | undefined;
      electron.session.beforeRequest!({ url }, (r) => (cancel = r.cancel));
      return cancel;
    };
    expect(decide('app://tincan/assets/x.js')).toBe(false);
    expect(decide('https://example.com/')).toBe(true);
    expect(decide('http://127.0.0.1:7777/')).toBe(true);
    expect(decide('ws://127.0.0.1:1/')).toBe(true);
    expect(decide('file:///etc/passwd')).toBe(true);
    let headers: Record<string, string[]> = {};
    electron.session.headers!({ responseHeaders: {} }, (r) => (headers = r.responseHeaders));
    expect(headers['Content-Security-Policy']?.[0]).toMatch(/script-src 'self';/);
    expect(headers['Content-Security-Policy']?.[0]).not.toMatch(/unsafe/);
  });

  it('grants only notifications and clipboard writes', () => {
    hardenSession(null);
    const asked: Record<string, boolean> = {};
    for (const p of ['notifications', 'clipboard-sanitized-write', 'geolocation', 'media', 'openExternal']) {
      electron.session.permissionRequest!(null, p, (ok) => (asked[p] = ok));
    }
    expect(asked).toEqual({
      notifications: true,
      'clipboard-sanitized-write': true,
      geolocation: false,
      media: false,
      openExternal: false,
    });
    expect(electron.session.permissionCheck!(null, 'geolocation')).toBe(false);
  });

  it('prevents navigation, webviews and new windows in every web contents', () => {
    guardWebContents();
    const events = new Map<string, (e: { preventDefault: () => void }) => void>();
    let openHandler: ((d: { url: string }) => { action: string }) | null = null;
    const contents = {
      on: (name: string, fn: (e: { preventDefault: () => void }) => void) => events.set(name, fn),
      setWindowOpenHandler: (fn: typeof openHandler) => (openHandler = fn),
    };
    electron.appListeners.get('web-contents-created')!({}, contents);
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const preventDefault = vi.fn();
      events.get(name)!({ preventDefault });
      expect(preventDefault).toHaveBeenCalled();
    }
    expect(openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
  });
});
