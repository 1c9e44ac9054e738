// The host server: one TCP listener for TCRP handshakes and one UDP socket for the chat relay.
// Pure Node (net, dgram, crypto); wiring, caps, the sweeper timer and shutdown live here.
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { ipLiteralLookup } from './ip-literal-lookup.js';
import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { constants as cryptoConstants } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import {
  ClosedReason,
  SealedCipher,
  Status,
  type SealedCipherId,
  type StatusCode,
} from '../../../src-shared/protocol/index.js';
import { silentLogger, type Logger } from '../log.js';
import type { AdmissionBudgets } from './admission-budgets.js';
import { Admission, type AdmissionStats } from './admission.js';
import { Announcer } from './announce.js';
import { ServerCounters } from './counters.js';
import { DropLog } from './drop-log.js';
import { HostTools } from './host-tools.js';
import { IpCounts } from './ip-counts.js';
import { normaliseIp, sendAddressFor } from './ip.js';
import { bindUdp, closeTcp, LISTEN_ATTEMPTS, listenTcp, resolveHost, udpTypeFor } from './listen.js';
import { resolveServerOptions, type ServerOptions } from './options.js';
import type { ServerEvents } from './server-events.js';
import type { HostIdentity } from './host-identity.js';
import { RoomLifecycle, SWEEP_STEPS } from './room-lifecycle.js';
import { RoomRegistry, type Member, type Room } from './room-registry.js';
import { SealedRooms, type SealedStats } from './sealed-rooms.js';
import { TcrpConnection } from './tcrp-connection.js';
import { loadUdpBatch, udpBatchUnavailable } from './udp-batch.js';
import { NativeUdpIn } from './udp-in.js';
import { UdpOut, type SendPath } from './udp-out.js';
import { UdpRelay } from './udp-relay.js';

export interface ServerStats {
  rooms: number;
  members: number;
  datagramsIn: number;
  datagramsRelayed: number;
  /** Structured CHATs that repeated a recent id: acknowledged again, not relayed again. */
  chatResends: number;
  dropped: Record<string, number>;
  handshakes: Record<string, number>;
  /** How chat leaves the UDP socket: one sendmmsg per message, or one dgram send per recipient. */
  sendPath: SendPath;
  /** How datagrams are read: recvmmsg batches (native) or one dgram 'message' event each. */
  receivePath: 'recvmmsg' | 'dgram';
  udpSent: number;
  udpFailed: number;
  /** Password hashes and abuse-limit refusals (absent before listen and in sharded totals). */
  admission?: AdmissionStats;
  /** Sealed sessions and room keys (absent before listen and in sharded totals). */
  sealed?: SealedStats;
}

/**
 * Test seam for the sealed relay without TLS: the 64-byte UDP secret a Tincan-dialect member would
 * get from its TLS session, or null for a plain-UDP member. Its sessions use AES-256-GCM (no TLS
 * request, no cipher offer). Production never sets it.
 */
export type UdpSecretForTests = (room: string, username: string) => { udpSecret: Uint8Array } | null;

export interface RoomSummary {
  name: string;
  members: number;
  hasPassword: boolean;
}

/** Connections beyond the caps are answered SERVER_FULL; beyond this many such answers at once they are just closed. */
const MAX_REFUSING = 64;
/** How long close() waits for the shutdown notices to leave the socket. */
const SHUTDOWN_DRAIN_MS = 500;

type Refusal = { status: Exclude<StatusCode, typeof Status.OK>; reason: string };

/**
 * A server that is one shard of a relay spread over processes (docs/MULTICORE.md): it adopts one
 * socket of a SO_REUSEPORT group instead of binding UDP, and does not listen on TCP — a primary
 * accepts, reads the header and hands each connection over with adoptConnection().
 */
export interface ShardBinding {
  /** Descriptor of this shard's socket in the group (openReusePortGroup). */
  udpFd: number;
  udpType: 'udp4' | 'udp6';
  /** The primary's TCP port, reported by listen(). */
  tcpPort: number;
  /** The per-IP admission budgets, kept by the primary for all shards. */
  budgets?: AdmissionBudgets;
}

export class ChatServer extends EventEmitter<ServerEvents> {
  readonly options: ServerOptions;
  private readonly log: Logger;
  private readonly counters = new ServerCounters();
  private readonly registry: RoomRegistry;
  private tcp: Server | null = null;
  private udp: UdpSocket | null = null;
  private udpType: 'udp4' | 'udp6' = 'udp4';
  private lifecycle: RoomLifecycle | null = null;
  private admission: Admission | null = null;
  private out: UdpOut | null = null;
  private input: NativeUdpIn | null = null;
  private sealed: SealedRooms | null = null;
  private readonly udpSecretForTests: UdpSecretForTests | null;
  private sweeper: NodeJS.Timeout | null = null;
  /** Sweeper steps taken in the current pass (see SWEEP_STEPS). */
  private sweepSteps = 0;
  private readonly connections = new Set<TcrpConnection>();
  private readonly pending = new Set<TcrpConnection>();
  private readonly refusing = new Set<TcrpConnection>();
  private readonly perIp = new IpCounts();
  private boundTcpPort = 0;
  private boundUdpPort = 0;
  private closing = false;
  private readonly shard: ShardBinding | null;
  private readonly messagesPerRoomKey: number | undefined;
  /** TLS for clients that open with a ClientHello; null without an identity (TCRP only). */
  private readonly tls: SecureContext | null;
  /** SHA-256 fingerprint of the host certificate (PROTOCOL.md, "Encrypted transport"); null without one. */
  readonly fingerprint: string | null;

  constructor(
    options: Partial<ServerOptions> & {
      logger?: Logger;
      shard?: ShardBinding;
      identity?: HostIdentity;
      udpSecretForTests?: UdpSecretForTests;
      /** Tests only: messages a room key seals before a new epoch. */
      messagesPerRoomKeyForTests?: number;
    } = {},
  ) {
    super();
    const { logger, shard, identity, udpSecretForTests, messagesPerRoomKeyForTests, ...rest } = options;
    this.udpSecretForTests = udpSecretForTests ?? null;
    this.messagesPerRoomKey = messagesPerRoomKeyForTests;
    this.shard = shard ?? null;
    this.tls = identity ? tlsContext(identity) : null;
    this.fingerprint = identity?.fingerprint ?? null;
    this.options = resolveServerOptions(rest);
    this.registry = new RoomRegistry(this.options.historySize);
    this.log = logger ?? silentLogger;
  }

  get tcpPort(): number {
    return this.boundTcpPort;
  }

  get udpPort(): number {
    return this.boundUdpPort;
  }

  async listen(): Promise<{ host: string; tcpPort: number; udpPort: number }> {
    if (this.tcp || this.udp) throw new Error('the server is already listening');
    const host = await resolveHost(this.options.host);
    if (this.shard) {
      await this.adopt(this.shard);
      return this.started(host);
    }
    // With port 0 and no UDP port, UDP wants the number TCP got; another process may hold it for UDP.
    const retry = this.options.port === 0 && this.options.udpPort === null;
    for (let attempt = 1; ; attempt++) {
      try {
        // Last resort with port 0: when the ephemeral range is crowded (thousands of UDP sockets on
        // this host), let UDP take any free number; listen() reports both ports.
        const anyUdpPort = retry && attempt === LISTEN_ATTEMPTS;
        if (anyUdpPort) this.log.warn('udp-port-differs', { reason: 'no free UDP port matched the TCP port' });
        await this.bind(host, anyUdpPort);
        break;
      } catch (err) {
        if (retry && attempt < LISTEN_ATTEMPTS && (err as NodeJS.ErrnoException).code === 'EADDRINUSE') continue;
        this.log.error('listen-failed', { host, port: this.options.port, udpPort: this.options.udpPort, err });
        throw err;
      }
    }
    return this.started(host);
  }

  private started(host: string): { host: string; tcpPort: number; udpPort: number } {
    this.sweeper = setInterval(() => this.sweep(), Math.max(1, this.options.sweepIntervalMs / SWEEP_STEPS));
    this.sweeper.unref();
    this.log.info('server-listening', { host, tcpPort: this.boundTcpPort, udpPort: this.boundUdpPort });
    return { host, tcpPort: this.boundTcpPort, udpPort: this.boundUdpPort };
  }

  private async bind(host: string, anyUdpPort = false): Promise<void> {
    const tcp = createServer({ allowHalfOpen: true }, (socket) => this.onConnection(socket));
    const tcpPort = await listenTcp(tcp, host, this.options.port);
    this.udpType = udpTypeFor(host);
    const udp = createSocket({ type: this.udpType, ipv6Only: false, lookup: ipLiteralLookup });
    let udpPort: number;
    try {
      udpPort = await bindUdp(udp, {
        address: host,
        port: anyUdpPort ? 0 : (this.options.udpPort ?? tcpPort),
        exclusive: true,
      });
    } catch (err) {
      try {
        udp.close();
      } catch {
        // never bound
      }
      await closeTcp(tcp);
      throw err;
    }
    tcp.on('error', (err) => this.log.error('tcp-listener-error', { err }));
    this.tuneBuffers(udp);
    this.tcp = tcp;
    this.udp = udp;
    this.boundTcpPort = tcpPort;
    this.boundUdpPort = udpPort;
    this.wire(udp);
  }

  /** Shard mode: UDP is a descriptor of the group, TCP is the primary's. */
  private async adopt(shard: ShardBinding): Promise<void> {
    const udp = createSocket({ type: shard.udpType, lookup: ipLiteralLookup });
    const udpPort = await bindUdp(udp, { fd: shard.udpFd });
    this.tuneBuffers(udp);
    this.udpType = shard.udpType;
    this.udp = udp;
    this.boundTcpPort = shard.tcpPort;
    this.boundUdpPort = udpPort;
    this.wire(udp);
  }

  /**
   * Shard mode: a TCP connection the primary accepted `elapsedMs` ago and routed here, with the bytes
   * it already read from it. The handshake goes on as if it had been accepted here: `head` is parsed
   * before anything the socket reads from now on (its data events start on a later tick). `refusal`:
   * a server-wide cap the primary found reached (connections per IP, rooms), answered SERVER_FULL
   * once the request has arrived, as this server's own caps are.
   */
  adoptConnection(socket: Socket, head: Buffer, elapsedMs: number, refusal: Refusal | null = null): void {
    // As our listener's sockets: a client may half-close after its request and still get the reply.
    socket.allowHalfOpen = true;
    this.onConnection(socket, { head, elapsedMs, refusal });
    socket.resume();
  }

  private tuneBuffers(udp: UdpSocket): void {
    try {
      udp.setRecvBufferSize(this.options.udpReceiveBufferBytes);
      udp.setSendBufferSize(this.options.udpSendBufferBytes);
    } catch (err) {
      this.log.warn('udp-buffer-size', { err });
    }
    try {
      this.log.debug('udp-buffers', { recv: udp.getRecvBufferSize(), send: udp.getSendBufferSize() });
    } catch {
      // informational only
    }
  }

  private wire(udp: UdpSocket): void {
    const batch = this.options.nativeUdp ? loadUdpBatch() : null;
    const out = new UdpOut(udp, batch);
    const sealed = new SealedRooms(this.registry, out, SealedCipher.AES_256_GCM, this.messagesPerRoomKey);
    const lifecycle = new RoomLifecycle(this.registry, new Announcer(out, sealed), this, this.log, sealed);
    const admission = new Admission(this.registry, lifecycle, this.options, this.log, this.shard?.budgets);
    const hostTools = new HostTools(lifecycle, out, (ip, password) => admission.hashNewPassword(ip, password));
    const relay = new UdpRelay(
      this.registry,
      lifecycle,
      out,
      this.counters,
      new DropLog(this.log),
      {
        messagesPerSecond: this.options.maxMessagesPerSecond,
        burst: this.options.maxMessagesPerSecond * 4,
      },
      sealed,
      hostTools,
    );
    this.out = out;
    this.sealed = sealed;
    this.lifecycle = lifecycle;
    this.admission = admission;
    let lastErrorLog = 0;
    let lastRelayFailure = 0;
    const onDatagram = (msg: Buffer, start: number, end: number, rinfo: RemoteInfo): void => {
      try {
        relay.handle(msg, start, end, rinfo);
      } catch (err) {
        // A bug must cost one datagram, not the server.
        const now = Date.now();
        if (now - lastRelayFailure > 5_000) {
          lastRelayFailure = now;
          this.log.error('relay-failed', { from: rinfo.address, err });
        }
      }
    };
    this.input = batch ? NativeUdpIn.start(udp, batch, onDatagram) : null;
    if (this.input === null)
      udp.on('message', (msg: Buffer, rinfo: RemoteInfo) => onDatagram(msg, 0, msg.length, rinfo));
    this.log.info('udp-path', {
      send: out.path,
      receive: this.input ? 'recvmmsg' : 'dgram',
      ...(this.options.nativeUdp && (out.path === 'dgram' || !this.input)
        ? { reason: udpBatchUnavailable() || 'socket descriptor not reachable' }
        : {}),
    });
    udp.on('error', (err) => {
      // Send errors (e.g. ICMP unreachable surfacing) must not stop the relay; log them sparingly.
      const now = Date.now();
      if (now - lastErrorLog > 5_000) {
        lastErrorLog = now;
        this.log.warn('udp-error', { err });
      }
    });
  }

  private onConnection(socket: Socket, routed?: { head: Buffer; elapsedMs: number; refusal: Refusal | null }): void {
    const remote = socket.remoteAddress;
    if (this.closing || remote === undefined || !this.admission) {
      socket.destroy();
      return;
    }
    const ip = normaliseIp(remote);
    // This process's own caps first (as without shards); a cap the primary found is answered after
    // the request like an admission refusal, so it waits among the pending handshakes (bounded by
    // their cap), not among the connections refused at once (MAX_REFUSING, dropped beyond).
    const own = this.capRefusal(ip);
    const refusal = own ?? routed?.refusal ?? null;
    if (own && this.refusing.size >= MAX_REFUSING) {
      this.counters.countHandshake('DROPPED');
      socket.destroy();
      return;
    }
    const admission = this.admission;
    const conn = new TcrpConnection(
      socket,
      ip,
      this.options,
      refusal,
      {
        admit: (req, check) => admission.admit(req, check),
        admitted: (member, cipher) => this.sealIfSecret(member, cipher),
        portLearned: (member, port) =>
          this.lifecycle?.endpointSeen(member, sendAddressFor(member.ip, this.udpType), port, 'tcp'),
        settled: (c) => {
          this.pending.delete(c);
          this.refusing.delete(c);
        },
        closed: (c) => this.forget(c),
      },
      this.log,
      this.counters,
      this.tls,
    );
    this.connections.add(conn);
    this.perIp.add(ip);
    if (own) this.refusing.add(conn);
    else this.pending.add(conn);
    if (routed) conn.adopted(routed.head, routed.elapsedMs);
  }

  /**
   * Seals a Tincan member's UDP when its connection yielded a UDP secret: exported from its TLS
   * session, or (tests of the sealed relay alone) given by the test seam. Runs before the completion
   * is written, which then names the sealed session and its `cipher` (chosen from the request's offer).
   */
  private sealIfSecret(member: Member, cipher: SealedCipherId): void {
    if (member.dialect === 0 || this.sealed === null) return;
    if (member.udpSecret !== null) {
      this.sealed.admit(member, member.udpSecret, cipher);
      return;
    }
    const given = this.udpSecretForTests?.(member.room.name, member.name) ?? null;
    if (given === null) return;
    this.sealed.admit(member, given.udpSecret, cipher);
    member.encrypted = true;
  }

  private capRefusal(ip: string): Refusal | null {
    if (this.pending.size >= this.options.maxPendingHandshakes)
      return { status: Status.SERVER_FULL, reason: 'pending handshake cap reached' };
    if (this.perIp.of(ip) >= this.options.maxConnectionsPerIp)
      return { status: Status.SERVER_FULL, reason: 'per-IP connection cap reached' };
    return null;
  }

  private forget(conn: TcrpConnection): void {
    if (!this.connections.delete(conn)) return;
    this.pending.delete(conn);
    this.refusing.delete(conn);
    this.perIp.remove(conn.ip);
  }

  /** One step of the sweeper's pass over the rooms; the password backoff is swept once per pass. */
  private sweep(): void {
    const now = Date.now();
    this.lifecycle?.sweepStep(now, this.options.inactivityTimeoutMs, this.options.tokenTtlMs);
    this.sweepSteps = (this.sweepSteps + 1) % SWEEP_STEPS;
    if (this.sweepSteps === 0) this.admission?.backoff.sweep(now);
  }

  /** Tells every member of every room that the server is shutting down, then closes both sockets. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    const rooms = [...this.registry.rooms.values()];
    if (this.out && this.lifecycle) {
      this.out.track();
      for (const room of rooms) this.lifecycle.closeRoom(room, ClosedReason.SERVER_SHUTDOWN);
      await this.out.drain(SHUTDOWN_DRAIN_MS);
    }
    for (const conn of this.connections) conn.destroy();
    this.sealed?.stop();
    this.out?.close();
    this.input?.stop();
    const tcp = this.tcp;
    const udp = this.udp;
    await Promise.all([
      tcp ? closeTcp(tcp) : Promise.resolve(),
      udp ? new Promise<void>((resolve) => udp.close(() => resolve())) : Promise.resolve(),
    ]);
    this.admission?.limitLog.flush();
    this.log.info('server-closed', { rooms: rooms.length });
  }

  stats(): ServerStats {
    return {
      rooms: this.registry.rooms.size,
      members: this.registry.memberCount,
      datagramsIn: this.counters.datagramsIn,
      datagramsRelayed: this.counters.datagramsRelayed,
      chatResends: this.counters.chatResends,
      dropped: { ...this.counters.dropped },
      handshakes: { ...this.counters.handshakes },
      sendPath: this.out?.path ?? 'dgram',
      receivePath: this.input?.active ? 'recvmmsg' : 'dgram',
      udpSent: this.out?.sent ?? 0,
      udpFailed: this.out?.failed ?? 0,
      ...(this.admission ? { admission: this.admission.stats() } : {}),
      ...(this.sealed ? { sealed: this.sealed.stats() } : {}),
    };
  }

  roomList(): RoomSummary[] {
    return [...this.registry.rooms.values()].map(summarise);
  }

  /** One room as roomList() shows it, or null when no room has that name. */
  roomSummary(name: string): RoomSummary | null {
    const room = this.registry.rooms.get(name);
    return room === undefined ? null : summarise(room);
  }
}

/** TLS 1.3 only, no session tickets: every connection does a full handshake with this identity. */
function tlsContext(identity: HostIdentity): SecureContext {
  return createSecureContext({
    key: identity.keyPem,
    cert: identity.certPem,
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
    secureOptions: cryptoConstants.SSL_OP_NO_TICKET,
  });
}

function summarise(room: Room): RoomSummary {
  return { name: room.name, members: room.members.size, hasPassword: room.password !== null };
}
