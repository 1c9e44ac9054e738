// Electron main: app lifecycle only. Wires the chat service, the IPC handlers, the app:// scheme,
// tincan:// invite links, the window with its security policy, preferences and desktop notifications.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Notification, app, dialog, shell, type BrowserWindow } from 'electron';
import { handleAppScheme, registerAppScheme } from './app-protocol.js';
import { installDeepLinks } from './deep-links.js';
import { createLinkOpener } from './open-link.js';
import { notificationBody } from './notification-markup.js';
import { emitTo, registerIpc } from './ipc/register.js';
import type { ChatService } from '../service/chat-service.js';
import { createBackend } from '../service/backend.js';
import { stderrLogger } from '../service/logger.js';
import { safeStorageSecrets } from './secret-store.js';
import { createMainWindow, guardWebContents, hardenSession } from './window.js';
import { messageNotification, type RoomNames } from '../../src-shared/message-notification.js';
import { EVENT_NAMES } from '../../src-shared/ipc/contract.js';

const here = dirname(fileURLToPath(import.meta.url));
const logger = stderrLogger('tincan');
const devServerUrl = !app.isPackaged && process.env.ELECTRON_RENDERER_URL ? process.env.ELECTRON_RENDERER_URL : null;

// Separate profiles (tests, several identities) via --user-data-dir.
const userDataSwitch = app.commandLine.getSwitchValue('user-data-dir');
if (userDataSwitch) app.setPath('userData', userDataSwitch);

app.enableSandbox();
registerAppScheme();
guardWebContents();

let win: BrowserWindow | null = null;
let service: ChatService | null = null;
/** The room the renderer shows (setActiveRoom), for the notification rule. */
let roomInView: string | null = null;

function showWindow(): void {
  if (!win) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

// Before ready (macOS open-url) and after the userData switch (the single-instance lock lives there).
const deepLinks = installDeepLinks({ warn: (reason) => logger.warn('deep-link-ignored', { reason }), showWindow });
if (!deepLinks.primary) app.quit();

async function start(): Promise<void> {
  const backend = createBackend({
    dataDir: app.getPath('userData'),
    logger,
    secrets: safeStorageSecrets,
    hooks: {
      openExternal: createLinkOpener({
        showMessageBox: (options) => (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options)),
        openExternal: (url) => shell.openExternal(url),
      }),
      setActiveRoom: (roomId) => {
        roomInView = roomId;
      },
    },
  });
  const { prefs, dispatch } = backend;
  service = backend.service;
  hardenSession(devServerUrl);
  handleAppScheme(join(here, '../renderer'));
  registerIpc(dispatch, devServerUrl, logger);

  win = createMainWindow({ preloadPath: join(here, '../preload/index.cjs'), size: prefs.get().window, devServerUrl });
  win.on('close', () => {
    if (!win) return;
    const [width, height] = win.getSize();
    if (width && height) prefs.update({ window: { width, height } });
  });
  win.on('closed', () => {
    win = null;
    deepLinks.inbox.detach();
  });
  // Links wait until the renderer listens; a reload drops its listeners, so they wait again.
  win.webContents.on('did-start-loading', () => deepLinks.inbox.detach());
  win.webContents.on('did-finish-load', () =>
    deepLinks.inbox.attach((opened) =>
      'link' in opened
        ? emitTo(win, 'joinLink', opened.link)
        : emitTo(win, 'joinLinkRefused', { reason: opened.refused }),
    ),
  );

  for (const name of EVENT_NAMES) service.on(name, (payload) => emitTo(win, name, payload as never));

  // Background lines and mentions of you notify (src-shared/message-notification.ts says when). Each room's
  // names are kept from its updates, so a busy room costs no room listing per line.
  const roomNames = new Map<string, RoomNames>();
  service.on('roomUpdated', (view) => roomNames.set(view.id, { room: view.room, username: view.username }));
  service.on('roomRemoved', ({ roomId }) => roomNames.delete(roomId));
  service.on('roomMessage', ({ roomId, entry }) => {
    if (!win || !Notification.isSupported()) return;
    const scene = { windowFocused: win.isFocused(), roomInView };
    const words = messageNotification(roomId, entry, roomNames.get(roomId) ?? null, scene);
    if (!words) return;
    const note = new Notification({ ...words, body: notificationBody(words.body, process.platform), silent: false });
    note.on('click', () => {
      if (!win) return;
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
      emitTo(win, 'focusRoom', { roomId });
    });
    note.show();
  });
}

app
  .whenReady()
  .then(() => (deepLinks.primary ? start() : undefined))
  .catch((err: Error) => {
    logger.error('startup-failed', { error: err.stack ?? err.message });
    app.exit(1);
  });

app.on('window-all-closed', () => app.quit());

// Leave rooms and stop the embedded server before the process goes, at most a few seconds.
let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || !service) return;
  event.preventDefault();
  quitting = true;
  void service.shutdown(3000).finally(() => app.quit());
});
