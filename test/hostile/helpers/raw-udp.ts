// Hand-driven UDP peers: an attacker socket that records everything it receives (it should receive
// nothing), and a minimal member that joins through a raw handshake and speaks the datagram format
// directly, so tests can count every datagram that reaches a legitimate user.
import dgram from 'node:dgram';
import {
  decodeServerEvent,
  encodeClientControl,
  encodeClientDatagram,
  isControl,
  Operation,
  Status,
  type ServerEvent,
  utf8Encode,
} from '../../../src-shared/protocol/index.js';
import { request } from './raw-tcrp.js';

export class UdpProbe {
  readonly received: Buffer[] = [];
  private constructor(readonly socket: dgram.Socket) {
    socket.on('message', (msg) => {
      this.received.push(msg);
    });
    socket.on('error', () => undefined);
  }

  static async bind(address = '127.0.0.1'): Promise<UdpProbe> {
    const socket = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => resolve());
    });
    return new UdpProbe(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(bytes: Uint8Array, port: number, host = '127.0.0.1'): Promise<void> {
    return new Promise((resolve) => this.socket.send(bytes, port, host, () => resolve()));
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}

export interface RawMemberOptions {
  tcpPort: number;
  udpPort: number;
  room: string;
  username: string;
  password?: string;
  create?: boolean;
  /** Source IP for both TCP and UDP (127.0.0.x, or ::1). */
  address?: string;
  /** Server address to reach (default 127.0.0.1; ::1 for IPv6). */
  serverHost?: string;
  tincan?: boolean;
}

/** A member driven byte by byte: raw handshake, then raw datagrams. */
export class RawMember {
  readonly events: ServerEvent[] = [];
  readonly texts: string[] = [];
  private constructor(
    readonly probe: UdpProbe,
    readonly opts: RawMemberOptions,
    readonly token: string,
  ) {
    probe.socket.on('message', (msg: Buffer) => {
      if (isControl(msg)) {
        const ev = decodeServerEvent(msg);
        if (ev) this.events.push(ev);
      } else this.texts.push(msg.toString('utf8'));
    });
  }

  /** Handshakes and registers the UDP endpoint; throws with the status if the server refused. */
  static async join(opts: RawMemberOptions): Promise<RawMember> {
    const probe = await UdpProbe.bind(opts.address ?? '127.0.0.1');
    const reply = await request(opts.tcpPort, {
      room: opts.room,
      operation: opts.create ? Operation.CREATE : Operation.JOIN,
      payload: { username: opts.username, password: opts.password, tincan: opts.tincan ?? true },
      localAddress: opts.address,
      host: opts.serverHost,
    });
    if (reply.status !== Status.OK || reply.token === null) {
      probe.close();
      throw Object.assign(new Error(`handshake refused: status ${reply.status}`), { status: reply.status });
    }
    const member = new RawMember(probe, opts, reply.token);
    await member.sendRaw((opts.tincan ?? true) ? encodeClientControl({ kind: 'hello' }) : new Uint8Array(0));
    return member;
  }

  datagram(message: Uint8Array, token = this.token): Uint8Array {
    return encodeClientDatagram(utf8Encode(this.opts.room), Buffer.from(token, 'latin1'), message);
  }

  sendRaw(message: Uint8Array): Promise<void> {
    return this.probe.send(this.datagram(message), this.opts.udpPort, this.opts.serverHost ?? '127.0.0.1');
  }

  chat(id: number, text: string): Promise<void> {
    const msg =
      (this.opts.tincan ?? true) ? encodeClientControl({ kind: 'chat', id, text: utf8Encode(text) }) : utf8Encode(text);
    return this.sendRaw(msg);
  }

  heartbeat(nonce: number): Promise<void> {
    return this.sendRaw(encodeClientControl({ kind: 'heartbeat', nonce }));
  }

  leave(): Promise<void> {
    return this.sendRaw((this.opts.tincan ?? true) ? encodeClientControl({ kind: 'leave' }) : utf8Encode('/leave'));
  }

  chats(): Extract<ServerEvent, { kind: 'chat' }>[] {
    return this.events.filter((e): e is Extract<ServerEvent, { kind: 'chat' }> => e.kind === 'chat');
  }

  has(kind: ServerEvent['kind']): boolean {
    return this.events.some((e) => e.kind === kind);
  }

  close(): void {
    this.probe.close();
  }
}

/** Polls `check` every 20 ms until it is true or `timeoutMs` passes; returns whether it became true. */
export async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(20);
  }
  return check();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
