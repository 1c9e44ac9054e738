// Starting the server for `serve` and `host`, with one readable line when it cannot listen.
import { formatHostAddress } from '../src-shared/address.js';
import { loadOrCreateHostIdentity, type LogLevel, type ServerOptions } from '../src-main/engine/index.js';
import { CliError } from './errors.js';
import type { Runtime, ServerPort } from './runtime.js';

/** Creates and starts a server; a bind failure becomes a CliError that names the address. */
export async function startListening(
  config: {
    server: Partial<ServerOptions> & { host: string; port: number };
    logLevel: LogLevel;
    workers?: number;
    identityDir?: string;
  },
  rt: Runtime,
): Promise<{ server: ServerPort; address: Awaited<ReturnType<ServerPort['listen']>> }> {
  // The relay spread over processes hands connections over by their TCRP header: TCRP only there.
  const tls = config.identityDir !== undefined && (config.workers ?? 1) <= 1;
  let identity;
  try {
    identity = tls ? await loadOrCreateHostIdentity(config.identityDir as string) : undefined;
  } catch (err) {
    throw new CliError(
      `cannot use the host identity in ${config.identityDir}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const server = rt.createServer({
    ...(identity ? { identity } : {}),
    ...config.server,
    logger: rt.createLogger(config.logLevel),
    workers: config.workers,
    logLevel: config.logLevel,
  });
  try {
    return { server, address: await server.listen() };
  } catch (err) {
    throw listenError(err, config.server.host, config.server.port);
  }
}

export function listenError(err: unknown, host: string, port: number): CliError {
  const code = (err as { code?: unknown } | null)?.code;
  // Node puts the port that failed on the error: with --udp-port it may not be the TCP one.
  const failedPort = (err as { port?: unknown } | null)?.port;
  const shownPort = typeof failedPort === 'number' && failedPort > 0 ? failedPort : port;
  const where = formatHostAddress({ host, port: shownPort });
  switch (code) {
    case 'EADDRINUSE':
      return new CliError(`${where} is already in use; pick another port with --port (or --udp-port)`);
    case 'EACCES':
      return new CliError(`not allowed to listen on ${where}; ports below 1024 need privileges`);
    case 'EADDRNOTAVAIL':
      return new CliError(`cannot listen on ${host}: that address does not belong to this machine`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new CliError(`cannot listen on ${host}: unknown host name`);
    default:
      return new CliError(`cannot listen on ${where}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
