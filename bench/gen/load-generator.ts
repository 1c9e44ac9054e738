// The load generator: simulated users that do exactly what a user's client does — a real TCRP
// handshake (create for the first user of a room, join for the rest), then chat over UDP with the
// token — written for throughput: one shared message handler, preformatted datagram templates,
// latency stamps read straight from the bytes, and no per-user timers. With `encryption` each user is
// an encrypted member instead (TLS handshake, sealed datagrams both ways; see tls-handshake.ts).
import dgram from 'node:dgram';
import hdr from 'hdr-histogram-js';
import {
  CHAT_EVENT_HEADER_BYTES,
  ClientKind,
  CONTROL_MARKER,
  ServerKind,
  SEALED_CLIENT_PLAINTEXT_MAX,
  SEALED_LENGTH_BYTES,
  SEALED_SERVER_HEADER_BYTES,
  SEALED_SERVER_MARKER,
  Status,
  paddedLength,
  parseRoomKeyMessage,
  encodeClientDatagram,
  statusName,
  utf8Encode,
} from '../../src-shared/protocol/index.js';
import { OPENED_REPLY, type SealedChannel } from '../../src-main/engine/index.js';
import { nowMicros, sleepUntil } from '../clock.js';
import { describeSpells, lateSpells } from '../late-spells.js';
import { plainTextOffset, readStamp, STAMP_DIGITS, textTemplate, writeStamp } from './chat-text.js';
import { handshake, NO_STATUS } from './handshake.js';
import {
  loadNativeGenUdp,
  nativeGenSeals,
  RAW_RECORD_HEADER,
  SEALING_RECORD_BYTES,
  SENDER_META_INTS,
  writeSealingRecord,
  type NativeGenUdp,
  type NativeSendCounts,
} from './native-udp.js';
import { runLimited } from './run-limited.js';
import { tlsHandshake, TRUST_REFUSED } from './tls-handshake.js';
import type { GeneratorConfig, JoinResult, MachineHold, PhaseResult, PhaseSpec, SealedCounts } from './types.js';

interface SimUser {
  roomIndex: number;
  name: string;
  create: boolean;
  localAddress: string;
  socket: dgram.Socket | null;
  /** Native socket (gen-io native); -1 otherwise. */
  fd: number;
  udpPort: number;
  /**
   * A whole chat datagram; the stamp (and for Tincan the id) is rewritten per send. Encrypted: the
   * chat message before sealing (sealed afresh per send, each with its own counter).
   */
  template: Buffer | null;
  /** Offset of the stamp digits in the template. */
  stampAt: number;
  /** The keep-alive datagram (plain: empty message; Tincan: HEARTBEAT). */
  keepAlive: Buffer | null;
  members: number;
  lastSendMicros: number;
  chatId: number;
  /** The encrypted member's sealed session (keys, counters, replay windows, room keys); else null. */
  channel: SealedChannel | null;
  /** The newest room key epoch handed to the native receiver for this member's socket (0: none). */
  nativeEpoch: number;
}

const KEEPALIVE_EVERY_MICROS = 15_000_000;
const TICK_MS = 5;
/** At most this many seconds of due messages are sent in one tick, so receiving is never starved. */
const MAX_BACKLOG_SECONDS = 0.05;
const HANDSHAKE_ATTEMPTS = 6;
/**
 * The JS tick of encrypted members (sealing needs the keys, so the C paced sender cannot send for
 * them) and of `sendFromJs` runs: a short one keeps bursts small.
 */
const JS_PACED_TICK_MS = 1;
/** Encrypted members on native io: how often JS takes what the receiver thread kept, and its room. */
const RAW_DRAIN_MS = 2;
const RAW_BUFFER_BYTES = 32 << 20;

export function newLatencyHistogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

/** How often each canary wakes (bench/native/gen_canary.c), unless TINCAN_BENCH_CANARY_MICROS says. */
const CANARY_INTERVAL_MICROS = 2_000;
/** The native side refuses shorter intervals. */
const CANARY_INTERVAL_MIN_MICROS = 100;

/**
 * The canaries' interval. A canary sees a hold shorter than its interval only if the hold covers one
 * of its wake-ups, so a diagnostic run may ask for a shorter one, at the cost of that many more
 * wake-ups per CPU (held times are comparable only between runs at the same interval).
 */
function canaryIntervalMicros(): number {
  const asked = Number(process.env['TINCAN_BENCH_CANARY_MICROS']);
  return Number.isInteger(asked) && asked >= CANARY_INTERVAL_MIN_MICROS ? asked : CANARY_INTERVAL_MICROS;
}

export class LoadGenerator {
  private readonly users: SimUser[] = [];
  /** Send order: interleaves rooms so consecutive sends hit different rooms. */
  private sendOrder: SimUser[] = [];
  private readonly sockets: dgram.Socket[] = [];
  private readonly fds: number[] = [];
  /** True while the native sender thread runs a phase. */
  private nativeSending = false;
  /** Native UDP when config.io is 'native'. */
  private readonly native: NativeGenUdp | null;
  /** The native threads seal encrypted members' chat and open their room datagrams (gen_sealed.c). */
  private readonly nativeSeals: boolean;
  private readonly roomBytes: Uint8Array[];
  private keepAliveTimer: NodeJS.Timeout | null = null;

  // Counters of the current phase; the message handler updates them.
  private windowStart = 0;
  private windowEnd = 0;
  private received = 0;
  private receivedOutside = 0;
  private notices = 0;
  private acks = 0;
  private unknown = 0;
  private sendErrors = 0;
  private histogram = newLatencyHistogram();
  private canariesRunning = false;
  /** The canaries' view of the last window (collectNative). */
  private machineHolds: MachineHold[] = [];
  private sealedCounts: SealedCounts = { opened: 0, refused: 0, notSealed: 0, bufferDropped: 0, roomKeys: 0 };
  /** Encrypted members on native io: whose socket an fd is, and the timer that drains the thread. */
  private readonly userByFd = new Map<number, number>();
  private rawTimer: NodeJS.Timeout | null = null;
  /** Where the native receiver's datagrams for encrypted members are copied, drain after drain. */
  private rawScratch: Buffer | null = null;
  /** Set to keep a copy of the last sealed datagram received in `lastSealedIn` (tests look at it). */
  keepLastSealed = false;
  /** Encrypted: the last datagram a member received, as it came off the wire (with keepLastSealed). */
  lastSealedIn: { user: number; bytes: Buffer } | null = null;

  constructor(private readonly config: GeneratorConfig) {
    if (config.encryption) {
      // Sealing needs the Tincan dialect, and a socket per member: its socket tells whose key opens.
      if (config.dialect !== 'tincan') throw new Error('encrypted members speak the Tincan dialect');
      if (config.socketPool !== 0) throw new Error('encrypted members need a socket each (it tells whose key opens)');
    }
    if (config.io === 'native') {
      const loaded = loadNativeGenUdp();
      if (typeof loaded === 'string') throw new Error(loaded);
      // A module built before raw mode existed cannot serve encrypted members.
      if (config.encryption && typeof loaded.takeRaw !== 'function')
        throw new Error('the native generator has no raw mode: rebuild it (npm run build:native)');
      this.native = loaded;
    } else {
      this.native = null;
    }
    this.nativeSeals = this.native !== null && nativeGenSeals(this.native);
    this.roomBytes = config.rooms.map((r) => utf8Encode(r.name));
    config.rooms.forEach((room, roomIndex) => {
      room.users.forEach((name, i) => {
        const addresses = config.localAddresses.length > 0 ? config.localAddresses : ['127.0.0.1'];
        this.users.push({
          roomIndex,
          name,
          create: i === 0,
          localAddress: addresses[roomIndex % addresses.length] as string,
          socket: null,
          fd: -1,
          udpPort: 0,
          template: null,
          stampAt: 0,
          keepAlive: null,
          members: 0,
          lastSendMicros: 0,
          chatId: 0,
          channel: null,
          nativeEpoch: 0,
        });
      });
    });
  }

  get userCount(): number {
    return this.users.length;
  }

  /** Encrypted members: what their sealed sessions did with received datagrams since the phase began. */
  get sealedSoFar(): Readonly<SealedCounts> {
    return this.sealedCounts;
  }

  /** Opens the UDP sockets, then runs the join storm: every room's creator first, then everyone else. */
  async join(): Promise<JoinResult> {
    await this.openSockets();
    const started = nowMicros();
    const failures: Record<string, number> = {};
    let retries = 0;
    const joined = new Set<SimUser>();
    const one = async (user: SimUser): Promise<void> => {
      const room = this.config.rooms[user.roomIndex];
      if (!room) return;
      const encryption = this.config.encryption;
      for (let attempt = 1; attempt <= HANDSHAKE_ATTEMPTS; attempt++) {
        if (encryption) {
          const sealed = await tlsHandshake({
            host: this.config.tcpHost,
            port: this.config.tcpPort,
            fingerprint: encryption.fingerprint,
            create: user.create,
            room: room.name,
            username: user.name,
            password: room.password,
            udpPort: user.udpPort,
            timeoutMs: this.config.handshakeTimeoutMs,
          });
          if (sealed.ok) {
            user.channel = sealed.channel;
            this.prepareUser(user, null, true);
            joined.add(user);
            return;
          }
          const retryable = sealed.status === Status.SERVER_FULL || sealed.status === NO_STATUS;
          if (sealed.status === TRUST_REFUSED || !retryable || attempt === HANDSHAKE_ATTEMPTS) {
            const key = sealed.status < 0 ? sealed.reason : statusName(sealed.status);
            failures[key] = (failures[key] ?? 0) + 1;
            return;
          }
          retries++;
          await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
          continue;
        }
        const outcome = await handshake({
          host: this.config.tcpHost,
          port: this.config.tcpPort,
          localAddress: user.localAddress,
          create: user.create,
          room: this.roomBytes[user.roomIndex] as Uint8Array,
          username: user.name,
          password: room.password,
          tincan: this.config.dialect === 'tincan',
          udpPort: user.udpPort,
          timeoutMs: this.config.handshakeTimeoutMs,
        });
        if (outcome.ok) {
          this.prepareUser(user, outcome.token, outcome.tincan);
          joined.add(user);
          return;
        }
        // Capacity refusals and dropped connections are worth a retry; anything else is final.
        const retryable = outcome.status === Status.SERVER_FULL || outcome.status === NO_STATUS;
        if (!retryable || attempt === HANDSHAKE_ATTEMPTS) {
          const key = outcome.status === NO_STATUS ? outcome.reason : statusName(outcome.status);
          failures[key] = (failures[key] ?? 0) + 1;
          return;
        }
        retries++;
        await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      }
    };
    const concurrency = this.config.handshakeConcurrency;
    await runLimited(
      this.users.filter((u) => u.create),
      concurrency,
      one,
    );
    // A room whose creator failed cannot be joined; its users count as failed.
    const liveRooms = new Set<number>();
    for (const u of joined) liveRooms.add(u.roomIndex);
    const joiners = this.users.filter((u) => !u.create);
    const orphaned = joiners.filter((u) => !liveRooms.has(u.roomIndex));
    if (orphaned.length > 0) failures['creator failed'] = orphaned.length;
    await runLimited(
      joiners.filter((u) => liveRooms.has(u.roomIndex)),
      concurrency,
      one,
    );
    const ended = nowMicros();
    const durationMs = (ended - started) / 1_000;

    const membersByRoom = new Map<number, number>();
    for (const u of joined) membersByRoom.set(u.roomIndex, (membersByRoom.get(u.roomIndex) ?? 0) + 1);
    const live = this.users.filter((u) => joined.has(u));
    for (const u of live) u.members = membersByRoom.get(u.roomIndex) ?? 0;
    // Interleave rooms: the k-th member of every room, then the (k+1)-th, ...
    const ranks = new Map<SimUser, number>();
    const seen = new Map<number, number>();
    for (const u of live) {
      const r = seen.get(u.roomIndex) ?? 0;
      ranks.set(u, r);
      seen.set(u.roomIndex, r + 1);
    }
    function rankInRoom(u: SimUser): number {
      return ranks.get(u) ?? 0;
    }
    this.sendOrder = live.slice().sort((a, b) => rankInRoom(a) - rankInRoom(b) || a.roomIndex - b.roomIndex);

    // Register every endpoint (the server also learns it from the port we wrote after the token).
    const now = nowMicros();
    for (const u of live) this.sendKeepAlive(u, u.keepAlive as Buffer, now);
    this.keepAliveTimer = setInterval(() => this.keepAlives(), 5_000);
    this.keepAliveTimer.unref();

    return {
      users: this.users.length,
      joined: live.length,
      failed: this.users.length - live.length,
      failures,
      retries,
      durationMs,
      stormStartMicros: started,
      stormEndMicros: ended,
      socketsOpened: this.sockets.length + this.fds.length,
    };
  }

  /** Sends chat at the phase's rate from startAt to measureEnd and counts what arrives until drainUntil. */
  async runPhase(spec: PhaseSpec): Promise<PhaseResult> {
    this.windowStart = spec.measureStart;
    this.windowEnd = spec.measureEnd;
    this.received = 0;
    this.receivedOutside = 0;
    this.notices = 0;
    this.acks = 0;
    this.unknown = 0;
    this.sendErrors = 0;
    this.histogram = newLatencyHistogram();
    this.machineHolds = [];
    this.sealedCounts = { opened: 0, refused: 0, notSealed: 0, bufferDropped: 0, roomKeys: 0 };
    this.native?.setWindow(spec.measureStart, spec.measureEnd);

    // Encrypted members seal in JS, and so send from the JS tick, unless the native threads seal.
    const fromJs = (Boolean(this.config.encryption) && !this.nativeSeals) || this.config.sendFromJs === true;
    if (this.native && !fromJs) return this.runNativePhase(this.native, spec);
    const order = this.sendOrder;
    const totalRate = order.length * spec.ratePerUser;
    const maxPerTick = Math.max(1, Math.ceil(totalRate * MAX_BACKLOG_SECONDS));
    const drainInTick = this.native !== null && Boolean(this.config.encryption);
    let sentTotal = 0;
    let scheduled = 0;
    let skipped = 0;
    let skippedInWindow = 0;
    let sentInWindow = 0;
    let expected = 0;
    let next = 0;
    let maxBacklog = 0;
    let cpuAtStart: NodeJS.CpuUsage | null = null;
    let cpuMicros = 0;

    await sleepUntil(spec.startAt);
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const now = nowMicros();
        if (cpuAtStart === null && now >= spec.measureStart) cpuAtStart = process.cpuUsage();
        if (now >= spec.measureEnd) {
          clearInterval(timer);
          const used = process.cpuUsage(cpuAtStart ?? undefined);
          cpuMicros = used.user + used.system;
          resolve();
          return;
        }
        if (order.length === 0) return;
        // Encrypted members open what arrived before this tick's sends, in the same tick: a drain on
        // a timer of its own would now and then hold the sends back, so that they would leave in
        // larger bursts than the plain members' do; and one right after them would compete with the
        // relay for the CPU while it handles them (arrival times are the kernel's either way).
        if (drainInTick) this.drainRaw();
        const due = Math.floor(((now - spec.startAt) * totalRate) / 1_000_000);
        let backlog = due - scheduled;
        if (backlog > maxBacklog) maxBacklog = backlog;
        if (backlog > maxPerTick) {
          // Behind schedule: skip what is overdue instead of bursting it out later, so the rate
          // on the wire never exceeds the offered rate; skipped messages are reported.
          skipped += backlog - maxPerTick;
          if (now >= spec.measureStart) skippedInWindow += backlog - maxPerTick;
          backlog = maxPerTick;
        }
        scheduled = due;
        for (; backlog > 0; backlog--) {
          const user = order[next] as SimUser;
          next = next + 1 === order.length ? 0 : next + 1;
          const stamp = nowMicros();
          this.sendChat(user, stamp);
          sentTotal++;
          if (stamp >= spec.measureStart && stamp < spec.measureEnd) {
            sentInWindow++;
            expected += user.members - 1;
          }
        }
      };
      const timer = setInterval(tick, fromJs ? JS_PACED_TICK_MS : TICK_MS);
      tick();
    });
    await sleepUntil(spec.drainUntil);
    if (this.native) {
      if (this.config.encryption) this.drainRaw();
      this.collectNative(this.native);
    }
    return {
      users: order.length,
      sentTotal,
      sentInWindow,
      skipped,
      skippedInWindow,
      expected,
      received: this.received,
      receivedOutside: this.receivedOutside,
      notices: this.notices,
      acks: this.acks,
      unknown: this.unknown,
      maxSendLagMs: totalRate > 0 ? Math.round((maxBacklog * 1000) / totalRate) : 0,
      senderRealtime: false,
      sendErrors: this.sendErrors,
      sealed: this.config.encryption ? { ...this.sealedCounts } : null,
      histogram: hdr.encodeIntoCompressedBase64(this.histogram),
      cpuMicros,
      windowMicros: spec.measureEnd - spec.measureStart,
      machineHolds: this.machineHolds,
    };
  }

  /** The same phase with the native paced sender thread and receiver thread doing the datagrams. */
  private async runNativePhase(native: NativeGenUdp, spec: PhaseSpec): Promise<PhaseResult> {
    const order = this.sendOrder;
    const totalRate = order.length * spec.ratePerUser;
    let sent: NativeSendCounts = {
      sent: 0,
      sentInWindow: 0,
      expected: 0,
      skipped: 0,
      skippedInWindow: 0,
      errors: 0,
      maxLagMicros: 0,
      realtime: 0,
    };
    let cpuMicros = 0;
    if (order.length > 0 && totalRate > 0) {
      const templates = order.map((u) => u.template as Buffer);
      const meta = new Int32Array(order.length * SENDER_META_INTS);
      // Encrypted members: each session lends the thread enough counters for its share of the phase.
      const sends = Math.ceil(((spec.ratePerUser * (spec.measureEnd - spec.startAt)) / 1e6) * 1.2) + 16;
      const sealing = this.config.encryption ? Buffer.alloc(order.length * SEALING_RECORD_BYTES) : undefined;
      let offset = 0;
      order.forEach((u, i) => {
        const template = templates[i] as Buffer;
        meta.set(
          [
            u.fd,
            offset,
            template.length,
            u.stampAt,
            this.config.dialect === 'tincan' ? u.stampAt - 4 : -1,
            u.members,
            u.chatId >>> 0,
          ],
          i * SENDER_META_INTS,
        );
        offset += template.length;
        if (sealing) this.lendToSender(u, template, sends, sealing, i * SEALING_RECORD_BYTES);
        // The thread numbers this user's CHATs from here on: JS continues above them afterwards.
        u.chatId += sends;
      });
      native.startSender(
        Buffer.concat(templates),
        meta,
        totalRate,
        spec.startAt,
        spec.measureStart,
        spec.measureEnd,
        spec.measureEnd,
        sealing,
      );
      // The thread's chat keeps every user active; JS keep-alives would only add inbound datagrams.
      this.nativeSending = true;
      try {
        await sleepUntil(spec.measureStart);
        const cpuAtStart = process.cpuUsage();
        await sleepUntil(spec.measureEnd);
        const used = process.cpuUsage(cpuAtStart);
        cpuMicros = used.user + used.system;
      } finally {
        sent = native.stopSender();
        this.nativeSending = false;
      }
      const now = nowMicros();
      for (const u of order) u.lastSendMicros = now;
    }
    await sleepUntil(spec.drainUntil);
    if (this.config.encryption) this.drainRaw();
    this.collectNative(native);
    return {
      users: order.length,
      sentTotal: sent.sent,
      sentInWindow: sent.sentInWindow,
      skipped: sent.skipped,
      skippedInWindow: sent.skippedInWindow,
      expected: sent.expected,
      received: this.received,
      receivedOutside: this.receivedOutside,
      notices: this.notices,
      acks: this.acks,
      unknown: this.unknown,
      maxSendLagMs: Math.round(sent.maxLagMicros / 1000),
      senderRealtime: sent.realtime === 1,
      sendErrors: this.sendErrors + sent.errors,
      sealed: this.config.encryption ? { ...this.sealedCounts } : null,
      histogram: hdr.encodeIntoCompressedBase64(this.histogram),
      cpuMicros,
      windowMicros: spec.measureEnd - spec.measureStart,
      machineHolds: this.machineHolds,
    };
  }

  async close(): Promise<void> {
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    if (this.rawTimer) clearInterval(this.rawTimer);
    if (this.native) {
      if (this.canariesRunning) this.native.stopCanaries?.();
      this.canariesRunning = false;
      for (const fd of this.fds.splice(0)) this.native.closeSocket(fd);
      this.native.stopReceiver();
    }
    await Promise.all(this.sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.sockets.length = 0;
  }

  // ---- internals ------------------------------------------------------------------------------

  /**
   * Adds what the native receiver thread gathered over the phase: everything for clear members; for
   * encrypted ones what it opened under room keys, JS having counted the rest (drainRaw).
   */
  private collectNative(native: NativeGenUdp): void {
    const s = native.takeStats();
    this.received += s.received;
    this.receivedOutside += s.outside;
    this.notices += s.notices;
    this.acks += s.acks;
    this.unknown += s.unknown;
    if (this.config.encryption) {
      this.sealedCounts.bufferDropped = s.rawDropped;
      this.sealedCounts.opened += s.sealedOpened ?? 0;
      this.sealedCounts.refused += s.sealedRefused ?? 0;
    }
    for (let i = 0; i < s.latency.length; i += 2) {
      this.histogram.recordValueWithCount(s.latency[i] as number, s.latency[i + 1] as number);
    }
    this.machineHolds = s.holds ?? [];
    if (process.env['TINCAN_BENCH_TRACE_LATE']) this.traceLate(native);
  }

  /** TINCAN_BENCH_TRACE_LATE=N: prints the N spells (default 12) that held most deliveries beyond p99. */
  private traceLate(native: NativeGenUdp): void {
    const timeline = native.takeTimeline?.();
    if (timeline === undefined || timeline.max.length === 0) return;
    const p99 = this.histogram.getValueAtPercentile(99);
    const wallMinusMono = Date.now() * 1000 - nowMicros();
    const top = Number(process.env['TINCAN_BENCH_TRACE_LATE']) || 12;
    const lines = describeSpells(timeline, lateSpells(timeline, p99), p99, wallMinusMono, top, this.config.canaryCpus);
    for (const line of lines) console.error(`[generator ${process.pid}] ${line}`);
  }

  private openNativeSockets(native: NativeGenUdp): void {
    const encrypted = Boolean(this.config.encryption);
    native.startReceiver(
      CONTROL_MARKER,
      ServerKind.CHAT,
      ServerKind.ACK,
      CHAT_EVENT_HEADER_BYTES,
      this.config.rxPollMicros ?? 0,
      encrypted ? RAW_BUFFER_BYTES : 0,
    );
    const canaries = this.config.canaryCpus ?? [];
    if (canaries.length > 0 && native.startCanaries) {
      // By default a wake-up every 2 ms per CPU: holds from ~2 ms up are seen, for ~0.1 % of each CPU.
      native.startCanaries(canaries, canaryIntervalMicros());
      this.canariesRunning = true;
    }
    const open = (localAddress: string): [number, number] => {
      const pair = native.open(localAddress, this.config.udpHost, this.config.udpPort, 1 << 20);
      this.fds.push(pair[0]);
      return pair;
    };
    const pool = this.config.socketPool;
    if (pool > 0) {
      const byAddress = new Map<string, Array<[number, number]>>();
      for (const address of new Set(this.users.map((u) => u.localAddress))) {
        byAddress.set(
          address,
          Array.from({ length: pool }, () => open(address)),
        );
      }
      this.users.forEach((u, i) => {
        const list = byAddress.get(u.localAddress) as Array<[number, number]>;
        [u.fd, u.udpPort] = list[i % list.length] as [number, number];
      });
      return;
    }
    for (const u of this.users) [u.fd, u.udpPort] = open(u.localAddress);
    if (encrypted) {
      this.users.forEach((u, i) => this.userByFd.set(u.fd, i));
      // Room keys arrive from the join storm on: the members must hear them between phases too.
      this.rawTimer = setInterval(() => this.drainRaw(), RAW_DRAIN_MS);
    }
  }

  /** Hands what the native receiver kept (raw mode) to the members' sealed sessions. */
  private drainRaw(): void {
    const native = this.native;
    if (!native || !this.config.encryption) return;
    // One buffer for every drain: a fresh one each time is external memory that V8 answers with full collections.
    let blob: Buffer;
    let end: number;
    if (native.takeRawInto) {
      this.rawScratch ??= Buffer.allocUnsafeSlow(RAW_BUFFER_BYTES);
      blob = this.rawScratch;
      end = native.takeRawInto(blob);
    } else {
      blob = native.takeRaw();
      end = blob.length;
    }
    for (let at = 0; at + RAW_RECORD_HEADER <= end;) {
      const fd = blob.readInt32LE(at);
      const length = blob.readUInt32LE(at + 4);
      const arrived = blob.readDoubleLE(at + 8);
      const start = at + RAW_RECORD_HEADER;
      at = start + length;
      const user = this.userByFd.get(fd);
      if (user !== undefined) this.receiveSealed(user, blob, arrived, start, at);
    }
  }

  private async openSockets(): Promise<void> {
    if (this.native) return this.openNativeSockets(this.native);
    const pool = this.config.socketPool;
    const open = (localAddress: string, onMessage: (msg: Buffer) => void): Promise<dgram.Socket> =>
      new Promise((resolve, reject) => {
        const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
        socket.on('message', onMessage);
        socket.on('error', () => {
          this.sendErrors++;
        });
        socket.once('error', reject);
        socket.bind({ address: localAddress, port: 0 }, () => {
          socket.connect(this.config.udpPort, this.config.udpHost, () => {
            socket.off('error', reject);
            resolve(socket);
          });
        });
      });
    if (pool > 0) {
      // Shared sockets, one set per source address.
      const byAddress = new Map<string, dgram.Socket[]>();
      for (const address of new Set(this.users.map((u) => u.localAddress))) {
        const list: dgram.Socket[] = [];
        for (let i = 0; i < pool; i++) list.push(await open(address, this.onMessage));
        byAddress.set(address, list);
        this.sockets.push(...list);
      }
      this.users.forEach((u, i) => {
        const list = byAddress.get(u.localAddress) as dgram.Socket[];
        u.socket = list[i % list.length] as dgram.Socket;
        u.udpPort = u.socket.address().port;
      });
      return;
    }
    const indexOf = new Map(this.users.map((u, i) => [u, i]));
    await runLimited(this.users, 256, async (u) => {
      // An encrypted member's socket hands what it gets to that member's sealed session.
      const index = indexOf.get(u) as number;
      u.socket = await open(
        u.localAddress,
        this.config.encryption ? (msg) => this.receiveSealed(index, msg) : this.onMessage,
      );
      u.udpPort = u.socket.address().port;
      this.sockets.push(u.socket);
    });
  }

  /** token null: an encrypted member, whose datagrams carry its session id instead (sealed per send). */
  private prepareUser(user: SimUser, token: Uint8Array | null, tincan: boolean): void {
    const room = this.roomBytes[user.roomIndex] as Uint8Array;
    const text = textTemplate(this.config.messageBytes, ` ${user.name}`);
    if (token === null) {
      const message = Buffer.alloc(6 + text.length);
      message[0] = CONTROL_MARKER;
      message[1] = ClientKind.CHAT;
      message.set(text, 6);
      user.template = message;
      user.stampAt = 6;
      user.keepAlive = Buffer.from([CONTROL_MARKER, ClientKind.HELLO]);
    } else if (tincan) {
      const message = new Uint8Array(6 + text.length);
      message[0] = CONTROL_MARKER;
      message[1] = ClientKind.CHAT;
      message.set(text, 6);
      user.template = Buffer.from(encodeClientDatagram(room, token, message));
      user.stampAt = 2 + room.length + token.length + 6;
      user.keepAlive = Buffer.from(encodeClientDatagram(room, token, Uint8Array.of(CONTROL_MARKER, ClientKind.HELLO)));
    } else {
      user.template = Buffer.from(encodeClientDatagram(room, token, text));
      user.stampAt = 2 + room.length + token.length;
      user.keepAlive = Buffer.from(encodeClientDatagram(room, token, new Uint8Array(0)));
    }
  }

  private sendChat(user: SimUser, stamp: number): void {
    const template = user.template as Buffer;
    if (user.channel) {
      // The message is copied into the session's plaintext buffer before encryption: rewrite in place.
      writeStamp(template, user.stampAt, stamp);
      template.writeUInt32BE(++user.chatId >>> 0, user.stampAt - 4);
      this.sendSealed(user, template, stamp);
      return;
    }
    // A fresh copy per send: a queued datagram must not see the next stamp written into its bytes.
    const datagram = Buffer.allocUnsafe(template.length);
    template.copy(datagram);
    writeStamp(datagram, user.stampAt, stamp);
    if (this.config.dialect === 'tincan') datagram.writeUInt32BE(++user.chatId >>> 0, user.stampAt - 4);
    this.sendRaw(user, datagram, stamp);
  }

  /** Seals `message` in the member's session and sends it; a spent key counts as a send error. */
  private sendSealed(user: SimUser, message: Buffer, now: number): void {
    const datagram = (user.channel as SealedChannel).seal(message);
    if (datagram === null) this.sendErrors++;
    else this.sendRaw(user, datagram, now);
  }

  /** A keep-alive or endpoint registration: the template as is, or sealed for an encrypted member. */
  private sendKeepAlive(user: SimUser, message: Buffer, now: number): void {
    if (user.channel) this.sendSealed(user, message, now);
    else this.sendRaw(user, message, now);
  }

  private sendRaw(user: SimUser, datagram: Buffer, now: number): void {
    user.lastSendMicros = now;
    if (this.native) {
      if (this.native.send(user.fd, datagram) !== 0) this.sendErrors++;
      return;
    }
    try {
      // No callback: a failed send surfaces as the socket's 'error' event (counted there), and a
      // callback per datagram would cost a completion round trip through the event loop.
      (user.socket as dgram.Socket).send(datagram);
    } catch {
      this.sendErrors++;
    }
  }

  private keepAlives(): void {
    if (this.nativeSending) return;
    const now = nowMicros();
    for (const u of this.sendOrder) {
      if (now - u.lastSendMicros > KEEPALIVE_EVERY_MICROS && u.keepAlive) {
        // Tincan: a HEARTBEAT, so the server answers with a PONG (counted as a notice).
        const msg = this.config.dialect === 'tincan' ? heartbeatFrom(u.keepAlive) : u.keepAlive;
        this.sendKeepAlive(u, msg, now);
      }
    }
  }

  /**
   * What reached encrypted member `index`: opened (authenticated and decrypted) by its own sealed
   * session, then counted like a clear datagram; anything that does not open is refused and counted
   * apart, never as chat. A ROOM_KEY is taken and answered with a sealed KEY_ACK, as our client does.
   */
  receiveSealed(index: number, msg: Buffer, arrivedAt = nowMicros(), start = 0, end = msg.length): void {
    const user = this.users[index];
    if (!user?.channel) return;
    if (this.keepLastSealed) this.lastSealedIn = { user: index, bytes: Buffer.from(msg.subarray(start, end)) };
    if (msg[start] !== SEALED_SERVER_MARKER) {
      this.sealedCounts.notSealed++;
      return;
    }
    // Opened where it lies (the raw blob or the socket's own buffer): no copy, no garbage per datagram.
    const at = user.channel.openInPlace(msg, start, end);
    if (at === OPENED_REPLY) {
      this.sealedCounts.roomKeys++;
      this.sendRaw(user, user.channel.reply as Buffer, user.lastSendMicros);
      this.passRoomKey(user, msg, start);
      return;
    }
    if (at < 0) {
      this.sealedCounts.refused++;
      return;
    }
    this.sealedCounts.opened++;
    this.count(msg, arrivedAt, at, at + user.channel.openedLength);
  }

  /**
   * Hands the room key member `user` just took (still in msg, opened in place after the header at
   * `start`) to the native receiver, which from then on opens that epoch's datagrams on its own
   * thread.
   */
  private passRoomKey(user: SimUser, msg: Buffer, start: number): void {
    const native = this.native;
    if (!native?.setRoomKey) return;
    const at = start + SEALED_SERVER_HEADER_BYTES;
    const length = msg.readUInt16BE(at);
    const key = parseRoomKeyMessage(msg.subarray(at + SEALED_LENGTH_BYTES, at + SEALED_LENGTH_BYTES + length));
    if (key === null || key.epoch <= user.nativeEpoch) return;
    user.nativeEpoch = key.epoch;
    native.setRoomKey(user.fd, key.cipher, key.epoch, key.key, key.iv);
  }

  /** Writes member `user`'s sealing record: counters its session lends the sender thread, and its key. */
  private lendToSender(user: SimUser, message: Buffer, sends: number, out: Buffer, at: number): void {
    const loan = (user.channel as SealedChannel).lendCounters(sends);
    const padded = paddedLength(message.length, SEALED_CLIENT_PLAINTEXT_MAX);
    if (loan === null || padded < 0) throw new Error(`${user.name}: its session cannot lend ${sends} counters`);
    writeSealingRecord(out, at, { ...loan, padded });
  }

  /** Shared by every clear socket: the datagram as it arrives now. */
  private readonly onMessage = (msg: Buffer): void => this.count(msg, nowMicros());

  /** Classifies the server datagram msg[start, end) (clear, or opened) and records the latency of chat. */
  private count(msg: Buffer, arrivedAt: number, start = 0, end = msg.length): void {
    let at: number;
    if (msg[start] === CONTROL_MARKER) {
      const kind = msg[start + 1];
      if (kind === ServerKind.CHAT && end - start >= CHAT_EVENT_HEADER_BYTES) {
        at = start + CHAT_EVENT_HEADER_BYTES + (msg[start + 6] as number);
      } else if (kind === ServerKind.ACK) {
        this.acks++;
        return;
      } else {
        this.notices++;
        return;
      }
    } else if (msg[start] === 0x2a && msg[start + 1] === 0x20) {
      this.notices++;
      return;
    } else {
      const offset = plainTextOffset(start === 0 && end === msg.length ? msg : msg.subarray(start, end));
      at = offset < 0 ? -1 : start + offset;
    }
    if (at + STAMP_DIGITS >= end) at = -1; // the stamp and its space must lie inside this datagram
    const stamp = at < 0 ? -1 : readStamp(msg, at);
    if (stamp < 0 || msg[at + STAMP_DIGITS] !== 0x20) {
      this.unknown++;
      return;
    }
    if (stamp >= this.windowStart && stamp < this.windowEnd) {
      this.received++;
      const latency = arrivedAt - stamp;
      this.histogram.recordValue(latency > 0 ? latency : 1);
    } else {
      this.receivedOutside++;
    }
  }
}

/** Turns a HELLO keep-alive template into a HEARTBEAT with nonce 0. */
function heartbeatFrom(hello: Buffer): Buffer {
  const out = Buffer.alloc(hello.length + 4);
  hello.copy(out);
  out[hello.length - 1] = ClientKind.HEARTBEAT;
  return out;
}
