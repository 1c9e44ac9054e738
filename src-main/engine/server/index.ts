// The server side of the engine's public surface: a single-process server, the sharded server
// behind `tincan serve --workers N`, their options, stats and events.
export { ChatServer, type RoomSummary, type ServerStats } from './chat-server.js';
export { ShardedChatServer, type ShardedOptions, type ShardStats } from './sharded-server.js';
export { DEFAULT_SERVER_OPTIONS, type ServerOptions } from './options.js';
export { normaliseIp } from './ip.js';
export { hasRelayProcessFlags, RELAY_PROCESS_FLAGS } from './relay-process-flags.js';
export type {
  MemberJoinedEvent,
  MemberLeftEvent,
  RoomClosedEvent,
  RoomClosedReason,
  RoomCreatedEvent,
  ServerEvents,
} from './server-events.js';
// encrypted transport (#16)
export {
  certificateFingerprint,
  generateHostIdentity,
  loadOrCreateHostIdentity,
  type HostIdentity,
} from './host-identity.js';
