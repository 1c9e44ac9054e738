// Electron main: app lifecycle only. Wires the chat service, the IPC handlers, the app:// scheme,
// the window with its security policy, preferences and desktop notifications.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserWindow, Notification, app, shell } from 'electron';
import { handleAppScheme, registerAppScheme } from './app-protocol.js';
import { emitTo, registerIpc } from './ipc/register.js';
import { PrefsStore } from '../prefs/prefs-store.js';
import { ChatService } from '../service/chat-service.js';
import { createDispatcher } from '../service/dispatch.js';
import { realFactories } from '../service/factories.js';
import { stderrLogger } from '../service/logger.js';
import { createMainWindow, guardWebContents, hardenSession } from './window.js';
import { EVENT_NAMES } from '../../src-shared/ipc/contract.js';
import { plainDisplayText } from '../../src-shared/display-text.js';

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
let _activeRoom: string | null = null;
let service: ChatService | null = null;

async function start(): Promise<void> {
  const prefs = new PrefsStore(app.getPath('userData'), (msg) => logger.warn(msg));
  service = new ChatService({
    factories: realFactories,
    logger,
    onJoined: (info) =>
      prefs.remember({ displayName: info.displayName, room: info.room, ...(info.host ? { host: info.host } : {}) }),
  });
  const dispatch = createDispatcher(
    service,
    prefs,
    {
      openExternal: (url) => shell.openExternal(url),
      setActiveRoom: (roomId) => {
        _activeRoom = roomId;
      },
    },
    logger,
  );
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
  });

  for (const name of EVENT_NAMES) service.on(name, (payload) => emitTo(win, name, payload as never));

  // A message while the window is in the background: then no room is in focus. (With the window
  // focused, the sidebar unread counts are enough.) _activeRoom is kept for future per-room muting.
  service.on('roomMessage', ({ roomId, entry }) => {
    if (entry.kind !== 'chat' || entry.own || !win || win.isFocused()) return;
    if (!Notification.isSupported()) return;
    const room = service?.listRooms().find((r) => r.id === roomId)?.room ?? 'Tincan';
    // Peer text, drawn by the OS: one plain line, no bidi or invisible characters, bounded.
    const note = new Notification({
      title: plainDisplayText(`${entry.from} in ${room}`, 80),
      body: plainDisplayText(entry.text, 200),
      silent: false,
    });
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
  .then(start)
  .catch((err: Error) => {
    logger.error('startup-failed', { err });
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
