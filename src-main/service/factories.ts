// The real chat library behind the service's ports.
import { ChatClient } from '../chat/client/chat-client.js';
import { ChatServer } from '../chat/server/chat-server.js';
import type { ChatFactories } from './ports.js';

export const realFactories: ChatFactories = {
  createServer: (options) => new ChatServer(options),
  createClient: (options) => new ChatClient(options),
};
