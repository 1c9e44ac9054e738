// Which incoming lines become a desktop notification, and its words: one rule for both adapters
// (Electron's main process and web mode's page, src-renderer/web-notifications.ts), pure TS so it
// is testable in plain Node. A line in the room you look at, in a focused window, is already seen;
// with the window focused, other rooms' lines are counted in the sidebar, but a line naming you is
// worth interrupting for; with the window in the background, every line notifies (a mention says so).
import type { ChatEntry } from './ipc/contract.js';
import { plainDisplayText } from './display-text.js';
import { mentionsName } from './mentions.js';

export interface NotificationScene {
  windowFocused: boolean;
  /** The room the user looks at (the renderer's setActiveRoom), or null. */
  roomInView: string | null;
}

export interface RoomNames {
  /** The room's name. */
  room: string;
  /** Your name in it. */
  username: string;
}

/** Title and body as the OS should draw them (plain, one line, bounded), or null: no notification. */
export function messageNotification(
  roomId: string,
  entry: ChatEntry,
  names: RoomNames | null,
  scene: NotificationScene,
): { title: string; body: string } | null {
  if (entry.kind !== 'chat' || entry.own) return null;
  const mention = names !== null && mentionsName(entry.text, names.username);
  const seen = scene.windowFocused && (!mention || scene.roomInView === roomId);
  if (seen) return null;
  const room = names?.room ?? 'Tincan';
  // Peer text, drawn by the OS: one plain line, no bidi or invisible characters, bounded.
  return {
    title: plainDisplayText(mention ? `${entry.from} mentioned you in ${room}` : `${entry.from} in ${room}`, 80),
    body: plainDisplayText(entry.text, 200),
  };
}
