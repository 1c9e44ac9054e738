// The part of multicast-dns (7.x, no published types) that the nearby-rooms transport uses.
declare module 'multicast-dns' {
  import type { EventEmitter } from 'node:events';
  import type { RemoteInfo, Socket } from 'node:dgram';

  export interface DnsQuestion {
    name: string;
    type: string;
  }

  /** A resource record; `data` depends on `type` (PTR: name, SRV: {port, target}, TXT: Buffer[], A: address). */
  export interface DnsRecord {
    name: string;
    type: string;
    ttl?: number;
    flush?: boolean;
    data?: unknown;
  }

  export interface DnsPacket {
    type?: 'query' | 'response';
    flags?: number;
    questions?: DnsQuestion[];
    answers?: DnsRecord[];
    additionals?: DnsRecord[];
  }

  export interface MulticastDns extends EventEmitter {
    send(packet: DnsPacket, rinfo: { address: string; port: number } | null, cb: (err?: Error | null) => void): void;
    destroy(cb?: () => void): void;
    on(event: 'query' | 'response', listener: (packet: DnsPacket, rinfo: RemoteInfo) => void): this;
    on(event: 'error' | 'warning', listener: (err: Error) => void): this;
    on(event: 'ready', listener: () => void): this;
  }

  export interface MulticastDnsOptions {
    socket?: Socket;
    port?: number;
    ip?: string;
    multicast?: boolean;
    bind?: string | false;
  }

  export default function multicastDns(options?: MulticastDnsOptions): MulticastDns;
}
