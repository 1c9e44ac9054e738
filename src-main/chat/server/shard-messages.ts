// What a ShardedChatServer and its shard processes say to each other, and where the shard finds its
// socket. Kept apart from shard-process.ts, which starts a server as soon as it is loaded.
import type { LogLevel } from '../log.js';
import type { ServerOptions } from './options.js';

/** The descriptor the parent puts at position 3 of the child's stdio. */
export const SHARD_UDP_FD = 3;

export interface ShardConfig {
  options: Partial<ServerOptions>;
  udpType: 'udp4' | 'udp6';
  tcpPort: number;
  logLevel: LogLevel;
  index: number;
}

/** Parent → shard. A 'conn' message carries the routed TCP socket as its handle. */
export type ToShard = { type: 'conn'; head: string; elapsedMs: number } | { type: 'stats'; id: number } | { type: 'close' };
