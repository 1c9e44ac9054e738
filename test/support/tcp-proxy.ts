// A TCP proxy on loopback for transport tests: forwards each connection to a target port that the
// test may change between connections (a man in the middle swapping servers), and records every
// byte both ways, as a packet capture of the TCP stream would.
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export class TcpProxy {
  /** Every byte that crossed, both directions, in arrival order. */
  private readonly seen: Buffer[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((client) => this.relay(client));

  constructor(
    /** Where new connections go; change it to swap the server behind the proxy. */
    public targetPort: number,
  ) {}

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  /** All bytes recorded so far. */
  get captured(): Buffer {
    return Buffer.concat(this.seen);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    const upstream = connect({ host: '127.0.0.1', port: this.targetPort });
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    const pipe = (from: Socket, to: Socket): void => {
      from.on('data', (chunk: Buffer) => {
        this.seen.push(Buffer.from(chunk));
        to.write(chunk);
      });
      from.on('end', () => to.end());
    };
    pipe(client, upstream);
    pipe(upstream, client);
  }
}
