// Binding the servers' sockets: the one place that turns Node's callback-style listen and bind into
// promises that reject on the bind error (and stop listening for it once bound).
import type { BindOptions, Socket as UdpSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP, type AddressInfo, type Server } from 'node:net';

/** How many times a server on port 0 tries again when UDP cannot get the random port TCP got. */
export const LISTEN_ATTEMPTS = 5;

/** A host name is resolved once, so that TCP and UDP bind the same address (and family). */
export async function resolveHost(host: string): Promise<string> {
  if (isIP(host) !== 0) return host;
  return (await lookup(host)).address;
}

/** The UDP socket type for an address literal. */
export function udpTypeFor(address: string): 'udp4' | 'udp6' {
  return isIP(address) === 6 ? 'udp6' : 'udp4';
}

/** Listens on `host:port` (dual-stack where the OS allows it); resolves with the port bound. */
export function listenTcp(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, ipv6Only: false }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Binds a UDP socket (an address and port, or an inherited descriptor); resolves with the port bound. */
export function bindUdp(udp: UdpSocket, options: BindOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(options, () => {
      udp.off('error', reject);
      resolve(udp.address().port);
    });
  });
}

/** Stops listening; resolves once every connection the server accepted has closed too. */
export function closeTcp(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
