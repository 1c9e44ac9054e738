// Test helper: resolves with the arguments of the client's next matching event, or fails after a bounded wait.
import type { ChatClientApi, ClientEvents } from '../../src-main/engine/index.js';

export function waitForEvent<K extends keyof ClientEvents>(
  client: ChatClientApi,
  event: K,
  matches: (...args: ClientEvents[K]) => boolean = () => true,
  timeoutMs = 3000,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(event, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for "${event}"`));
    }, timeoutMs);
    function listener(...args: ClientEvents[K]): void {
      if (!matches(...args)) return;
      clearTimeout(timer);
      client.off(event, listener);
      resolve(args);
    }
    client.on(event, listener);
  });
}
