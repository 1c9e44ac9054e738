// One way to start a real ChatServer for a test: loopback, port 0, silent unless the log is wanted,
// with named option presets instead of a copy of the defaults in every suite.
import { createLogger, silentLogger, type Logger } from '../../src-main/engine/index.js';
import { ChatServer, type ServerOptions } from '../../src-main/engine/server/index.js';

/** Handshake and port-grace timers short enough for protocol tests, sweeps frequent. */
export const SHORT_TIMEOUTS: Partial<ServerOptions> = {
  handshakeTimeoutMs: 2_000,
  portGraceMs: 300,
  sweepIntervalMs: 50,
};

/** Everything short, caps small enough to reach with a few sockets: the hostile and fault suites. */
export const FAST_OPTIONS: Partial<ServerOptions> = {
  udpPort: null, // same number as TCP, as in production: our ChatClient assumes it by default
  inactivityTimeoutMs: 1500,
  heartbeatIntervalMs: 300,
  handshakeTimeoutMs: 500,
  portGraceMs: 200,
  tokenTtlMs: 1500,
  sweepIntervalMs: 100,
};

/** A ChatServer plus what tests read off it: the captured log and the drop counters. */
export class TestServer extends ChatServer {
  constructor(
    options: Partial<ServerOptions> & { logger?: Logger },
    /** Log lines, filled when `captureLog` was asked for. */
    readonly logLines: string[],
  ) {
    super(options);
  }

  /** One drop counter of stats(), by reason ('too-large', 'wrong-ip', …). */
  dropped(reason: string): number {
    return (this.stats().dropped as Record<string, number>)[reason] ?? 0;
  }

  /** Sum of all drop counters in stats(). */
  droppedTotal(): number {
    return Object.values(this.stats().dropped as Record<string, number>).reduce((a, b) => a + b, 0);
  }
}

/** Starts a server on 127.0.0.1, port 0 (TCP and UDP), listening when the promise resolves. */
export async function startServer(
  options: Partial<ServerOptions> & { logger?: Logger } = {},
  extra: { captureLog?: boolean } = {},
): Promise<TestServer> {
  const log: string[] = [];
  const logger = extra.captureLog
    ? createLogger({ level: 'debug', write: (line: string) => void log.push(line) })
    : silentLogger;
  const server = new TestServer({ host: '127.0.0.1', port: 0, logger, ...options }, log);
  await server.listen();
  return server;
}
