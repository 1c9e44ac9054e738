// A ChatClient factory per suite: one place for the test defaults, and one call to leave every
// client the suite made (in afterEach), so no test leaks sockets into the next.
import { ChatClient } from '../../src-main/engine/client/chat-client.js';
import type { ClientOptions } from '../../src-main/engine/client/types.js';

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

  /** Leaves with every client made so far (newest last), and forgets them. */
  async leaveAll(): Promise<void> {
    for (const client of this.made.splice(0)) await client.leave();
  }
}
