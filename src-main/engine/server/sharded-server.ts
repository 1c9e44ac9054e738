// The relay spread over processes (docs/MULTICORE.md): N shard processes, each a whole ChatServer on
// its own socket of a SO_REUSEPORT group (the kernel steers each datagram to the socket of its room),
// and this primary, which listens on TCP and routes each connection to the shard that owns its room.
// Clients see one address and port, as with a single ChatServer. Linux with the native addon only.
import { fork, type ChildProcess } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { EventEmitter } from 'node:events';
import { closeSync } from 'node:fs';
import { createServer, isIP, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Operation, Status, TCRP_HEADER_BYTES } from '../../../src-shared/protocol/index.js';
import { silentLogger, type Logger, type LogLevel } from '../log.js';
import type { RoomSummary, ServerStats } from './chat-server.js';
import { DEFAULT_SERVER_OPTIONS, type ServerOptions } from './options.js';
import { IpCounts } from './ip-counts.js';
import { normaliseIp } from './ip.js';
import { detachForHandOver, ShardRouter } from './shard-router.js';
import { SHARD_UDP_FD, type ShardConfig, type ShardRefusal, type ToShard } from './shard-messages.js';
import { loadUdpBatch, udpBatchUnavailable } from './udp-batch.js';

/** How long close() waits for a shard to send its shutdown notices and exit. */
const SHARD_CLOSE_MS = 5_000;
/** How long a shard may take to start listening. */
const SHARD_START_MS = 30_000;
/** Delay before starting a shard again after a failed restart. */
const RESTART_RETRY_MS = 1_000;

export interface ShardedOptions {
  /** Shard processes (2–64). */
  shards: number;
  logLevel?: LogLevel;
  /** How to start a shard; the default runs shard-process.js (or .ts through tsx) next to this file. */
  shardEntry?: { path: string; execArgv: string[] };
}

export interface ShardStats extends ServerStats {
  /** Per shard: CPU time used so far (µs) and RSS, in shard order. */
  shards: { cpuMicros: number; rssBytes: number; rooms: number; members: number }[];
}

interface Shard {
  index: number;
  fd: number;
  child: ChildProcess | null;
  /** The child listens and takes connections. */
  ready: boolean;
  rooms: Set<string>;
  /** Routed while the shard was (re)starting: handed over once it is ready (bounded). */
  waiting: { socket: Socket; head: Buffer; acceptedAt: number }[];
  /** Sent and not yet taken by the child (its ACK): destroyed if the child dies first. */
  inFlight: Set<Socket>;
}

function defaultEntry(): { path: string; execArgv: string[] } {
  const here = import.meta.url;
  // Under a TypeScript loader (tests, tsx) this module is .ts, and so is its sibling.
  if (here.endsWith('.ts'))
    return { path: fileURLToPath(new URL('./shard-process.ts', here)), execArgv: ['--import', 'tsx'] };
  return { path: fileURLToPath(new URL('./shard-process.js', here)), execArgv: [] };
}

export class ShardedChatServer extends EventEmitter {
  readonly options: ServerOptions;
  private readonly log: Logger;
  private readonly shards: Shard[] = [];
  private tcp: Server | null = null;
  private router: ShardRouter | null = null;
  private closing = false;
  private host = '';
  private port = 0;
  private udpType: 'udp4' | 'udp6' = 'udp4';
  private statsId = 0;
  /**
   * Connections handed to a shard and not yet closed there, by id: the server-wide connection caps
   * count them (a shard alone sees only its own), as a single ChatServer counts its connections.
   */
  private readonly routed = new Map<number, { ip: string; shard: number }>();
  private readonly routedPerIp = new IpCounts();
  private connId = 0;
  private readonly statsWaiters = new Map<
    number,
    (reply: { stats: ServerStats; cpuMicros: number; rssBytes: number }) => void
  >();

  constructor(
    options: Partial<ServerOptions> & { logger?: Logger },
    private readonly sharding: ShardedOptions,
  ) {
    super();
    const { logger, ...rest } = options;
    const defined = Object.fromEntries(
      Object.entries(rest).filter(([, v]) => v !== undefined),
    ) as Partial<ServerOptions>;
    this.options = { ...DEFAULT_SERVER_OPTIONS, ...defined };
    this.log = logger ?? silentLogger;
    if (!Number.isInteger(sharding.shards) || sharding.shards < 2 || sharding.shards > 64)
      throw new RangeError('shards must be 2-64');
  }

  async listen(): Promise<{ host: string; tcpPort: number; udpPort: number }> {
    if (this.tcp) throw new Error('the server is already listening');
    const batch = loadUdpBatch();
    if (batch === null) throw new Error(`shards need the native UDP addon (${udpBatchUnavailable()})`);
    if (this.options.udpPort !== null && this.options.udpPort !== this.options.port)
      throw new Error('shards serve TCP and UDP on one port');
    this.host = isIP(this.options.host) !== 0 ? this.options.host : (await lookup(this.options.host)).address;
    this.udpType = isIP(this.host) === 6 ? 'udp6' : 'udp4';
    const router = new ShardRouter(
      {
        shards: this.sharding.shards,
        handshakeTimeoutMs: this.options.handshakeTimeoutMs,
        maxPending: this.options.maxPendingHandshakes,
        maxPendingPerIp: this.options.maxConnectionsPerIp,
      },
      (socket, head, shard, elapsedMs) => this.route(socket, head, shard, Date.now() - elapsedMs),
    );
    this.router = router;
    const tcp = createServer({ allowHalfOpen: true, pauseOnConnect: false }, (socket) => router.accept(socket));
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen({ host: this.host, port: this.options.port, ipv6Only: false }, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
    tcp.on('error', (err) => this.log.error('tcp-listener-error', { err }));
    this.tcp = tcp;
    this.port = (tcp.address() as { port: number }).port;
    let fds: number[];
    try {
      fds = batch.openReusePortGroup(this.host, this.port, this.sharding.shards, false);
    } catch (err) {
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      this.tcp = null;
      throw err;
    }
    fds.forEach((fd, index) =>
      this.shards.push({ index, fd, child: null, ready: false, rooms: new Set(), waiting: [], inFlight: new Set() }),
    );
    try {
      await Promise.all(this.shards.map((s) => this.start(s)));
    } catch (err) {
      await this.close();
      throw err;
    }
    this.log.info('server-listening', {
      host: this.host,
      tcpPort: this.port,
      udpPort: this.port,
      shards: this.shards.length,
    });
    return { host: this.host, tcpPort: this.port, udpPort: this.port };
  }

  /** Starts (or restarts) a shard on its descriptor; resolves once it listens. */
  private start(shard: Shard): Promise<void> {
    const entry = this.sharding.shardEntry ?? defaultEntry();
    const config: ShardConfig = {
      options: { ...this.options, host: this.host, udpPort: null },
      udpType: this.udpType,
      tcpPort: this.port,
      logLevel: this.sharding.logLevel ?? 'silent',
      index: shard.index,
    };
    // The shard's socket at stdio[SHARD_UDP_FD] (3), where the child finds it; IPC after it.
    const stdio: (number | 'inherit' | 'ipc')[] = ['inherit', 'inherit', 'inherit'];
    stdio[SHARD_UDP_FD] = shard.fd;
    stdio.push('ipc');
    const child = fork(entry.path, [JSON.stringify(config)], { execArgv: entry.execArgv, stdio });
    shard.child = child;
    shard.ready = false;
    shard.rooms.clear();
    // A send to a child that just went away reports here; the exit handler does the rest.
    child.on('error', (err) => this.log.warn('shard-ipc-error', { shard: shard.index, err }));
    // A replaced child's late words (a room event, a close report) must not count for its successor.
    child.on('message', (msg: { type: string; event?: string; detail?: { room?: string }; id?: number }) => {
      if (shard.child === child) this.onShardMessage(shard, msg);
    });
    child.once('exit', (code, signal) => this.onShardExit(shard, child, code, signal));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`shard ${shard.index} did not start within ${SHARD_START_MS} ms`));
      }, SHARD_START_MS);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`shard ${shard.index} exited (${String(code)}) before it listened`));
      });
      child.on('message', (msg: { type: string; message?: string }) => {
        if (msg.type === 'ready') {
          clearTimeout(timer);
          shard.ready = true;
          for (const w of shard.waiting.splice(0)) this.route(w.socket, w.head, shard.index, w.acceptedAt);
          resolve();
        } else if (msg.type === 'failed') {
          reject(new Error(`shard ${shard.index}: ${String(msg.message)}`));
          child.kill('SIGKILL'); // it exits by itself; its exit schedules the next attempt either way
        }
      });
    });
  }

  private onShardMessage(
    shard: Shard,
    msg: { type: string; event?: string; detail?: { room?: string }; id?: number } & Record<string, unknown>,
  ): void {
    if (msg.type === 'event' && msg.event) {
      const room = msg.detail?.room;
      if (msg.event === 'room-created' && room !== undefined) shard.rooms.add(room);
      if (msg.event === 'room-closed' && room !== undefined) shard.rooms.delete(room);
      this.emit(msg.event, msg.detail);
    } else if (msg.type === 'conn-closed' && msg.id !== undefined) {
      this.untrack(msg.id);
    } else if (msg.type === 'stats' && msg.id !== undefined) {
      this.statsWaiters.get(msg.id)?.(msg as unknown as { stats: ServerStats; cpuMicros: number; rssBytes: number });
    }
  }

  /** A shard died: its rooms are gone (clients reconnect, hosts re-create); a new one takes its socket. */
  private onShardExit(shard: Shard, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (shard.child !== child) return;
    const wasReady = shard.ready;
    shard.child = null;
    shard.ready = false;
    // Sockets sent but never taken would stay open here for good.
    for (const socket of shard.inFlight) socket.destroy();
    shard.inFlight.clear();
    // Its connections died with it, and will never be reported closed.
    for (const [id, conn] of this.routed) if (conn.shard === shard.index) this.untrack(id);
    if (this.closing) return;
    this.log.error('shard-exited', { shard: shard.index, code, signal, rooms: shard.rooms.size });
    for (const room of shard.rooms) this.emit('room-closed', { room, reason: 'server-error' });
    shard.rooms.clear();
    // At once after a crash; after a pause when it died starting (it may well die again).
    if (wasReady) this.restart(shard);
    else setTimeout(() => this.restart(shard), RESTART_RETRY_MS).unref();
  }

  /** Every failed start ends with the child's exit, which schedules the next attempt. */
  private restart(shard: Shard): void {
    // Never two children on one shard's socket: they would split its datagrams between them.
    if (this.closing || shard.child !== null) return;
    this.start(shard).catch((err: unknown) => this.log.error('shard-restart-failed', { shard: shard.index, err }));
  }

  /** Hands a routed connection to its shard, or holds it (bounded) while that shard starts. */
  private route(socket: Socket, head: Buffer, index: number, acceptedAt: number): void {
    const shard = this.shards[index];
    const child = shard?.child;
    // Gone while it waited (a reset): there is nothing to hand over, and nothing to count.
    if (!shard || this.closing || socket.destroyed) {
      socket.destroy();
      return;
    }
    if (!shard.ready || !child?.connected) {
      if (shard.waiting.length + shard.inFlight.size >= this.options.maxPendingHandshakes) {
        socket.destroy();
        return;
      }
      const entry = { socket, head, acceptedAt };
      shard.waiting.push(entry);
      // A client that gives up while the shard starts frees its place in the queue.
      socket.once('close', () => {
        const at = shard.waiting.indexOf(entry);
        if (at >= 0) shard.waiting.splice(at, 1);
      });
      return;
    }
    if (shard.inFlight.size >= this.options.maxPendingHandshakes) {
      socket.destroy(); // the shard is not taking them: do not queue without bound
      return;
    }
    shard.inFlight.add(socket);
    // A socket that waited here kept reading into its (paused) stream: take that too, then stop.
    const whole = detachForHandOver(socket, head);
    const ip = normaliseIp(socket.remoteAddress ?? '');
    const refuse = this.capRefusal(ip, whole);
    const id = this.track(ip, index);
    const message: ToShard = {
      type: 'conn',
      id,
      head: whole.toString('base64'),
      elapsedMs: Date.now() - acceptedAt,
      refuse,
    };
    child.send(message, socket, (err) => {
      shard.inFlight.delete(socket);
      if (err) {
        this.log.warn('handover-failed', { shard: index, err });
        this.untrack(id);
        socket.destroy();
      }
    });
  }

  /**
   * The policy caps of a single ChatServer, applied server-wide: connections per IP (counted until the
   * shard reports them closed, plus those still sending their header here) and rooms (a CREATE of a
   * new name once every shard's rooms add up to the cap). Each shard still applies its own caps too,
   * and the pending-handshake cap stays a per-process bound. Creates racing in different shards can
   * pass the room cap by at most the handshakes in flight at that moment.
   */
  private capRefusal(ip: string, head: Buffer): ShardRefusal | null {
    const router = this.router;
    if (router === null) return null;
    if (this.routedPerIp.of(ip) + router.pendingFrom(ip) >= this.options.maxConnectionsPerIp) {
      return { status: Status.SERVER_FULL, reason: 'per-IP connection cap reached' };
    }
    const roomLength = head[0] ?? 0;
    if (head[1] === Operation.CREATE && head.length >= TCRP_HEADER_BYTES + roomLength) {
      const room = head.toString('utf8', TCRP_HEADER_BYTES, TCRP_HEADER_BYTES + roomLength);
      // An existing name is the shard's to answer (ROOM_EXISTS), as without shards.
      const rooms = this.shards.reduce((n, s) => n + s.rooms.size, 0);
      if (rooms >= this.options.maxRooms && !this.shards.some((s) => s.rooms.has(room))) {
        return { status: Status.SERVER_FULL, reason: 'room cap reached' };
      }
    }
    return null;
  }

  private track(ip: string, shard: number): number {
    const id = ++this.connId;
    this.routed.set(id, { ip, shard });
    this.routedPerIp.add(ip);
    return id;
  }

  private untrack(id: number): void {
    const conn = this.routed.get(id);
    if (conn === undefined) return;
    this.routed.delete(id);
    this.routedPerIp.remove(conn.ip);
  }

  /** Connections handed to shards and not yet reported closed (what the per-IP cap counts). */
  get routedConnections(): number {
    return this.routed.size;
  }

  /** Process ids of the shards, in shard order (0 while one is starting). */
  get shardPids(): number[] {
    return this.shards.map((s) => (s.ready ? (s.child?.pid ?? 0) : 0));
  }

  roomList(): RoomSummary[] {
    // Names only: member counts and passwords live in the shards (see stats()).
    return this.shards.flatMap((s) => [...s.rooms].map((name) => ({ name, members: 0, hasPassword: false })));
  }

  /** Every shard's counters, added up, and each shard's own CPU and memory. */
  async stats(): Promise<ShardStats> {
    const answering = this.shards.filter((s) => s.ready && s.child?.connected);
    const replies = await Promise.all(
      answering.map(
        (s) =>
          new Promise<{ stats: ServerStats; cpuMicros: number; rssBytes: number }>((resolve, reject) => {
            const id = ++this.statsId;
            const timer = setTimeout(() => {
              this.statsWaiters.delete(id);
              reject(new Error(`shard ${s.index} did not answer`));
            }, 5_000);
            this.statsWaiters.set(id, (reply) => {
              clearTimeout(timer);
              this.statsWaiters.delete(id);
              resolve(reply);
            });
            s.child?.send({ type: 'stats', id } satisfies ToShard);
          }),
      ),
    );
    const sum = (pick: (s: ServerStats) => number): number => replies.reduce((n, r) => n + pick(r.stats), 0);
    const merge = (pick: (s: ServerStats) => Record<string, number>): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const r of replies) for (const [k, v] of Object.entries(pick(r.stats))) out[k] = (out[k] ?? 0) + v;
      return out;
    };
    const first = replies[0]?.stats;
    return {
      rooms: sum((s) => s.rooms),
      members: sum((s) => s.members),
      datagramsIn: sum((s) => s.datagramsIn),
      datagramsRelayed: sum((s) => s.datagramsRelayed),
      dropped: merge((s) => s.dropped),
      handshakes: merge((s) => s.handshakes),
      sendPath: first?.sendPath ?? 'dgram',
      receivePath: first?.receivePath ?? 'dgram',
      udpSent: sum((s) => s.udpSent),
      udpFailed: sum((s) => s.udpFailed),
      shards: replies.map((r) => ({
        cpuMicros: r.cpuMicros,
        rssBytes: r.rssBytes,
        rooms: r.stats.rooms,
        members: r.stats.members,
      })),
    };
  }

  /** Stops accepting, lets every shard tell its rooms the server is shutting down, then closes. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    // Stop accepting now; the close callback also waits for sockets handed to shards, which the
    // shards close themselves below.
    const tcp = this.tcp;
    const tcpClosed = tcp ? new Promise<void>((resolve) => tcp.close(() => resolve())) : Promise.resolve();
    this.router?.closeAll();
    for (const s of this.shards) for (const w of s.waiting.splice(0)) w.socket.destroy();
    await Promise.all(
      this.shards.map(async (s) => {
        const child = s.child;
        if (child && child.exitCode === null && child.signalCode === null) {
          const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
          if (child.connected) child.send({ type: 'close' } satisfies ToShard);
          const timer = setTimeout(() => child.kill('SIGKILL'), SHARD_CLOSE_MS);
          await exited;
          clearTimeout(timer);
        }
        try {
          closeSync(s.fd);
        } catch {
          // already closed
        }
      }),
    );
    await Promise.race([tcpClosed, new Promise((resolve) => setTimeout(resolve, SHARD_CLOSE_MS).unref())]);
    this.log.info('server-closed', { shards: this.shards.length });
  }
}
