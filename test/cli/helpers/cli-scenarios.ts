// Steps the CLI end-to-end tests share: a `serve` on a free loopback port, a member in piped mode,
// a port nothing listens on.
import { createServer as createTcpServer, connect as tcpConnect } from 'node:net';
import { type CliProcess, spawnCli } from './cli-process.js';

export const LISTENING = /^tincan server listening on 127\.0\.0\.1:(\d+) \(TCP\) and UDP port (\d+)$/;
export const CONNECTED = /^\* connected to room "(.+)" as (.+)$/;

export async function startServe(
  options: { shared?: boolean; logLevel?: string; extra?: string[]; port?: number } = {},
): Promise<{ proc: CliProcess; port: number }> {
  const proc = spawnCli(
    [
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      String(options.port ?? 0),
      '--log-level',
      options.logLevel ?? 'warn',
      ...(options.extra ?? []),
    ],
    options,
  );
  const match = await proc.waitForLine('stdout', LISTENING);
  return { proc, port: Number(match[1]) };
}

/** A member in piped mode, connected (the "connected" line is on stderr). */
export async function enter(
  mode: 'create' | 'join',
  port: number,
  room: string,
  name: string,
  extra: string[] = [],
  options: { dataDir?: string } = {},
): Promise<CliProcess> {
  const proc = spawnCli([mode, `127.0.0.1:${port}`, room, '--name', name, ...extra], options);
  await proc.waitForLine('stderr', CONNECTED);
  return proc;
}

/** A TCP port on 127.0.0.1 that nothing listens on (bound, noted, released). */
export async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}
