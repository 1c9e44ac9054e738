// Turns the host the user typed into one IP address, so TCP and UDP talk to the same machine and the
// UDP socket is bound in the matching address family (the server binds a token to the TCP peer IP).
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { HandshakeError } from './errors.js';

export interface ResolvedServer {
  address: string;
  family: 4 | 6;
}

/** Resolves `host`; a resolver that hangs (broken DNS) fails with TIMEOUT after `timeoutMs`. */
export async function resolveServer(host: string, timeoutMs = 5000): Promise<ResolvedServer> {
  const literal = isIP(host);
  if (literal === 4 || literal === 6) return { address: host, family: literal };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(HandshakeError.transport('TIMEOUT', `resolving "${host}" took too long`)),
      timeoutMs,
    );
  });
  try {
    const found = await Promise.race([lookup(host), timeout]);
    return { address: found.address, family: found.family === 6 ? 6 : 4 };
  } catch (err) {
    if (err instanceof HandshakeError) throw err;
    throw HandshakeError.transport('UNREACHABLE', `cannot resolve "${host}"`, err);
  } finally {
    clearTimeout(timer);
  }
}
