// Everything a command touches outside itself, in one object: the standard streams, the signals,
// and the factories of clients, servers and loggers. main.ts builds the real one.
import type { CreateChatClient, HostIdentity, Logger, LogLevel, ServerOptions } from '../src-main/engine/index.js';
import type { NearbyDiscovery } from '../src-main/service/nearby/nearby-discovery.js';

export interface ListeningAddress {
  host: string;
  tcpPort: number;
  udpPort: number;
}

/** The part of the chat server the CLI uses. */
export interface ServerPort {
  listen(): Promise<ListeningAddress>;
  close(): Promise<void>;
  roomList(): { name: string; hasPassword: boolean }[];
  /** The host certificate's fingerprint when the server speaks TLS. */
  readonly fingerprint?: string | null;
}

/** `workers` > 1: the relay as that many processes on one port (ShardedChatServer). */
export type CreateServer = (
  options: Partial<ServerOptions> & { logger: Logger; workers?: number; logLevel?: LogLevel; identity?: HostIdentity },
) => ServerPort;

export interface Runtime {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  createClient: CreateChatClient;
  createServer: CreateServer;
  createLogger(level: LogLevel): Logger;
  /** The local-network advertiser and browser (mDNS); rejects when UDP 5353 cannot be bound. */
  openNearby(): Promise<NearbyDiscovery>;
  /** Calls `handler` on SIGINT and SIGTERM (with how many signals came so far); returns an unsubscribe. */
  onStopSignal(handler: (count: number) => void): () => void;
}
