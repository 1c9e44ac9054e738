// The relay spread over processes (docs/MULTICORE.md): N shard processes, each a whole ChatServer on
// its own socket of a SO_REUSEPORT group (the kernel steers each datagram to the socket of its room),
// and this primary, which listens on TCP and routes each connection to the shard that owns its room.
// Clients see one address and port, as with a single ChatServer. Linux with the native addon only.
// This file puts the parts together: ShardRouter reads the room of each connection, ShardHandover
// gives it to its shard, ShardCaps applies the caps server-wide, ShardSupervisor runs the processes,
// ShardRooms and ShardStatsRequests answer for the rooms and counters that live in the shards.
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:net';
import { silentLogger, type Logger, type LogLevel } from '../log.js';
import type { RoomSummary } from './chat-server.js';
import { closeTcp, LISTEN_ATTEMPTS, listenTcp, resolveHost, udpTypeFor } from './listen.js';
import { resolveServerOptions, type ServerOptions } from './options.js';
import type { ServerEvents } from './server-events.js';
import { LocalBudgets } from './admission-budgets.js';
import { ShardCaps } from './shard-caps.js';
import { ShardHandover } from './shard-handover.js';
import type { FromShard, ShardConfig, ToShard } from './shard-messages.js';
import { ShardRooms } from './shard-rooms.js';
import { ShardRouter } from './shard-router.js';
import { mergeShardStats, ShardStatsRequests, type ShardStats } from './shard-stats.js';
import {
  defaultShardEntry,
  ShardSupervisor,
  type ShardEntry,
  type ShardExit,
  type ShardProcess,
} from './shard-supervisor.js';
import { loadUdpBatch, udpBatchUnavailable, type UdpBatch } from './udp-batch.js';

export type { ShardStats } from './shard-stats.js';

/** How long close() waits for the connections handed to shards to close. */
const TCP_CLOSE_MS = 5_000;

export interface ShardedOptions {
  /** Shard processes (2–64). */
  shards: number;
  logLevel?: LogLevel;
  /** How to start a shard; the default runs shard-process.js (or .ts through tsx) next to this file. */
  shardEntry?: ShardEntry;
}

/** What listen() built; none of it exists before. */
interface Running {
  tcp: Server;
  router: ShardRouter;
  supervisor: ShardSupervisor;
  handover: ShardHandover;
  caps: ShardCaps;
}

export class ShardedChatServer extends EventEmitter<ServerEvents> {
  readonly options: ServerOptions;
  private readonly log: Logger;
  private readonly rooms: ShardRooms;
  private readonly statsRequests = new ShardStatsRequests();
  /** The per-IP admission budgets of every shard (they ask for each token over IPC). */
  private readonly budgets: LocalBudgets;
  private running: Running | null = null;
  private listening = false;
  private closing = false;

  constructor(
    options: Partial<ServerOptions> & { logger?: Logger },
    private readonly sharding: ShardedOptions,
  ) {
    super();
    const { logger, ...rest } = options;
    this.options = resolveServerOptions(rest);
    this.log = logger ?? silentLogger;
    if (!Number.isInteger(sharding.shards) || sharding.shards < 2 || sharding.shards > 64)
      throw new RangeError('shards must be 2-64');
    this.rooms = new ShardRooms(sharding.shards);
    this.budgets = new LocalBudgets(this.options);
  }

  async listen(): Promise<{ host: string; tcpPort: number; udpPort: number }> {
    if (this.listening) throw new Error('the server is already listening');
    const batch = loadUdpBatch();
    if (batch === null) throw new Error(`shards need the native UDP addon (${udpBatchUnavailable()})`);
    if (this.options.udpPort !== null && this.options.udpPort !== this.options.port)
      throw new Error('shards serve TCP and UDP on one port');
    this.listening = true;
    try {
      return await this.start(batch);
    } catch (err) {
      if (this.running === null) this.listening = false; // nothing bound: listen() may be tried again
      throw err;
    }
  }

  private async start(batch: UdpBatch): Promise<{ host: string; tcpPort: number; udpPort: number }> {
    const host = await resolveHost(this.options.host);
    const count = this.sharding.shards;
    // Made once the shards' supervisor exists; the router hands nothing over before the first accept.
    let handover: ShardHandover | null = null;
    const router = new ShardRouter(
      {
        shards: count,
        handshakeTimeoutMs: this.options.handshakeTimeoutMs,
        maxPending: this.options.maxPendingHandshakes,
        maxPendingPerIp: this.options.maxConnectionsPerIp,
      },
      (socket, head, shard, elapsedMs) => handover?.route(socket, head, shard, Date.now() - elapsedMs),
    );
    const caps = new ShardCaps(this.options, this.rooms, (ip) => router.pendingFrom(ip));
    const { tcp, port, fds } = await this.bindPort(batch, host, count, router);
    tcp.on('error', (err) => this.log.error('tcp-listener-error', { err }));
    const config = (index: number): ShardConfig => ({
      options: { ...this.options, host, udpPort: null },
      udpType: udpTypeFor(host),
      tcpPort: port,
      logLevel: this.sharding.logLevel ?? 'silent',
      index,
      shards: count,
    });
    const supervisor = new ShardSupervisor(
      fds,
      this.sharding.shardEntry ?? defaultShardEntry(),
      config,
      {
        message: (shard, msg) => this.onShardMessage(shard, msg),
        ready: (shard) => handover?.shardReady(shard.index),
        exited: (shard, exit) => this.onShardExit(shard, exit),
      },
      this.log,
    );
    handover = new ShardHandover(count, this.options.maxPendingHandshakes, supervisor, caps, this.log);
    this.running = { tcp, router, supervisor, handover, caps };
    try {
      await supervisor.startAll();
    } catch (err) {
      await this.close();
      throw err;
    }
    this.log.info('server-listening', { host, tcpPort: port, udpPort: port, shards: count });
    return { host, tcpPort: port, udpPort: port };
  }

  /**
   * The TCP listener and the shards' UDP group on one port number. With port 0 another process may
   * hold the number TCP got for UDP (ephemeral ports are shared): then try another.
   */
  private async bindPort(
    batch: UdpBatch,
    host: string,
    count: number,
    router: ShardRouter,
  ): Promise<{ tcp: Server; port: number; fds: number[] }> {
    for (let attempt = 1; ; attempt++) {
      const tcp = createServer({ allowHalfOpen: true, pauseOnConnect: false }, (socket) => router.accept(socket));
      const port = await listenTcp(tcp, host, this.options.port);
      try {
        return { tcp, port, fds: batch.openReusePortGroup(host, port, count, false) };
      } catch (err) {
        await closeTcp(tcp);
        const taken = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
        if (!(taken && this.options.port === 0 && attempt < LISTEN_ATTEMPTS)) throw err;
        this.log.warn('udp-port-taken', { port, attempt });
      }
    }
  }

  private onShardMessage(shard: ShardProcess, msg: Exclude<FromShard, { type: 'ready' | 'failed' }>): void {
    switch (msg.type) {
      case 'event':
        this.rooms.update(shard.index, msg.detail.room, msg.room);
        this.emitShardEvent(msg);
        break;
      case 'conn-closed':
        this.running?.caps.untrack(msg.id);
        break;
      case 'stats':
        this.statsRequests.answer(msg);
        break;
      // One set of per-IP budgets for every shard: an IP gets the allowance of one server, not N.
      case 'budget-take':
        if (shard.child?.connected)
          shard.child.send({ type: 'budget', id: msg.id, ok: this.budgets.take(msg.kind, msg.ip) } satisfies ToShard);
        break;
      case 'budget-refund':
        this.budgets.refund(msg.kind, msg.ip);
        break;
    }
  }

  /** Re-emits a shard's event as this server's (the union keeps each name with its own payload). */
  private emitShardEvent(msg: Extract<FromShard, { type: 'event' }>): void {
    switch (msg.event) {
      case 'room-created':
        this.emit(msg.event, msg.detail);
        break;
      case 'room-closed':
        this.emit(msg.event, msg.detail);
        break;
      case 'member-joined':
        this.emit(msg.event, msg.detail);
        break;
      case 'member-left':
        this.emit(msg.event, msg.detail);
        break;
    }
  }

  /** A shard died: its rooms are gone (clients reconnect, hosts re-create); a new one takes its socket. */
  private onShardExit(shard: ShardProcess, exit: ShardExit): void {
    this.running?.handover.shardExited(shard.index);
    this.running?.caps.forgetShard(shard.index);
    const rooms = this.rooms.dropShard(shard.index);
    if (exit.closing) return;
    this.log.error('shard-exited', { shard: shard.index, code: exit.code, signal: exit.signal, rooms: rooms.length });
    for (const room of rooms) this.emit('room-closed', { room, reason: 'server-error' });
  }

  /** Connections handed to shards and not yet reported closed (what the per-IP cap counts). */
  get routedConnections(): number {
    return this.running?.caps.routedConnections ?? 0;
  }

  /** Process ids of the shards, in shard order (0 while one is starting). */
  get shardPids(): number[] {
    return this.running?.supervisor.pids ?? [];
  }

  /**
   * The rooms as the shards last reported them (with every room event): member counts and whether
   * a password is set. A member counts from its join announcement on; roomsNow() asks the shards.
   */
  roomList(): RoomSummary[] {
    return this.rooms.list();
  }

  /** The rooms as the shards hold them at this moment (asked over IPC), as ChatServer.roomList(). */
  async roomsNow(): Promise<RoomSummary[]> {
    return (await this.askShards()).flatMap((reply) => reply.rooms);
  }

  /** Every shard's counters, added up, and each shard's own CPU and memory. */
  async stats(): Promise<ShardStats> {
    return mergeShardStats(await this.askShards());
  }

  private askShards(): ReturnType<ShardStatsRequests['ask']> {
    const supervisor = this.running?.supervisor;
    if (supervisor === undefined) return Promise.resolve([]);
    const answering = supervisor.shards.flatMap((s) => {
      const child = supervisor.reachable(s.index);
      return child === null ? [] : [{ index: s.index, child }];
    });
    return this.statsRequests.ask(answering);
  }

  /** Stops accepting, lets every shard tell its rooms the server is shutting down, then closes. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const running = this.running;
    if (running === null) {
      this.log.info('server-closed', { shards: 0 });
      return;
    }
    // Stop accepting now; the close callback also waits for sockets handed to shards, which the
    // shards close themselves below.
    const tcpClosed = closeTcp(running.tcp);
    running.router.closeAll();
    running.handover.close();
    await running.supervisor.close();
    await Promise.race([tcpClosed, new Promise((resolve) => setTimeout(resolve, TCP_CLOSE_MS).unref())]);
    this.log.info('server-closed', { shards: running.supervisor.shards.length });
  }
}
