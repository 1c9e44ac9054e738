// Collects chat lines as they arrive and hands them to the store once per animation frame, grouped
// by room: a burst of 100 lines a second costs a few store updates and renders, not 100. A timer
// backs the frame up, since hidden windows get no frames but still count unread lines.
// Typing comes first: a frame that follows a keystroke (any `input` in the page) is left to the
// keystroke's echo, and the lines wait for the next frame. Re-rendering and laying out the list in
// the same frame would hold the echo back by the list's work, and in a busy room that is most frames.
import type { ChatEntry, RoomId } from '../src-shared/ipc/contract.js';

const HIDDEN_FLUSH_MS = 250;
/** An input this recent (one frame at 60 Hz) has its echo in the coming frame. */
const ECHO_FRAME_MS = 16;

export interface FrameBatch {
  add(roomId: RoomId, entry: ChatEntry): void;
  /** Applies what is queued now (before any event that must not overtake the queued lines). */
  flush(): void;
  dispose(): void;
}

export function createFrameBatch(apply: (roomId: RoomId, entries: ChatEntry[]) => void): FrameBatch {
  let queued = new Map<RoomId, ChatEntry[]>();
  let frame: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastInputAt = -Infinity;
  // Lines yield to a keystroke once per batch, so fast typing delays them by one frame at most.
  let yielded = false;
  const noteInput = () => {
    lastInputAt = performance.now();
  };
  const doc = typeof document === 'undefined' ? null : document;
  doc?.addEventListener('input', noteInput, { capture: true, passive: true });

  function cancel(): void {
    if (frame !== null) cancelAnimationFrame(frame);
    if (timer !== null) clearTimeout(timer);
    frame = null;
    timer = null;
  }

  function flush(): void {
    cancel();
    yielded = false;
    if (queued.size === 0) return;
    const batch = queued;
    queued = new Map();
    for (const [roomId, entries] of batch) apply(roomId, entries);
  }

  function onFrame(): void {
    if (!yielded && performance.now() - lastInputAt < ECHO_FRAME_MS) {
      yielded = true;
      frame = requestAnimationFrame(onFrame);
      return;
    }
    flush();
  }

  return {
    add(roomId, entry) {
      const list = queued.get(roomId);
      if (list) list.push(entry);
      else queued.set(roomId, [entry]);
      if (frame === null && typeof requestAnimationFrame === 'function') frame = requestAnimationFrame(onFrame);
      timer ??= setTimeout(flush, HIDDEN_FLUSH_MS);
    },
    flush,
    dispose() {
      cancel();
      queued.clear();
      doc?.removeEventListener('input', noteInput, { capture: true });
    },
  };
}
