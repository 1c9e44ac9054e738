// Asking a STUN server which address and port our datagrams come from (RFC 8489 Binding, no
// authentication): the server's name is resolved to IPv4, the request resent at 500 ms, doubling
// (RFC 8489's initial RTO), and only the answer to our transaction from that server counts.
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { udpGatewayExchange } from '../udp-exchange.js';
import { bindingRequest, readBindingResponse, STUN_TRANSACTION_ID_BYTES } from './stun-codec.js';

const FIRST_WAIT_MS = 500;
const RESOLVE_TIMEOUT_MS = 3000;

export interface StunServer {
  host: string;
  port: number;
}

export class StunError extends Error {}

async function resolveIPv4(host: string): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StunError(`${host} did not resolve in time`)), RESOLVE_TIMEOUT_MS);
  });
  try {
    const found = await Promise.race([lookup(host, { family: 4 }), deadline]);
    return found.address;
  } catch (err) {
    throw err instanceof StunError ? err : new StunError(`${host} does not resolve to an IPv4 address`);
  } finally {
    clearTimeout(timer);
  }
}

/** Our address as the STUN server sees it; rejects with StunError or NoAnswerError. */
export async function stunMappedAddress(
  server: StunServer,
  options: { tries?: number; onIgnored?: () => void } = {},
): Promise<{ address: string; port: number }> {
  const address = await resolveIPv4(server.host);
  const transactionId = randomBytes(STUN_TRANSACTION_ID_BYTES);
  const answer = await udpGatewayExchange({
    gateway: address,
    port: server.port,
    protocol: 'STUN',
    request: () => bindingRequest(transactionId),
    read: (reply) => {
      const a = readBindingResponse(reply, transactionId);
      return a.kind === 'ignored' ? null : a;
    },
    tries: options.tries ?? 3,
    firstWaitMs: FIRST_WAIT_MS,
    ...(options.onIgnored ? { onIgnored: options.onIgnored } : {}),
  });
  if (answer.kind === 'error') {
    throw new StunError(`the STUN server answered error ${answer.code}${answer.reason ? ` (${answer.reason})` : ''}`);
  }
  if (answer.kind !== 'mapped') throw new StunError('no usable STUN answer');
  return { address: answer.address, port: answer.port };
}
