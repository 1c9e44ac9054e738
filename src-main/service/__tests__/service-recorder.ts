// Test support: records what a ChatService reports (every roomUpdated view, the history by key) and
// waits for a condition by re-checking it on each reported event, not on a timer.
import type { ChatEntry, RoomView } from '../../../src-shared/ipc/contract.js';
import type { ChatService } from '../chat-service.js';

export interface Recorder {
  views: Map<string, RoomView>;
  entries: Map<string, ChatEntry[]>;
  /** Every roomUpdated, in order. */
  updates: RoomView[];
  /** Resolves once `check` holds (tested now and after each event); rejects after timeoutMs. */
  until(what: string, check: () => boolean, timeoutMs?: number): Promise<void>;
}

export function record(service: ChatService): Recorder {
  const waiters = new Set<() => void>();
  const changed = () => waiters.forEach((wake) => wake());
  const rec: Recorder = {
    views: new Map(),
    entries: new Map(),
    updates: [],
    until(what, check, timeoutMs = 5000) {
      if (check()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`timed out waiting for ${what}`));
        }, timeoutMs);
        const wake = () => {
          if (!check()) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        };
        waiters.add(wake);
      });
    },
  };
  service.on('roomUpdated', (view) => {
    rec.views.set(view.id, view);
    rec.updates.push(view);
    changed();
  });
  service.on('roomMessage', ({ roomId, entry }) => {
    const list = rec.entries.get(roomId) ?? [];
    const i = list.findIndex((e) => e.key === entry.key);
    if (i >= 0) list[i] = entry;
    else list.push(entry);
    rec.entries.set(roomId, list);
    changed();
  });
  return rec;
}

export const texts = (rec: Recorder, roomId: string): string[] => (rec.entries.get(roomId) ?? []).map((e) => e.text);
