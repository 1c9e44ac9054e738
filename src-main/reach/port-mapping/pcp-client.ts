// Asking a PCP server (RFC 6887) for one MAP over UDP: the request carries our address as the router
// sees it and the mapping's nonce; only an answer with that nonce, protocol and internal port counts.
// A router that speaks another version (or NAT-PMP only) gets PcpVersionMismatch: the mapper goes on
// to NAT-PMP.
import type { MappingProtocol } from './mapping-types.js';
import { PCP_PORT, PcpError, pcpMapRequest, readPcpMapResponse } from './pcp-codec.js';
import { udpGatewayExchange } from '../udp-exchange.js';

export class PcpVersionMismatch extends Error {}

export interface PcpGateway {
  address: string;
  port?: number;
  /** Counts datagrams from the router that were not the answer (wrong nonce, length...). */
  onIgnored?: () => void;
}

export interface PcpMapping {
  externalAddress: string;
  externalPort: number;
  lifetimeSeconds: number;
  epochSeconds: number;
}

export interface PcpMapAsk {
  protocol: MappingProtocol;
  internalPort: number;
  externalPort: number;
  lifetimeSeconds: number;
  nonce: Uint8Array;
}

/** One MAP (lifetime 0: delete); rejects with PcpError, PcpVersionMismatch or NoAnswerError. */
export async function pcpMap(gateway: PcpGateway, ask: PcpMapAsk, tries: number): Promise<PcpMapping> {
  const answer = await udpGatewayExchange({
    gateway: gateway.address,
    port: gateway.port ?? PCP_PORT,
    protocol: 'PCP',
    request: (clientAddress) => pcpMapRequest({ ...ask, clientAddress }),
    read: (reply) => {
      const a = readPcpMapResponse(reply, ask);
      return a.kind === 'ignored' ? null : a;
    },
    tries,
    ...(gateway.onIgnored ? { onIgnored: gateway.onIgnored } : {}),
  });
  if (answer.kind === 'unsupported-version') {
    throw new PcpVersionMismatch(`the router speaks PCP version ${answer.serverVersion}, not 2`);
  }
  if (answer.kind === 'refused') throw new PcpError(answer.result);
  if (answer.kind !== 'mapped') throw new Error('unreachable');
  return answer;
}
