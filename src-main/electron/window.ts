// Security defaults in one place: the window's webPreferences, the session's network, permission and
// header policy, and the navigation guards every web contents gets.
import { BrowserWindow, app, session, type WebContents } from 'electron';
import { APP_ORIGIN, APP_SCHEME } from './ipc/sender.js';
import { RENDERER_CSP } from '../web/static-files.js';
import type { WindowSize } from '../../src-shared/ipc/contract.js';

/** The only permissions the UI ever needs: desktop notifications and writing to the clipboard. */
const ALLOWED_PERMISSIONS = new Set(['notifications', 'clipboard-sanitized-write']);

export interface WindowOptions {
  preloadPath: string;
  size: WindowSize | null;
  /** Vite dev server (unpackaged dev runs only). */
  devServerUrl: string | null;
}

export function createMainWindow(opts: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: opts.size?.width ?? 1100,
    height: opts.size?.height ?? 720,
    minWidth: 640,
    minHeight: 420,
    show: false,
    title: 'Tincan',
    backgroundColor: '#0f172a',
    webPreferences: {
      preload: opts.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      // Middle-click cannot open anything anyway (windows are denied); this removes the path entirely.
      disableBlinkFeatures: 'Auxclick',
      spellcheck: true,
      // DevTools can read and drive everything the UI holds; only for development runs.
      devTools: !app.isPackaged,
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(opts.devServerUrl ?? `${APP_ORIGIN}/index.html`);
  return win;
}

function isAllowedRequest(url: string, devServerUrl: string | null): boolean {
  if (url.startsWith(`${APP_SCHEME}://`) || url.startsWith('devtools://') || url.startsWith('data:')) return true;
  if (devServerUrl) {
    const dev = new URL(devServerUrl);
    // HMR needs the dev server over http and ws.
    return url.startsWith(dev.origin) || url.startsWith(`ws://${dev.host}`);
  }
  return false;
}

/** Session-wide policy: no renderer network but app://, strict CSP, permissions denied but a few. */
export function hardenSession(devServerUrl: string | null): void {
  const ses = session.defaultSession;
  ses.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isAllowedRequest(details.url, devServerUrl) });
  });
  ses.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders };
    // The dev server injects inline scripts for HMR; production never relaxes the policy.
    headers['Content-Security-Policy'] = [
      devServerUrl
        ? RENDERER_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
            "connect-src 'self'",
            `connect-src 'self' ws://${new URL(devServerUrl).host}`,
          )
        : RENDERER_CSP,
    ];
    callback({ responseHeaders: headers });
  });
  ses.setPermissionRequestHandler((_contents, permission, callback) => callback(ALLOWED_PERMISSIONS.has(permission)));
  ses.setPermissionCheckHandler((_contents, permission) => ALLOWED_PERMISSIONS.has(permission));
}

/** Navigation guards for every web contents that will ever exist. */
export function guardWebContents(): void {
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    // Links go through the openExternal request (scheme allowlist, user confirmation); never a new window.
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}
