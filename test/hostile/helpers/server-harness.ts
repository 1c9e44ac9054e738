// Starts a real ChatServer on loopback with short timeouts, so hostile tests run in seconds.
import { ChatServer } from '../../../src-main/engine/server/chat-server.js';
import type { ServerOptions } from '../../../src-main/engine/server/options.js';
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

/** Test defaults: everything short, caps small enough to reach with a few sockets. */
export const FAST_OPTIONS: Partial<ServerOptions> = {
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
