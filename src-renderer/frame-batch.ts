// Collects chat lines as they arrive and hands them to the store once per animation frame, grouped
// by room: a burst of 100 lines a second costs a few store updates and renders, not 100. A timer
// backs the frame up, since hidden windows get no frames but still count unread lines.
import type { ChatEntry, RoomId } from '../src-shared/ipc/contract.js';

const HIDDEN_FLUSH_MS = 250;

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

  function cancel(): void {
    if (frame !== null) cancelAnimationFrame(frame);
    if (timer !== null) clearTimeout(timer);
    frame = null;
    timer = null;
  }

  function flush(): void {
    cancel();
    if (queued.size === 0) return;
    const batch = queued;
    queued = new Map();
    for (const [roomId, entries] of batch) apply(roomId, entries);
  }

  return {
    add(roomId, entry) {
      const list = queued.get(roomId);
      if (list) list.push(entry);
      else queued.set(roomId, [entry]);
      if (frame === null && typeof requestAnimationFrame === 'function') frame = requestAnimationFrame(flush);
      timer ??= setTimeout(flush, HIDDEN_FLUSH_MS);
    },
    flush,
    dispose() {
      cancel();
      queued.clear();
    },
  };
}
