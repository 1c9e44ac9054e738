// The real chat library behind the service's ports.
import { ChatClient } from '../chat/client/chat-client.js';
import { ChatServer } from '../chat/server/chat-server.js';
import type { ChatFactories } from './ports.js';

export const realFactories: ChatFactories = {
  // A room hosted from the app has a handful of members: plain node:dgram is plenty, and the app
  // (Electron or web mode) then never loads native code. `tincan serve` uses the native UDP path.
  createServer: (options) => new ChatServer({ ...options, nativeUdp: false }),
  createClient: (options) => new ChatClient(options),
};
