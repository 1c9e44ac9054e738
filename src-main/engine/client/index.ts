// The client library's public surface.
export { ChatClient } from './chat-client.js';
export { ChatSessionError, HandshakeError, NotConnectedError } from './errors.js';
export { handshake, type HandshakeOptions, type HandshakeResult } from './handshake.js';
export type { ClientEvents, ClientOptions, ClientRole, ConnectionState, Dialect, Member } from './types.js';
export type { TransportFailure } from './errors.js';
