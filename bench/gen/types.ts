// What a load generator is told and what it reports back; these cross the IPC channel as JSON.

export type Dialect = 'plain' | 'tincan';

export interface GenRoomSpec {
  name: string;
  /** The first user creates the room; the others join it. */
  users: string[];
  /** Empty: no password. */
  password: string;
}

export interface GeneratorConfig {
  tcpHost: string;
  tcpPort: number;
  udpHost: string;
  udpPort: number;
  /** Source addresses the simulated users use (each user keeps one for TCP and UDP: tokens are bound to the IP). */
  localAddresses: string[];
  rooms: GenRoomSpec[];
  dialect: Dialect;
  messageBytes: number;
  handshakeConcurrency: number;
  handshakeTimeoutMs: number;
  /** 0: one UDP socket per user (the realistic model); N > 0: users share N sockets. */
  socketPool: number;
  /** UDP through node:dgram, or through bench/native/gen_udp (recvmmsg thread; far cheaper per datagram). */
  io: GenIo;
  /**
   * Native io only: 0 = the receiver thread sleeps in epoll_wait (woken per datagram, a cost that
   * loopback bills to the relay); N > 0 = it checks every N µs (≤ N µs added to measured latency).
   */
  rxPollMicros?: number;
  /**
   * Encrypted members: TLS to the relay with this certificate fingerprint pinned, UDP keys exported
   * from each TLS session, every datagram sealed and opened in JS (Tincan dialect, one socket per
   * user; with native io the C thread only receives). Absent or null: plain TCRP, clear datagrams.
   */
  encryption?: { fingerprint: string } | null;
  /**
   * Send chat from the JS tick (1 ms) even with native io, as encrypted members must: the plain
   * half of the encrypted comparison is paced like the encrypted half.
   */
  sendFromJs?: boolean;
  /**
   * Native io, pinned runs: CPUs to watch with a canary each (bench/native/gen_canary.c), so that
   * every phase says how long the machine held each CPU from us. The pool gives it to one worker.
   */
  canaryCpus?: number[];
}

/** How long the machine held one CPU from the highest-priority thread over a window (a canary's view). */
export interface MachineHold {
  cpu: number;
  /** Held time summed over wake-ups late by 0.2 ms or more, ms. */
  heldMs: number;
  holds: number;
  longestMs: number;
}

export type GenIo = 'native' | 'dgram';

export interface JoinResult {
  users: number;
  joined: number;
  failed: number;
  /** Failure reasons and how often each happened (after retries). */
  failures: Record<string, number>;
  retries: number;
  /** Wall time of the storm (creates then joins; opening the UDP sockets before it is not included), ms. */
  durationMs: number;
  /** The storm's first and last instants (nowMicros), so storms of several workers can be combined. */
  stormStartMicros: number;
  stormEndMicros: number;
  socketsOpened: number;
}

/** One measured stretch of traffic. All instants are nowMicros() values, shared by every process. */
export interface PhaseSpec {
  ratePerUser: number;
  startAt: number;
  measureStart: number;
  measureEnd: number;
  /** Stop listening for the window's messages at this instant. */
  drainUntil: number;
}

export interface PhaseResult {
  users: number;
  /** Chat datagrams sent over the whole phase, and those stamped inside the window. */
  sentTotal: number;
  sentInWindow: number;
  /** Messages the send loop skipped because it was too far behind schedule (the generator lagged). */
  skipped: number;
  skippedInWindow: number;
  /** Deliveries the window's messages should cause: (room members − 1) per message. */
  expected: number;
  /** Deliveries of window messages that arrived before drainUntil. */
  received: number;
  /** Chat deliveries of messages stamped outside the window (warm-up or late). */
  receivedOutside: number;
  notices: number;
  acks: number;
  /** Datagrams the generator could not interpret. */
  unknown: number;
  /** Largest delay of a due message behind its schedule, ms: well above the 5 ms tick means the generator lagged. */
  maxSendLagMs: number;
  /** Whether the native paced sender ran at real-time priority (false: JS ticks, or not allowed). */
  senderRealtime: boolean;
  sendErrors: number;
  /** Encrypted members only (else null): what the sealed sessions did over the phase. */
  sealed: SealedCounts | null;
  /** Latency histogram (µs) in hdr-histogram compressed base64. */
  histogram: string;
  /** The generator process's own CPU over the window, µs. */
  cpuMicros: number;
  windowMicros: number;
  /** Per watched CPU (config.canaryCpus), the machine's holds over the window; empty without canaries. */
  machineHolds: MachineHold[];
}

/** Datagrams the encrypted members received over a phase, by what became of them. */
export interface SealedCounts {
  /** Authenticated and decrypted; only these are classified and counted as chat, ACK or notice. */
  opened: number;
  /** Refused by a member's sealed session (forged, modified, replayed, unknown key epoch, malformed). */
  refused: number;
  /** Datagrams that did not start with the server's sealed marker (refused too: never counted). */
  notSealed: number;
  /** Native io: datagrams the receiver thread dropped because JS fell behind taking them (lost). */
  bufferDropped: number;
  /** ROOM_KEY datagrams taken (a new room key epoch, or a resend) and answered with a sealed KEY_ACK. */
  roomKeys: number;
}
