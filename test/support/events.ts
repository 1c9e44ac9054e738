// Awaiting an event instead of sleeping: resolves with the arguments of the next matching emission.
import type { EventEmitter } from 'node:events';

type EventMap<T> = Record<keyof T, unknown[]>;

/**
 * The next `event` from `emitter` whose arguments satisfy `matches`; rejects after `timeoutMs`.
 * Subscribe before causing the event (call this, then act, then await the promise).
 */
export function waitForEvent<M extends EventMap<M>, K extends keyof M & string>(
  emitter: EventEmitter<M>,
  event: K,
  matches: (...args: M[K]) => boolean = () => true,
  timeoutMs = 3_000,
): Promise<M[K]> {
  // The typed overloads of EventEmitter<M> do not accept a generic key; the plain emitter API does.
  const plain = emitter as EventEmitter;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      plain.off(event, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for "${event}"`));
    }, timeoutMs);
    function listener(...args: unknown[]): void {
      const typed = args as M[K];
      if (!matches(...typed)) return;
      clearTimeout(timer);
      plain.off(event, listener);
      resolve(typed);
    }
    plain.on(event, listener);
  });
}
