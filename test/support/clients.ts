// A ChatClient factory per suite: one place for the test defaults, and one call to leave every
// client the suite made (in afterEach), so no test leaks sockets into the next.
import { ChatClient, type ClientOptions } from '../../src-main/engine/client/index.js';

export interface ServerPorts {
  tcpPort: number;
  /** Omitted: the client's default (the TCP port's number). */
  udpPort?: number;
}

export class ClientFactory {
  private readonly made: ChatClient[] = [];

  constructor(private readonly defaults: Partial<ClientOptions> = {}) {}

  /** A new, not yet connected client on 127.0.0.1: the suite's defaults, then `over`. */
  make(ports: ServerPorts, over: Partial<ClientOptions> = {}): ChatClient {
    const client = new ChatClient({
      host: '127.0.0.1',
      port: ports.tcpPort,
      ...(ports.udpPort === undefined ? {} : { udpPort: ports.udpPort }),
      room: 'lobby',
      username: 'alice',
      mode: 'create',
      ...this.defaults,
      ...over,
    });
    this.made.push(client);
    return client;
  }

  /** Every client made and not yet left, oldest first. */
  get all(): readonly ChatClient[] {
    return this.made;
  }

  /** Leaves with every client made so far (oldest first), and forgets them. */
  async leaveAll(): Promise<void> {
    // Cleanup only: a client the test already broke may refuse to leave, which is not a failure here.
    for (const client of this.made.splice(0)) await client.leave().catch(() => undefined);
  }
}
