// `tincan serve` relays in a Node started with the relay's V8 flags (RELAY_PROCESS_FLAGS), which can
// only be given when Node starts. Started without them, the command runs itself again with them and
// stays as a thin parent: the child has the same arguments and standard streams, the parent exits
// with the child's code, and a stop signal reaches the child exactly once (its second one means
// "stop now"). If the parent dies without a word, the child notices (IPC) and shuts down cleanly.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { ExitCode } from './errors.js';

/** Set in the child's environment: it was started by relaunch() and has a parent on IPC. */
const RELAY_CHILD_ENV = 'TINCAN_RELAY_CHILD';

/** Runs this command again under Node with `flags` added; resolves with the child's exit code. */
export function relaunch(flags: readonly string[], stderr: NodeJS.WritableStream): Promise<number> {
  const posix = process.platform !== 'win32';
  const child = spawn(process.execPath, [...flags, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [RELAY_CHILD_ENV]: '1' },
    // POSIX: its own process group, so a terminal's Ctrl-C reaches this parent only and is passed on
    // once. Windows has no groups to choose here: Ctrl+C reaches both, and the child handles it.
    detached: posix,
  });
  const pass = (signal: NodeJS.Signals) => (): void => {
    if (posix && child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const handlers: [NodeJS.Signals, () => void][] = [
    ['SIGINT', pass('SIGINT')],
    ['SIGTERM', pass('SIGTERM')],
    // A closed terminal: the child (in its own group) would not hear it, so it is told to stop.
    ['SIGHUP', pass('SIGTERM')],
  ];
  for (const [signal, handler] of handlers) process.on(signal, handler);
  return new Promise((resolve) => {
    const done = (code: number): void => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
      resolve(code);
    };
    child.once('error', (err) => {
      stderr.write(`tincan: could not start the relay process: ${err.message}\n`);
      done(ExitCode.FAILURE);
    });
    child.once('exit', (code, signal) => done(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}

/** In a relaunched child: when the parent goes away, stop as if told to (a SIGTERM's handlers run). */
export function watchParent(): void {
  if (process.env[RELAY_CHILD_ENV] !== '1' || !process.connected) return;
  process.channel?.unref();
  process.once('disconnect', () => {
    // Before the command listens for signals there is nothing to close: just go.
    if (process.listenerCount('SIGTERM') === 0) process.exit(ExitCode.FAILURE);
    process.emit('SIGTERM');
  });
}
