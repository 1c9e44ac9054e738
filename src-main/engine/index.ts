// The chat engine's one public entry. The engine is pure Node (TCRP handshake, UDP relay, rooms,
// sharding, the client library) and knows nothing of Electron or the app; the app service, the CLI
// and the bench import it only from here. Everything under server/ and client/ is internal.
export * from './server/index.js';
export * from './client/index.js';
export { createLogger, silentLogger, type Logger, type LogLevel } from './log.js';
