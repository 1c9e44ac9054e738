// Starts a real ChatServer on loopback with short timeouts, so hostile tests run in seconds.
import { ChatServer } from '../../../src-main/engine/server/chat-server.js';
import { DEFAULT_SERVER_OPTIONS, type ServerOptions } from '../../../src-main/engine/server/options.js';
import { createLogger, silentLogger } from '../../../src-main/engine/log.js';

export interface RunningServer {
  server: ChatServer;
  tcpPort: number;
  udpPort: number;
  /** Log lines, kept when `captureLog` was asked for. */
  log: string[];
  /** Sum of all drop counters in stats(). */
  droppedTotal(): number;
  /** One drop counter of stats(), by reason ('too-large', 'wrong-ip', …). */
  dropped(reason: string): number;
  close(): Promise<void>;
}

/**
 * The per-IP abuse limits lifted: most tests send everything from 127.0.0.1 and test something else.
 * Tests of the limits themselves pass `ABUSE_LIMITS` (the defaults) or their own sizes.
 */
export const LIFTED_LIMITS: Partial<ServerOptions> = {
  hashBurstPerIp: 0,
  createBurstPerIp: 0,
  refusalBurstPerIp: 0,
  hashConcurrency: 4,
  maxQueuedHashes: 10_000,
  maxHashJobsPerIp: 10_000,
};

/** The abuse limits at their production defaults. */
export const ABUSE_LIMITS: Partial<ServerOptions> = {
  hashesPerIpPerSecond: DEFAULT_SERVER_OPTIONS.hashesPerIpPerSecond,
  hashBurstPerIp: DEFAULT_SERVER_OPTIONS.hashBurstPerIp,
  hashConcurrency: DEFAULT_SERVER_OPTIONS.hashConcurrency,
  maxQueuedHashes: DEFAULT_SERVER_OPTIONS.maxQueuedHashes,
  maxHashJobsPerIp: DEFAULT_SERVER_OPTIONS.maxHashJobsPerIp,
  createsPerIpPerMinute: DEFAULT_SERVER_OPTIONS.createsPerIpPerMinute,
  createBurstPerIp: DEFAULT_SERVER_OPTIONS.createBurstPerIp,
  refusalsPerIpPerSecond: DEFAULT_SERVER_OPTIONS.refusalsPerIpPerSecond,
  refusalBurstPerIp: DEFAULT_SERVER_OPTIONS.refusalBurstPerIp,
};

/** Test defaults: everything short, caps small enough to reach with a few sockets. */
export const FAST_OPTIONS: Partial<ServerOptions> = {
  ...LIFTED_LIMITS,
  host: '127.0.0.1',
  port: 0,
  udpPort: null, // same number as TCP, as in production: our ChatClient assumes it by default
  inactivityTimeoutMs: 1500,
  heartbeatIntervalMs: 300,
  handshakeTimeoutMs: 500,
  portGraceMs: 200,
  tokenTtlMs: 1500,
  sweepIntervalMs: 100,
};

export async function startServer(
  options: Partial<ServerOptions> = {},
  extra: { captureLog?: boolean } = {},
): Promise<RunningServer> {
  const log: string[] = [];
  const logger = extra.captureLog
    ? createLogger({ level: 'debug', write: (line: string) => void log.push(line) })
    : silentLogger;
  const server = new ChatServer({ ...FAST_OPTIONS, ...options, logger });
  const addr = await server.listen();
  return {
    server,
    tcpPort: addr.tcpPort,
    udpPort: addr.udpPort,
    log,
    droppedTotal: () => Object.values(server.stats().dropped as Record<string, number>).reduce((a, b) => a + b, 0),
    dropped: (reason) => (server.stats().dropped as Record<string, number>)[reason] ?? 0,
    close: async () => {
      await server.close();
    },
  };
}
