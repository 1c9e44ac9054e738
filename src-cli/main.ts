// Entry point of the `tincan` command: wires the real client, server, logger, streams and signals
// into the commands, runs, and exits with the command's code once the output is flushed.
import {
  ChatClient,
  createLogger,
  silentLogger,
  ChatServer,
  ShardedChatServer,
  hasRelayProcessFlags,
  RELAY_PROCESS_FLAGS,
} from '../src-main/engine/index.js';
import { NearbyDiscovery } from '../src-main/service/nearby/nearby-discovery.js';
import { createCommand } from './commands/create.js';
import { discoverCommand } from './commands/discover.js';
import { hostCommand } from './commands/host.js';
import { joinCommand } from './commands/join.js';
import { serveCommand } from './commands/serve.js';
import { type CommandActions, runCli } from './program.js';
import { relaunch, watchParent } from './relay-respawn.js';
import type { Runtime } from './runtime.js';

function stopSignals(handler: (count: number) => void): () => void {
  let count = 0;
  const onSignal = (): void => handler(++count);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

const runtime: Runtime = {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  createClient: (options) => new ChatClient(options),
  createServer: ({ workers, logLevel, identity, ...options }) =>
    workers !== undefined && workers > 1
      ? new ShardedChatServer(options, { shards: workers, logLevel })
      : new ChatServer({ ...options, ...(identity ? { identity } : {}) }),
  createLogger: (level) =>
    level === 'silent'
      ? silentLogger
      : createLogger({ level, write: (line) => void process.stderr.write(`${line}\n`) }),
  openNearby: () => NearbyDiscovery.open(),
  onStopSignal: stopSignals,
};

const actions: CommandActions = {
  // A dedicated relay gets V8 flags that only a fresh Node takes (relay-process-flags.ts).
  serve: (config) =>
    hasRelayProcessFlags(process.execArgv)
      ? serveCommand(config, runtime)
      : relaunch(RELAY_PROCESS_FLAGS, process.stderr),
  host: (config) => hostCommand(config, runtime),
  discover: (config) => discoverCommand(config, runtime),
  room: (config) => (config.mode === 'create' ? createCommand(config, runtime) : joinCommand(config, runtime)),
};

/** Waits until both streams handed their buffered bytes to the OS, so the last lines are not lost. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    stream.write('', () => resolve());
  });
}

// A reader that went away (`tincan --help | head -3`) must not crash us: nothing to do about it here;
// a chat session watches stdout itself and leaves the room.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
watchParent();

const code = await runCli(process.argv, actions, process.env, {
  writeOut: (text) => void process.stdout.write(text),
  writeErr: (text) => void process.stderr.write(text),
  errIsTerminal: process.stderr.isTTY === true,
});
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
