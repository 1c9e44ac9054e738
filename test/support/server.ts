// One way to start a real ChatServer for a test: loopback, port 0, silent unless the log is wanted,
// with named option presets instead of a copy of the defaults in every suite.
import { createLogger, silentLogger } from '../../src-main/engine/index.js';
import { ChatServer, type ServerOptions } from '../../src-main/engine/server/index.js';
import { DEFAULT_SERVER_OPTIONS } from '../../src-main/engine/server/options.js';

/**
 * The per-IP abuse limits lifted: most tests send everything from 127.0.0.1 and test something else.
 * startServer applies these unless the test passes its own; tests of the limits pass ABUSE_LIMITS.
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

/** Handshake and port-grace timers short enough for protocol tests, sweeps frequent. */
export const SHORT_TIMEOUTS: Partial<ServerOptions> = {
  handshakeTimeoutMs: 2_000,
  portGraceMs: 300,
  sweepIntervalMs: 50,
};

/**
 * Heartbeats of 100 ms, so a seat opened in clear may be resumed once it sent nothing for 200 ms
 * (PROTOCOL.md §4); a test resuming such a seat lets CLEAR_SEAT_QUIET_MS pass after its last datagram.
 */
export const QUICK_HEARTBEATS: Partial<ServerOptions> = { heartbeatIntervalMs: 100 };
export const CLEAR_SEAT_QUIET_MS = 300;

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
    options: ConstructorParameters<typeof ChatServer>[0],
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

/** Starts a server on 127.0.0.1, port 0 (TCP and UDP), abuse limits lifted, listening when the promise resolves. */
export async function startServer(
  options: NonNullable<ConstructorParameters<typeof ChatServer>[0]> = {},
  extra: { captureLog?: boolean } = {},
): Promise<TestServer> {
  const log: string[] = [];
  const logger = extra.captureLog
    ? createLogger({ level: 'debug', write: (line: string) => void log.push(line) })
    : silentLogger;
  const server = new TestServer({ host: '127.0.0.1', port: 0, logger, ...LIFTED_LIMITS, ...options }, log);
  await server.listen();
  return server;
}

/**
 * The abuse-limit suites' server: production limits, short sweeps, and rooms made by raw requests
 * (whose host never speaks) kept alive for the whole test.
 */
export const LIMITS_TEST_OPTIONS: Partial<ServerOptions> = {
  ...FAST_OPTIONS,
  ...ABUSE_LIMITS,
  tokenTtlMs: 60_000,
  inactivityTimeoutMs: 60_000,
};

/** The admission counters of stats(), which a server with abuse limits always has. */
export function admissionStats(server: ChatServer): NonNullable<ReturnType<ChatServer['stats']>['admission']> {
  const stats = server.stats().admission;
  if (!stats) throw new Error('no admission stats');
  return stats;
}
