// Asking a NAT-PMP gateway over UDP (RFC 6886 §3.1): resend at 250 ms, doubling, and accept only a
// reply from the gateway's port 5351 that answers this request. Fewer tries than the RFC's nine: a
// room's start-up should not wait a minute for a router that does not speak NAT-PMP.
import { createSocket } from 'node:dgram';
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

const FIRST_WAIT_MS = 250;

export class NatPmpTimeout extends Error {}

/** Where a NAT-PMP gateway listens: its address, and port 5351 unless a test says otherwise. */
export interface NatPmpGateway {
  address: string;
  port?: number;
}

function exchange<T>(
  target: NatPmpGateway,
  request: Buffer,
  read: (reply: Buffer) => T | null,
  tries: number,
): Promise<T> {
  const gateway = target.address;
  const port = target.port ?? NAT_PMP_PORT;
  return new Promise<T>((resolve, reject) => {
    const socket = createSocket('udp4');
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      fn();
    };
    let sent = 0;
    const send = (): void => {
      if (sent === tries) {
        settle(() => reject(new NatPmpTimeout(`no NAT-PMP answer from ${gateway}`)));
        return;
      }
      socket.send(request, port, gateway);
      timer = setTimeout(send, FIRST_WAIT_MS * 2 ** sent);
      sent += 1;
    };
    socket.on('message', (msg, rinfo) => {
      if (rinfo.address !== gateway || rinfo.port !== port) return;
      try {
        const reply = read(msg);
        if (reply !== null) settle(() => resolve(reply));
      } catch (err) {
        settle(() => reject(err as Error));
      }
    });
    // ICMP "port unreachable" shows up as an error: nobody speaks NAT-PMP there.
    socket.on('error', (err) => settle(() => reject(new NatPmpTimeout(`no NAT-PMP at ${gateway}: ${err.message}`))));
    socket.bind(0, send);
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
