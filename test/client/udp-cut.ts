// A UDP forwarder between one client and the server that can drop everything for a while: the
// client then misses its PONGs and reconnects for real, as across a network outage.
import dgram from 'node:dgram';

export class UdpCut {
  /** While true, datagrams in both directions are dropped. */
  cut = false;
  private client: { address: string; port: number } | null = null;

  private constructor(
    private readonly facingClient: dgram.Socket,
    private readonly facingServer: dgram.Socket,
    private readonly serverPort: number,
  ) {
    facingClient.on('message', (msg, rinfo) => {
      this.client = { address: rinfo.address, port: rinfo.port };
      if (!this.cut) facingServer.send(msg, this.serverPort, '127.0.0.1');
    });
    facingServer.on('message', (msg) => {
      if (!this.cut && this.client) facingClient.send(msg, this.client.port, this.client.address);
    });
  }

  static async open(serverPort: number): Promise<UdpCut> {
    const bind = (s: dgram.Socket) => new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
    const a = dgram.createSocket('udp4');
    const b = dgram.createSocket('udp4');
    await Promise.all([bind(a), bind(b)]);
    return new UdpCut(a, b, serverPort);
  }

  /** The port a client sends its datagrams to. */
  get port(): number {
    return this.facingClient.address().port;
  }

  close(): void {
    this.facingClient.close();
    this.facingServer.close();
  }
}
