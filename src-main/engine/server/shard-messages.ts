// What a ShardedChatServer and its shard processes say to each other, and where the shard finds its
// socket. Kept apart from shard-process.ts, which starts a server as soon as it is loaded.
import type { Status, StatusCode } from '../../../src-shared/protocol/index.js';
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

/** A cap the primary found reached for a routed connection: the shard answers it with this status. */
export interface ShardRefusal {
  status: Exclude<StatusCode, typeof Status.OK>;
  reason: string;
}

/**
 * Parent → shard. A 'conn' message carries the routed TCP socket as its handle, `id` names it in the
 * shard's 'conn-closed' report (the primary counts connections per IP across all shards), and
 * `refuse`, when set, is a server-wide cap the connection ran into.
 */
export type ToShard =
  | { type: 'conn'; id: number; head: string; elapsedMs: number; refuse: ShardRefusal | null }
  | { type: 'stats'; id: number }
  | { type: 'close' };
