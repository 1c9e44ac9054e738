// The client library's public surface.
export { ChatClient } from './chat-client.js';
export { ChatSessionError, HandshakeError, NotConnectedError, TrustError } from './errors.js';
export {
  handshake,
  type CertificateTrust,
  type EncryptionPolicy,
  type HandshakeOptions,
  type HandshakeResult,
} from './handshake.js';
export {
  hostKeyOf,
  KnownHostsFile,
  MemoryTrustStore,
  PLAIN_ENTRY,
  type KnownHostEntry,
  type TrustStore,
} from './known-hosts.js';
// encrypted transport (#16): a member's sealed UDP session (the bench's simulated members use it as is)
export { OPENED_REPLY, SealedChannel, type Opened, type SealedDrops, type SealingLoan } from './sealed-channel.js';
// The app's rooms keep what they have shown across client instances (and runs) with the same rule.
export { SeenMessages } from './seen-messages.js';
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
