// Desktop notifications in web mode, through the browser's Notification API. Which lines notify and
// their words come from the same rule as the desktop app's (src-shared/message-notification.ts); the
// page stands in for Electron's main process: "window focused" is this tab being visible and focused,
// and a click brings the tab forward and opens the room. The browser is asked for permission only
// when the user turns notifications on (a click on the preference), never on its own; the choice is
// kept in localStorage, like the other UI-only flags.
import type { ChatEntry, RoomId } from '../src-shared/ipc/contract.js';
import { messageNotification } from '../src-shared/message-notification.js';
import type { ChatStore } from './store/chat-store.js';

const ENABLED_KEY = 'tincan.webNotifications';

/** What the preference shows: no API here, off, on, or refused by the browser (only its settings can undo that). */
export type WebNotificationState = 'unsupported' | 'off' | 'on' | 'blocked';

function readEnabled(): boolean {
  try {
    return globalThis.localStorage?.getItem(ENABLED_KEY) === '1';
  } catch {
    return false;
  }
}

function writeEnabled(on: boolean): void {
  try {
    globalThis.localStorage?.setItem(ENABLED_KEY, on ? '1' : '0');
  } catch {
    // Storage refused: the choice still holds until the page closes.
  }
  enabled = on;
}

/** Read once per page: every incoming line consults it. */
let enabled = readEnabled();

export function webNotificationState(): WebNotificationState {
  if (typeof Notification === 'undefined') return 'unsupported';
  if (Notification.permission === 'denied') return 'blocked';
  return enabled && Notification.permission === 'granted' ? 'on' : 'off';
}

/** Turns notifications on or off; turning them on asks the browser, so call it from a user's action. */
export async function setWebNotifications(on: boolean): Promise<WebNotificationState> {
  if (typeof Notification === 'undefined') return 'unsupported';
  if (!on) {
    writeEnabled(false);
    return webNotificationState();
  }
  const permission = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
  writeEnabled(permission === 'granted');
  return webNotificationState();
}

/** Shows the line as a notification if the shared rule says so (the bridge calls it for every line). */
export function notifyWebLine(store: ChatStore, roomId: RoomId, entry: ChatEntry): void {
  if (!enabled || webNotificationState() !== 'on') return;
  const state = store.getState();
  const view = state.rooms[roomId];
  const scene = {
    windowFocused: document.visibilityState === 'visible' && document.hasFocus(),
    roomInView: state.screen === 'room' ? state.activeRoomId : null,
  };
  const words = messageNotification(roomId, entry, view ? { room: view.room, username: view.username } : null, scene);
  if (!words) return;
  try {
    const note = new Notification(words.title, { body: words.body });
    note.onclick = () => {
      window.focus();
      note.close();
      store.getState().focusRoom(roomId);
    };
  } catch {
    // A browser may refuse to construct one (e.g. outside a secure context): the line is still in the room.
  }
}
