// The mDNS socket (RFC 6762: 224.0.0.251, UDP 5353) behind the nearby-rooms advertiser and browser.
// multicast-dns frames the packets; the socket is ours, because the library sends on one interface
// only and a multi-homed host (Wi-Fi plus Ethernet, Docker, VPN) would then miss peers: every packet
// goes out once per IPv4 interface, and the group is joined on each. The port is shared with any
// other responder on the machine (avahi-daemon, mDNSResponder) through SO_REUSEADDR.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { networkInterfaces } from 'node:os';
import multicastDns, { type DnsPacket, type MulticastDns } from 'multicast-dns';

export const MDNS_GROUP = '224.0.0.251';
export const MDNS_PORT = 5353;

export type { DnsPacket, DnsQuestion, DnsRecord } from 'multicast-dns';

export interface MdnsTransportEvents {
  query: [packet: DnsPacket, from: RemoteInfo];
  response: [packet: DnsPacket, from: RemoteInfo];
}

/** The IPv4 addresses of this machine's interfaces that are up, loopback last (used when alone). */
export function ipv4Interfaces(): string[] {
  const external: string[] = [];
  const internal: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) {
      if (entry.family !== 'IPv4') continue;
      (entry.internal ? internal : external).push(entry.address);
    }
  }
  return external.length > 0 ? external : internal;
}

export class MdnsTransport extends EventEmitter<MdnsTransportEvents> {
  private readonly joined = new Set<string>();
  /** Sends run one after another: each sets the outgoing interface first. */
  private sending: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly mdns: MulticastDns,
  ) {
    super();
    mdns.on('query', (packet, from) => this.emit('query', packet, from));
    mdns.on('response', (packet, from) => this.emit('response', packet, from));
    // Undecodable datagrams arrive as warnings (anyone may send junk); socket errors after the bind
    // (the interface went down) as errors: neither is fatal, the next send or datagram tries again.
    mdns.on('warning', () => {});
    mdns.on('error', () => {});
  }

  /** Binds UDP 5353 on every address; rejects (EADDRINUSE, EACCES) when the system refuses. */
  static open(): Promise<MdnsTransport> {
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(MDNS_PORT, () => {
        socket.off('error', reject);
        socket.on('error', () => {});
        socket.setMulticastTTL(255);
        socket.setMulticastLoopback(true);
        // The socket is already bound; the library only frames and sends (no memberships of its own).
        const mdns = multicastDns({ socket, port: MDNS_PORT, ip: MDNS_GROUP, multicast: false, bind: false });
        const transport = new MdnsTransport(socket, mdns);
        transport.joinGroups();
        resolve(transport);
      });
    });
  }

  /**
   * Sends `packet` to the group on every interface, or only on the one whose address is `only`;
   * resolves when all copies are out (never rejects).
   */
  send(packet: DnsPacket, only: string | null = null): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.closed) return;
      for (const address of this.joinGroups()) {
        if (only !== null && address !== only) continue;
        try {
          this.socket.setMulticastInterface(address);
        } catch {
          continue; // the interface went away since it was listed
        }
        await new Promise<void>((resolve) =>
          this.mdns.send(packet, { address: MDNS_GROUP, port: MDNS_PORT }, () => resolve()),
        );
      }
    };
    this.sending = this.sending.then(run);
    return this.sending;
  }

  /** Sends what is queued, then closes the socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.sending;
    this.closed = true;
    await new Promise<void>((resolve) => this.mdns.destroy(() => resolve()));
  }

  /** Joins the group on interfaces that appeared since the last call; returns the current list. */
  private joinGroups(): string[] {
    const addresses = ipv4Interfaces();
    for (const address of addresses) {
      if (this.joined.has(address)) continue;
      try {
        this.socket.addMembership(MDNS_GROUP, address);
        this.joined.add(address);
      } catch {
        // Already joined through another socket option, or no multicast on it: sending may still work.
      }
    }
    return addresses;
  }
}
