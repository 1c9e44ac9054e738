// Every knob of the host server, named and defaulted in one place.
import { TCRP_DEFAULT_MAX_PAYLOAD_BYTES } from '../../../src-shared/protocol/index.js';

export interface ServerOptions {
  /** Address to bind, e.g. '0.0.0.0', '::' (dual-stack where the OS allows), '127.0.0.1'. */
  host: string;
  /** TCP port for TCRP; 0 picks a free port. */
  port: number;
  /** UDP port for chat; defaults to the TCP port actually bound (0 → the same number as TCP if free). */
  udpPort: number | null;
  /** Members that send nothing (heartbeats count) for this long are dropped. */
  inactivityTimeoutMs: number;
  /** How often structured clients are told to send a heartbeat (at most; see announcedHeartbeatMs). */
  heartbeatIntervalMs: number;
  /** A TCP connection must complete its request within this time. */
  handshakeTimeoutMs: number;
  /** After the token is sent, how long the server waits for the optional 2-byte UDP port. */
  portGraceMs: number;
  /** A token must be used (first datagram or UDP port) within this time, or it expires. */
  tokenTtlMs: number;
  /** Largest TCRP request payload accepted. */
  maxPayloadBytes: number;
  maxRooms: number;
  maxMembersPerRoom: number;
  /** Concurrent TCP connections in handshake, in total and per remote IP. */
  maxPendingHandshakes: number;
  maxConnectionsPerIp: number;
  /** Wrong passwords per (IP, room) tolerated before backoff starts. */
  passwordAttemptsBeforeBackoff: number;
  /**
   * Per source IP (per /64 for IPv6): requests that cost a password hash (creates and joins that carry
   * a password), refilled at this rate per second up to the burst. A burst of 0 disables the budget.
   */
  hashesPerIpPerSecond: number;
  hashBurstPerIp: number;
  /** Password hashes run at once, waiting at most, and held (running or waiting) by one source IP. */
  hashConcurrency: number;
  maxQueuedHashes: number;
  maxHashJobsPerIp: number;
  /** Create requests per source IP: refill per minute and burst (0 disables). */
  createsPerIpPerMinute: number;
  createBurstPerIp: number;
  /**
   * Answers that tell an outsider about rooms (NO_SUCH_ROOM, WRONG_PASSWORD, PASSWORD_REQUIRED,
   * ROOM_EXISTS, NAME_TAKEN) per source IP: refill per second and burst (0 disables). Once spent,
   * every request from that IP gets RATE_LIMITED until the budget refills.
   */
  refusalsPerIpPerSecond: number;
  refusalBurstPerIp: number;
  /** Chat datagrams a member may send per second (token bucket; burst = 4x). */
  maxMessagesPerSecond: number;
  /** Kernel socket buffers for the UDP socket. */
  udpReceiveBufferBytes: number;
  udpSendBufferBytes: number;
  /** How often the sweeper checks each member for inactivity and expired tokens (in steps spread over it). */
  sweepIntervalMs: number;
  /** Batched UDP through the native accelerator when it is built (Linux): sendmmsg per message, recvmmsg reads. */
  nativeUdp: boolean;
  /** Chat messages a room keeps for Tincan members who join later (catch-up); 0 keeps none. */
  historySize: number;
  /**
   * encrypted transport (#16): refuse every request that does not arrive inside TLS with
   * ENCRYPTION_REQUIRED, so no member's password or chat crosses the network in clear.
   */
  encryptedOnly: boolean;
}

export const DEFAULT_SERVER_OPTIONS: ServerOptions = {
  host: '0.0.0.0',
  port: 7777,
  udpPort: null,
  inactivityTimeoutMs: 60_000,
  heartbeatIntervalMs: 10_000,
  handshakeTimeoutMs: 10_000,
  portGraceMs: 1_000,
  tokenTtlMs: 60_000,
  maxPayloadBytes: TCRP_DEFAULT_MAX_PAYLOAD_BYTES,
  maxRooms: 10_000,
  maxMembersPerRoom: 1_000,
  maxPendingHandshakes: 1_024,
  maxConnectionsPerIp: 64,
  passwordAttemptsBeforeBackoff: 5,
  hashesPerIpPerSecond: 1,
  hashBurstPerIp: 10,
  hashConcurrency: 2,
  maxQueuedHashes: 64,
  maxHashJobsPerIp: 4,
  createsPerIpPerMinute: 30,
  createBurstPerIp: 10,
  refusalsPerIpPerSecond: 2,
  refusalBurstPerIp: 20,
  maxMessagesPerSecond: 50,
  udpReceiveBufferBytes: 4 * 1024 * 1024,
  udpSendBufferBytes: 4 * 1024 * 1024,
  sweepIntervalMs: 1_000,
  nativeUdp: true,
  historySize: 100,
  encryptedOnly: false,
};

/**
 * The options a server runs with: every knob given over the defaults. An explicit `undefined` counts
 * as not given (the CLI passes its unset flags so); keys that are not options are left out.
 */
export function resolveServerOptions(given: Partial<ServerOptions>): ServerOptions {
  const options: ServerOptions = { ...DEFAULT_SERVER_OPTIONS };
  for (const key of Object.keys(DEFAULT_SERVER_OPTIONS) as (keyof ServerOptions)[]) take(options, given, key);
  return options;
}

function take<K extends keyof ServerOptions>(options: ServerOptions, given: Partial<ServerOptions>, key: K): void {
  const value = given[key];
  if (value !== undefined) options[key] = value;
}

/** Heartbeats a member may miss (lost datagrams) before the inactivity timeout drops it. */
const HEARTBEATS_PER_TIMEOUT = 3;

/**
 * The heartbeat interval told to Tincan clients: the configured one, but never more than a third of
 * the inactivity timeout, so a client that obeys it survives two lost heartbeats in a row.
 */
export function announcedHeartbeatMs(
  options: Pick<ServerOptions, 'heartbeatIntervalMs' | 'inactivityTimeoutMs'>,
): number {
  const fitting = Math.max(1, Math.floor(options.inactivityTimeoutMs / HEARTBEATS_PER_TIMEOUT));
  return Math.min(options.heartbeatIntervalMs, fitting);
}
