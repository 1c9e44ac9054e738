// The client library's public surface.
export { ChatClient } from './chat-client.js';
export { ChatSessionError, HandshakeError, NotConnectedError } from './errors.js';
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
