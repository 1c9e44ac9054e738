// A user-space stand-in for netem on UDP: sits between clients and the server, drops a share of the
// datagrams in each direction and delays the rest by delay ± jitter (so they also reorder). Each client
// gets its own upstream socket, like a NAT, so the server sees one endpoint per client. All on
// 127.0.0.1, so the server's IP binding of tokens still holds (the TCP handshake goes direct).
import dgram from 'node:dgram';
import type { Rng } from '../fuzz/random-bytes.js';

export interface Impairment {
  /** Probability in [0, 1] that a datagram is dropped (each direction). */
  loss: number;
  delayMs: number;
  jitterMs: number;
  /** Drops exactly the datagrams it returns true for (on top of `loss`), to lose one chosen event. */
  dropIf?: (direction: 'up' | 'down', bytes: Buffer) => boolean;
}

export class LossyUdpRelay {
  readonly counts = { forwarded: 0, dropped: 0 };
  private readonly flows = new Map<string, dgram.Socket>();
  /** Each client that sent through the relay, to inject datagrams to (see injectDown). */
  private readonly clients = new Map<string, { address: string; port: number }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  private constructor(
    private readonly front: dgram.Socket,
    private readonly serverPort: number,
    private readonly impairment: Impairment,
    private readonly rng: Rng,
  ) {
    front.on('message', (msg, from) => this.fromClient(msg, from));
    front.on('error', () => undefined);
  }

  static async start(serverPort: number, impairment: Impairment, rng: Rng): Promise<LossyUdpRelay> {
    const front = dgram.createSocket('udp4');
    await new Promise<void>((r) => front.bind(0, '127.0.0.1', () => r()));
    return new LossyUdpRelay(front, serverPort, impairment, rng);
  }

  /** The port clients should send their datagrams to. */
  get port(): number {
    return this.front.address().port;
  }

  private later(direction: 'up' | 'down', bytes: Buffer, send: () => void): void {
    if (this.closed) return;
    if (this.impairment.dropIf?.(direction, bytes) || this.rng.chance(this.impairment.loss)) {
      this.counts.dropped++;
      return;
    }
    const { delayMs, jitterMs } = this.impairment;
    const wait = Math.max(0, delayMs - jitterMs + this.rng.int(2 * jitterMs + 1));
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.closed) return;
      this.counts.forwarded++;
      send();
    }, wait);
    this.timers.add(timer);
  }

  private fromClient(msg: Buffer, from: dgram.RemoteInfo): void {
    const key = `${from.address}:${from.port}`;
    let upstream = this.flows.get(key);
    if (!upstream) {
      if (this.flows.size >= 256) return; // bounded: tests use a handful of clients
      const socket = dgram.createSocket('udp4');
      socket.bind(0, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.on('message', (reply) => this.later('down', reply, () => this.front.send(reply, from.port, from.address)));
      this.flows.set(key, socket);
      this.clients.set(key, { address: from.address, port: from.port });
      upstream = socket;
    }
    const out = upstream;
    this.later('up', msg, () => out.send(msg, this.serverPort, '127.0.0.1'));
  }

  /**
   * Sends `bytes` to every client from the relay's front socket, where its datagrams from the server
   * come from: what an attacker on the path injects, replays or modifies.
   */
  async injectDown(bytes: Uint8Array): Promise<void> {
    for (const c of this.clients.values()) {
      await new Promise<void>((resolve) => this.front.send(bytes, c.port, c.address, () => resolve()));
    }
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.flows.values()) s.close();
    this.flows.clear();
    this.front.close();
  }
}
