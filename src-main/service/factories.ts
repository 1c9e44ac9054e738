// The real chat library behind the service's ports.
import { ChatClient, ChatServer } from '../engine/index.js';
import type { ChatFactories } from './ports.js';

export const realFactories: ChatFactories = {
  // A room hosted from the app has a handful of members: plain node:dgram is plenty, and the app
  // (Electron or web mode) then never loads native code. `tincan serve` uses the native UDP path.
  createServer: (options) => new ChatServer({ ...options, nativeUdp: false }),
  createClient: (options) => new ChatClient(options),
};
