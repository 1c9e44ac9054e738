// The embedded server that hosts this app's rooms: started by the first hosted room, shared by all of
// them (one port, one interface), stopped when the last one closes. It waits on the server's own
// promises and events, never polls.
import { formatHostAddress } from '../../src-shared/address.js';
import type { ChatServer, HostIdentity } from '../engine/index.js';
import { listenFailure } from './error-mapping.js';
import type { ChatFactories, ListenInfo } from './factories.js';
import type { Logger } from './logger.js';
import { ServiceError } from './service-error.js';

export interface ServerAddress {
  bindHost: string;
  info: ListenInfo;
}

export class HostedServer {
  private running: (ServerAddress & { server: ChatServer }) | null = null;
  private starting: Promise<ServerAddress> | null = null;
  private refusing = false;

  constructor(
    private readonly factories: ChatFactories,
    private readonly log: Logger,
    /** The host identity the server speaks TLS with (loaded on first start); absent: TCRP only. */
    private readonly identity?: () => Promise<HostIdentity>,
  ) {}

  /** The running server's certificate fingerprint, or null (not running, or no TLS). */
  get fingerprint(): string | null {
    return this.running?.server.fingerprint ?? null;
  }

  /** Where the server listens, or null when it is not running. */
  get info(): ListenInfo | null {
    return this.running ? { ...this.running.info } : null;
  }

  /** From now on no server is started (the app is quitting). */
  refuseNew(): void {
    this.refusing = true;
  }

  /** The running server if it listens there (port 0: anywhere), else a new one. */
  async ensure(bindHost: string, port: number): Promise<ServerAddress> {
    if (this.refusing) throw new ServiceError('INTERNAL', 'The app is shutting down.');
    if (this.starting) await this.starting.catch(() => {});
    const running = this.running;
    if (running) {
      if ((port !== 0 && port !== running.info.tcpPort) || bindHost !== running.bindHost) {
        const where = formatHostAddress({ host: running.bindHost, port: running.info.tcpPort });
        throw new ServiceError(
          'SERVER_RUNNING',
          `This app already hosts rooms on ${where}. One server hosts all your rooms: use port ${running.info.tcpPort} and the same interface.`,
        );
      }
      return { bindHost: running.bindHost, info: running.info };
    }
    this.starting = this.start(bindHost, port);
    try {
      return await this.starting;
    } finally {
      this.starting = null;
    }
  }

  private async start(bindHost: string, port: number): Promise<ServerAddress> {
    let identity: HostIdentity | undefined;
    try {
      identity = await this.identity?.();
    } catch (err) {
      // Hosting without TLS beats not hosting: members then connect in clear, and the log says why.
      this.log.error('host-identity-unavailable', { err });
    }
    const server = this.factories.createServer({
      host: bindHost,
      port,
      logger: this.log,
      ...(identity ? { identity } : {}),
    });
    try {
      const info = await server.listen();
      this.running = { server, bindHost, info };
      this.log.info('server-listening', { host: bindHost, tcpPort: info.tcpPort, udpPort: info.udpPort });
      return { bindHost, info };
    } catch (err) {
      await server.close().catch(() => {});
      throw listenFailure(err);
    }
  }

  /** Resolves when our server has dropped the room (its 'room-closed' event), at the latest after timeoutMs. */
  waitRoomGone(room: string, timeoutMs: number): Promise<void> {
    const server = this.running?.server;
    if (!server?.roomList().some((r) => r.name === room)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        server.off('room-closed', onClosed);
        resolve();
      };
      const onClosed = (event: { room: string }) => {
        if (event.room === room) done();
      };
      const timer = setTimeout(done, timeoutMs);
      server.on('room-closed', onClosed);
    });
  }

  async stop(): Promise<void> {
    const running = this.running;
    this.running = null;
    if (!running) return;
    try {
      await running.server.close();
      this.log.info('server-stopped');
    } catch (err) {
      this.log.warn('server-stop-failed', { error: (err as Error).message });
    }
  }
}
