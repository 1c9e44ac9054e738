// The client library's public surface.
export { ChatClient } from './chat-client.js';
export { ChatSessionError, HandshakeError, NotConnectedError } from './errors.js';
// The app's rooms keep what they have shown across client instances (and runs) with the same rule.
export { SeenMessages } from './seen-messages.js';
export { handshake, type HandshakeOptions, type HandshakeResult } from './handshake.js';
export type {
  ChatClientApi,
  ClientEvents,
  ClientOptions,
  ClientRole,
  ConnectInfo,
  ConnectionState,
  CreateChatClient,
  Dialect,
  Member,
} from './types.js';
export type { TransportFailure } from './errors.js';
