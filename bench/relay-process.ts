// Child-process entry that runs one relay for the bench, so its CPU and memory are its own. The bench
// bundles it to plain JavaScript first (relay-bundle.ts) so the relay runs as shipped, without tsx:
//   node out/bench/relay-process.mjs <real|naive|minimal|c> '<json options>'
// It reports {type:'ready', address} over IPC, answers {type:'stats'} with its own CPU time and RSS,
// and on {type:'close'} closes the server and exits (which also writes a --cpu-prof profile).
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  ChatServer,
  loadOrCreateHostIdentity,
  RELAY_PROCESS_FLAGS,
  ShardedChatServer,
  type ShardStats,
  silentLogger,
} from '../src-main/engine/index.js';
import { CRelay } from './c-relay.js';
import { MinimalRelay } from './minimal-relay.js';
import { NaiveRelay } from './naive-relay.js';
import { traceStalls, wallClock } from './stall-trace.js';

/** Stall-trace lines kept between two stats requests; more are counted, not kept. */
const TRACE_LINES_KEPT = 10_000;

interface RelayServer {
  listen(): Promise<{ host: string; tcpPort: number; udpPort: number }>;
  close(): Promise<void> | void;
  stats?(): unknown;
}

/** Shard processes' CPU and memory count as the relay's: they are the relay. */
function shardTotals(stats: unknown): { cpuMicros: number; rssBytes: number } {
  const shards = (stats as Partial<ShardStats> | null)?.shards ?? [];
  return {
    cpuMicros: shards.reduce((n, s) => n + s.cpuMicros, 0),
    rssBytes: shards.reduce((n, s) => n + s.rssBytes, 0),
  };
}

export interface RelayStatsMessage {
  type: 'stats';
  cpuUserMicros: number;
  cpuSystemMicros: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** Handles and requests keeping the event loop alive (sockets, timers…): flat in a healthy soak. */
  activeHandles: number;
  /** Event-loop delay since the previous stats request (ms): stalls here are latency the relay adds. */
  loopDelayMs: { p50: number; p99: number; max: number };
  server: unknown;
}

async function makeServer(impl: string, options: Record<string, unknown>): Promise<RelayServer> {
  const at = { host: String(options['host'] ?? '127.0.0.1'), port: Number(options['port'] ?? 0) };
  if (impl === 'naive') return new NaiveRelay(at);
  if (impl === 'minimal') return new MinimalRelay(at);
  if (impl === 'c') return new CRelay({ ...at, messagesPerSecond: Number(options['maxMessagesPerSecond'] ?? 50) });
  const { workers, identityDir, ...rest } = options;
  if (typeof identityDir === 'string') {
    // Encrypted runs: the host identity the bench made (and pinned) in a temporary folder.
    if (typeof workers === 'number' && workers > 1) throw new Error('an identity needs the relay as one process');
    const identity = await loadOrCreateHostIdentity(identityDir);
    return new ChatServer({ ...rest, identity, logger: silentLogger });
  }
  if (typeof workers === 'number' && workers > 1) {
    // The bundle's own shard entry, next to this file (see relay-bundle.ts).
    // Shards run as `tincan serve --workers N` runs them, with the relay's own GC settings
    // (--single-threaded-gc when pinned).
    const gcFlags = process.execArgv.filter((a) => a === '--single-threaded-gc' || a === '--expose-gc');
    const execArgv = [...RELAY_PROCESS_FLAGS, ...gcFlags];
    const shardEntry = { path: fileURLToPath(new URL('./shard-process.mjs', import.meta.url)), execArgv };
    return new ShardedChatServer({ ...rest, logger: silentLogger }, { shards: workers, shardEntry });
  }
  return new ChatServer({ ...rest, logger: silentLogger });
}

async function main(): Promise<void> {
  const impl = process.argv[2] ?? 'real';
  const options = JSON.parse(process.argv[3] ?? '{}') as Record<string, unknown>;
  const send = (msg: unknown): void => {
    process.send?.(msg);
  };
  let server: RelayServer;
  try {
    server = await makeServer(impl, options);
    const address = await server.listen();
    send({
      type: 'ready',
      address,
      pid: process.pid,
      shardPids: server instanceof ShardedChatServer ? server.shardPids : [],
    });
  } catch (err) {
    send({ type: 'error', message: (err as Error).stack ?? String(err) });
    process.exit(1);
  }
  const loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const traceMs = Number(process.env['TINCAN_BENCH_TRACE_STALLS'] ?? 0);
  // Trace lines wait in memory until the next stats request (the edges of a window): written as they
  // come, to a log file, the relay's loop would block on the file system in the middle of the window
  // it is tracing.
  const traced: string[] = [];
  let untraced = 0;
  const trace = (line: string): void => {
    if (traced.length < TRACE_LINES_KEPT) traced.push(`[relay ${process.pid}] ${line}`);
    else untraced++;
  };
  const flushTrace = (): void => {
    if (untraced > 0) traced.push(`[relay ${process.pid}] ${untraced} more trace lines dropped`);
    if (traced.length > 0) console.error(traced.join('\n'));
    traced.length = 0;
    untraced = 0;
  };
  if (traceMs > 0) traceStalls(traceMs, trace);
  process.on('message', async (msg: { type?: string; collect?: boolean }) => {
    if (msg.type === 'stats') {
      if (traceMs > 0) {
        trace(`stats request at ${wallClock()}`);
        flushTrace();
      }
      if (msg.collect) (globalThis as { gc?: () => void }).gc?.();
      let serverStats: unknown;
      try {
        serverStats = (await server.stats?.()) ?? null;
      } catch {
        serverStats = null;
      }
      const cpu = process.cpuUsage();
      const shards = shardTotals(serverStats);
      const reply: RelayStatsMessage = {
        type: 'stats',
        // With shard processes: their CPU (user and system together) is added to user time.
        cpuUserMicros: cpu.user + shards.cpuMicros,
        cpuSystemMicros: cpu.system,
        rssBytes: process.memoryUsage.rss() + shards.rssBytes,
        heapUsedBytes: process.memoryUsage().heapUsed,
        activeHandles: process.getActiveResourcesInfo().length,
        loopDelayMs: {
          p50: loopDelay.percentile(50) / 1e6,
          p99: loopDelay.percentile(99) / 1e6,
          max: loopDelay.max / 1e6,
        },
        server: serverStats,
      };
      loopDelay.reset();
      send(reply);
    } else if (msg.type === 'close') {
      flushTrace();
      void Promise.resolve(server.close()).finally(() => process.exit(0));
    }
  });
  // The parent went away: do not linger.
  process.on('disconnect', () => process.exit(0));
}

void main();
