// Hand-driven UDP peers: a socket that keeps every datagram it receives (to count them, or to read
// them one by one), and a minimal member that joins through a raw handshake and speaks the datagram
// format directly, so tests can see every datagram that reaches a legitimate user.
import dgram from 'node:dgram';
import {
  decodeServerEvent,
  TINCAN_DIALECT_VERSION,
  encodeClientControl,
  encodeClientDatagram,
  isControl,
  Operation,
  Status,
  type ServerEvent,
  utf8Encode,
} from '../../src-shared/protocol/index.js';
import { request } from './raw-tcrp.js';
import { letTimePass, waitUntil } from './wait.js';

export class UdpPeer {
  /** Every datagram received, in order (read or not). */
  readonly received: Buffer[] = [];
  private readonly unread: Buffer[] = [];
  private wake: (() => void) | null = null;

  private constructor(readonly socket: dgram.Socket) {
    socket.on('message', (msg: Buffer) => {
      this.received.push(msg);
      this.unread.push(msg);
      this.wake?.();
    });
    socket.on('error', () => undefined);
  }

  /** Binds a socket on `address` (IPv6 when it has a colon), port 0 unless given. */
  static async open(address = '127.0.0.1', port = 0): Promise<UdpPeer> {
    const socket = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, address, () => resolve());
    });
    return new UdpPeer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Sends `bytes` as one datagram; resolves once the socket handed it to the OS. */
  sendRaw(bytes: Uint8Array, port: number, host = '127.0.0.1'): Promise<void> {
    return new Promise((resolve) => this.socket.send(bytes, port, host, () => resolve()));
  }

  /** Sends a spec client datagram: [roomLen][tokenLen][room][token][message]. */
  sendChat(
    serverPort: number,
    room: string,
    token: Uint8Array,
    message: Uint8Array | string,
    host = '127.0.0.1',
  ): Promise<void> {
    const body = typeof message === 'string' ? Buffer.from(message) : message;
    return this.sendRaw(encodeClientDatagram(Buffer.from(room), token, body), serverPort, host);
  }

  /** The next unread datagram; throws if none arrives within `timeoutMs`. */
  async next(timeoutMs = 2_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const first = this.unread.shift();
      if (first) return first;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no datagram arrived in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  async nextText(timeoutMs = 2_000): Promise<string> {
    return (await this.next(timeoutMs)).toString('utf8');
  }

  /** Lets `ms` pass to prove nothing more arrives: returns (and marks read) whatever did. */
  async quiet(ms = 200): Promise<Buffer[]> {
    if (ms > 0) await letTimePass(ms, 'prove that no (further) datagram arrives');
    return this.unread.splice(0);
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
  /** Offer the Tincan dialect (default true: version 1), or this version of it. */
  tincan?: boolean | number;
  /** Offer typing indicators (Tincan only). */
  typing?: boolean;
}

/** A member driven byte by byte: raw handshake, then raw datagrams. */
export class RawMember {
  readonly events: ServerEvent[] = [];
  readonly texts: string[] = [];
  private constructor(
    readonly probe: UdpPeer,
    readonly opts: RawMemberOptions,
    readonly token: string,
  ) {
    // As the server speaks it: the version offered (true offers 1), capped by the server's own.
    const offered = opts.tincan ?? true;
    const version = Math.min(offered === true ? 1 : Number(offered), TINCAN_DIALECT_VERSION);
    probe.socket.on('message', (msg: Buffer) => {
      if (isControl(msg)) {
        const ev = decodeServerEvent(msg, version);
        if (ev) this.events.push(ev);
      } else this.texts.push(msg.toString('utf8'));
    });
  }

  /**
   * Handshakes and registers the UDP endpoint; throws with `status` if the server refused, or with
   * `helloUnanswered` if a Tincan member's HELLO got no member list back.
   */
  static async join(opts: RawMemberOptions): Promise<RawMember> {
    const probe = await UdpPeer.open(opts.address ?? '127.0.0.1');
    const reply = await request(opts.tcpPort, {
      room: opts.room,
      operation: opts.create ? Operation.CREATE : Operation.JOIN,
      payload: {
        username: opts.username,
        password: opts.password,
        tincan: opts.tincan ?? true,
        typing: opts.typing === true,
      },
      localAddress: opts.address,
      host: opts.serverHost,
    });
    if (reply.status !== Status.OK || reply.token === null) {
      probe.close();
      throw Object.assign(new Error(`handshake refused: status ${reply.status}`), { status: reply.status });
    }
    const member = new RawMember(probe, opts, reply.token);
    if (opts.tincan ?? true) {
      // The server answers HELLO with the member list: once it arrived, our endpoint is known.
      await member.sendRaw(encodeClientControl({ kind: 'hello' }));
      try {
        await waitUntil(() => member.has('members'), { what: `the member list for ${opts.username}` });
      } catch (err) {
        // No answer: typically the room closed between the handshake and the HELLO (its token went
        // with it). Callers that expect such races check `helloUnanswered`.
        member.close();
        throw Object.assign(err as Error, { helloUnanswered: true });
      }
    } else {
      // A plain keep-alive gets no answer; the others' join notice is the only sign it was processed.
      await member.sendRaw(new Uint8Array(0));
    }
    return member;
  }

  datagram(message: Uint8Array, token = this.token): Uint8Array {
    return encodeClientDatagram(utf8Encode(this.opts.room), Buffer.from(token, 'latin1'), message);
  }

  sendRaw(message: Uint8Array): Promise<void> {
    return this.probe.sendRaw(this.datagram(message), this.opts.udpPort, this.opts.serverHost ?? '127.0.0.1');
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
