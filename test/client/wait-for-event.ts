// Test helper: resolves with the arguments of the client's next matching event, or fails after a bounded wait.
import type { ChatClient } from '../../src-main/engine/client/chat-client.js';
import type { ClientEvents } from '../../src-main/engine/client/types.js';

export function waitForEvent<K extends keyof ClientEvents>(
  client: ChatClient,
  event: K,
  matches: (...args: ClientEvents[K]) => boolean = () => true,
  timeoutMs = 3000,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const emitter = client as unknown as import('node:events').EventEmitter;
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for "${event}"`));
    }, timeoutMs);
    function listener(...args: unknown[]): void {
      if (!matches(...(args as ClientEvents[K]))) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(args as ClientEvents[K]);
    }
    emitter.on(event, listener);
  });
}
