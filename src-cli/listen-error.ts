// One readable line for a server that cannot start listening.
import { formatHostAddress } from '../src-shared/address.js';
import { CliError } from './errors.js';

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
