// Asking a NAT-PMP gateway over UDP (RFC 6886 §3.1), through the shared exchange: replies that do
// not answer the request are ignored (and counted by the caller's onIgnored).
import type { MappingProtocol } from './mapping-types.js';
import {
  externalAddressRequest,
  mappingRequest,
  NAT_PMP_PORT,
  readExternalAddressReply,
  readMappingReply,
  type ExternalAddressReply,
  type MappingReply,
} from './nat-pmp-codec.js';
import { udpGatewayExchange } from '../udp-exchange.js';

/** Where a NAT-PMP (or PCP) gateway listens: its address, and port 5351 unless a test says otherwise. */
export interface NatPmpGateway {
  address: string;
  port?: number;
  onIgnored?: () => void;
}

function exchange<T>(
  target: NatPmpGateway,
  request: Buffer,
  read: (reply: Buffer) => T | null,
  tries: number,
): Promise<T> {
  return udpGatewayExchange({
    gateway: target.address,
    port: target.port ?? NAT_PMP_PORT,
    protocol: 'NAT-PMP',
    request: () => request,
    read,
    tries,
    ...(target.onIgnored ? { onIgnored: target.onIgnored } : {}),
  });
}

export function natPmpExternalAddress(gateway: NatPmpGateway, tries: number): Promise<ExternalAddressReply> {
  return exchange(gateway, externalAddressRequest(), readExternalAddressReply, tries);
}

export function natPmpMap(
  gateway: NatPmpGateway,
  protocol: MappingProtocol,
  internalPort: number,
  externalPort: number,
  lifetimeSeconds: number,
  tries: number,
): Promise<MappingReply> {
  return exchange(
    gateway,
    mappingRequest(protocol, internalPort, externalPort, lifetimeSeconds),
    (reply) => readMappingReply(reply, protocol, internalPort),
    tries,
  );
}
