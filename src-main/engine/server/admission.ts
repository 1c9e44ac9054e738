// Decides a complete, well-formed TCRP request: create, join or resume, with every cap and the
// password check. Returns the status to send and, on OK, the new member.
//
// Against hashing floods and room enumeration (SECURITY.md): each source IP has a budget of requests
// that cost a hash, of creates, and of answers that say something about rooms; hashes run through a
// bounded queue. A join that carries a password costs exactly one hash, done whether the room
// exists, has a password or not; one without costs none. So how long a refusal takes says nothing
// the status does not.
import { timingSafeEqual } from 'node:crypto';
import { Operation, Status, type HandshakeRequest, type StatusCode } from '../../../src-shared/protocol/index.js';
import type { Logger } from '../log.js';
import { HashQueue } from './hash-queue.js';
import { LocalBudgets, type AdmissionBudgets } from './admission-budgets.js';
import { budgetKey } from './ip-budget.js';
import { LimitLog } from './limit-log.js';
import { announcedHeartbeatMs, type ServerOptions } from './options.js';
import { hashPassword, unmatchableHash, verifyPassword, type PasswordHash } from './password.js';
import { PasswordBackoff } from './rate-limit.js';
import type { Member, RoomRegistry } from './room-registry.js';
import type { RoomLifecycle } from './room-lifecycle.js';

export interface AdmissionRequest {
  operation: number;
  room: string;
  request: HandshakeRequest;
  /** Normalised IP of the TCP peer. */
  ip: string;
  /** The request arrived inside TLS. */
  encrypted: boolean;
}

export type AdmissionResult =
  | { status: typeof Status.OK; member: Member; resumed: boolean }
  | { status: Exclude<StatusCode, typeof Status.OK>; reason: string };

/** Called right before the registry changes; a status here aborts (client gone, trailing bytes). */
export type CommitCheck = () => { status: Exclude<StatusCode, typeof Status.OK>; reason: string } | null;

type Options = Pick<
  ServerOptions,
  | 'maxRooms'
  | 'maxMembersPerRoom'
  | 'passwordAttemptsBeforeBackoff'
  | 'maxMessagesPerSecond'
  | 'hashesPerIpPerSecond'
  | 'hashBurstPerIp'
  | 'hashConcurrency'
  | 'maxQueuedHashes'
  | 'maxHashJobsPerIp'
  | 'createsPerIpPerMinute'
  | 'createBurstPerIp'
  | 'refusalsPerIpPerSecond'
  | 'refusalBurstPerIp'
  | 'encryptedOnly'
  | 'heartbeatIntervalMs'
  | 'inactivityTimeoutMs'
>;

type Refusal = Exclude<AdmissionResult, { status: typeof Status.OK }>;

/**
 * A seat opened in clear is resumed only after it was silent this many announced heartbeats. Its
 * token (and the password it joined with) crossed the wire, so someone who read them could present
 * them; its own client stops sending before it resumes, while a seat still talking is in use.
 */
const QUIET_HEARTBEATS_BEFORE_CLEAR_RESUME = 2;

/** The answers that tell an outsider which rooms exist, need a password or hold a name. */
const ENUMERATION: ReadonlySet<number> = new Set([
  Status.NO_SUCH_ROOM,
  Status.WRONG_PASSWORD,
  Status.PASSWORD_REQUIRED,
  Status.ROOM_EXISTS,
  Status.NAME_TAKEN,
]);

/** What the abuse limits did since the server started. */
export interface AdmissionStats {
  /** Password hashes started (real checks, new rooms and checks against the unmatchable hash). */
  hashes: number;
  /** Of those, checks against the unmatchable hash (the room had no password or did not exist). */
  unmatchableChecks: number;
  /** Requests refused by each limit. */
  refused: Record<'hashBudget' | 'hashQueue' | 'hashSourceBusy' | 'creates' | 'enumeration', number>;
}

export class Admission {
  readonly backoff: PasswordBackoff;
  /** Per-IP budgets: this process's own, or (in a shard) the primary's, shared by every shard. */
  private readonly budgets: AdmissionBudgets;
  private readonly hashes: HashQueue;
  private readonly unmatchable: PasswordHash = unmatchableHash();
  readonly limitLog: LimitLog;
  private readonly counts: AdmissionStats = {
    hashes: 0,
    unmatchableChecks: 0,
    refused: { hashBudget: 0, hashQueue: 0, hashSourceBusy: 0, creates: 0, enumeration: 0 },
  };

  constructor(
    private readonly registry: RoomRegistry,
    private readonly lifecycle: RoomLifecycle,
    private readonly options: Options,
    private readonly log: Logger,
    budgets?: AdmissionBudgets,
  ) {
    this.backoff = new PasswordBackoff(options.passwordAttemptsBeforeBackoff);
    this.budgets = budgets ?? new LocalBudgets(options);
    this.hashes = new HashQueue({
      concurrency: options.hashConcurrency,
      maxQueued: options.maxQueuedHashes,
      maxPerSource: options.maxHashJobsPerIp,
    });
    this.limitLog = new LimitLog(log);
  }

  stats(): AdmissionStats {
    return { ...this.counts, hashes: this.hashes.started, refused: { ...this.counts.refused } };
  }

  private get burst(): number {
    return this.options.maxMessagesPerSecond * 4;
  }

  async admit(req: AdmissionRequest, check: CommitCheck): Promise<AdmissionResult> {
    // Before anything else, resume included: a plain connection learns nothing about rooms or seats.
    if (this.options.encryptedOnly && !req.encrypted)
      return { status: Status.ENCRYPTION_REQUIRED, reason: 'plain connection (encrypted members only)' };
    const resumed = await this.tryResume(req, check);
    if (resumed) return resumed;
    // Taken up front so parallel requests cannot all slip through; given back below unless the
    // answer was one that tells about rooms.
    if (!(await this.budgets.take('answer', req.ip))) return this.limited('enumeration', req.ip);
    const result = await this.decide(req, check);
    if (!ENUMERATION.has(result.status)) this.budgets.refund('answer', req.ip);
    return result;
  }

  private async decide(req: AdmissionRequest, check: CommitCheck): Promise<AdmissionResult> {
    const create = req.operation === Operation.CREATE;
    if (create && !(await this.budgets.take('create', req.ip))) return this.limited('creates', req.ip);
    return create ? this.create(req, check) : this.join(req, check);
  }

  private limited(limit: 'enumeration' | 'creates' | 'hash-budget' | 'hash-source-busy', ip: string): Refusal {
    const key = limit === 'hash-budget' ? 'hashBudget' : limit === 'hash-source-busy' ? 'hashSourceBusy' : limit;
    this.counts.refused[key]++;
    this.limitLog.tripped(limit, ip);
    return { status: Status.RATE_LIMITED, reason: `${limit} limit` };
  }

  /**
   * Runs one password hash for `ip` within its budget and the queue, or says at once why not: the
   * budget spent or the IP's queue places taken (RATE_LIMITED), the queue full (SERVER_FULL).
   */
  private async hashed<T>(ip: string, job: () => Promise<T>): Promise<{ value: T } | Refusal> {
    if (!(await this.budgets.take('hash', ip))) return this.limited('hash-budget', ip);
    // Places are held per budget key, so the addresses of one IPv6 /64 share a single place.
    const queued = this.hashes.submit(budgetKey(ip), job);
    if (queued === 'source-busy') return this.limited('hash-source-busy', ip);
    if (queued === 'queue-full') {
      this.counts.refused.hashQueue++;
      this.limitLog.tripped('hash-queue', ip);
      return { status: Status.SERVER_FULL, reason: 'hash queue full' };
    }
    return { value: await queued };
  }

  /**
   * Hashes a room's new password (the host's SET_PASSWORD) exactly as a create does: within the
   * host IP's hash budget and through the bounded queue.
   */
  async hashNewPassword(ip: string, password: string): Promise<PasswordHash | 'refused'> {
    const done = await this.hashed(ip, () => hashPassword(password));
    return 'value' in done ? done.value : 'refused';
  }

  /**
   * Same room, same name, same IP, the old token and proof that the token was not just sniffed: the
   * new session replaces the old one. The proof (PROTOCOL.md, "Encrypted transport"): for a seat
   * opened inside TLS, its resume proof or the room password, presented inside TLS; for a seat opened
   * in clear, the room password, and only once the seat went quiet (both may have been sniffed).
   * Without it the request is an ordinary join, so a live seat answers NAME_TAKEN and its member is
   * never locked out by someone holding its token.
   */
  private async tryResume(req: AdmissionRequest, check: CommitCheck): Promise<AdmissionResult | null> {
    const token = req.request.resume;
    if (!token || req.request.dialect === 0) return null;
    // A token the host removed is refused outright: its holder cannot come back with it.
    if (this.registry.rooms.get(req.room)?.wasRemoved(token))
      return { status: Status.BAD_REQUEST, reason: 'the host removed this session' };
    const old = this.seatToResume(req, token);
    if (!old) return null;
    const proven = await this.resumeProven(old, req);
    if (proven !== true) return proven === false ? null : proven;
    // A password check awaited: the seat may have gone meanwhile.
    if (this.seatToResume(req, token) !== old) return null;
    const refused = check();
    if (refused) return refused;
    const fresh = this.registry.addMember(
      old.room,
      old.name,
      old.host,
      req.request.dialect,
      req.ip,
      Date.now(),
      this.burst,
    );
    fresh.encrypted = connectionEncrypted(req);
    this.lifecycle.resume(old, fresh);
    return { status: Status.OK, member: fresh, resumed: true };
  }

  private seatToResume(req: AdmissionRequest, token: string): Member | null {
    const old = this.registry.findByTokenString(token);
    if (!old || !old.active || old.room.name !== req.room || old.name !== req.request.username || old.ip !== req.ip)
      return null;
    return old;
  }

  /** True when the request proves it holds the seat; false when not; a refusal when the password check could not run. */
  private async resumeProven(old: Member, req: AdmissionRequest): Promise<boolean | Refusal> {
    if (old.resumeProof !== null) {
      // Opened inside TLS: never resumed in clear.
      if (!req.encrypted) return false;
      if (proofMatches(old.resumeProof, req.request.proof)) return true;
    } else if (this.stillTalking(old)) {
      // Opened in clear: all it could prove with may have been sniffed, so a live seat stays its member's.
      return false;
    }
    const stored = old.room.password;
    // A room without a password has no secret to prove a seat opened in clear with.
    if (stored === null) return old.resumeProof === null;
    if (req.request.password === '') return false;
    const key = PasswordBackoff.key(req.ip, req.room);
    if (this.backoff.blockedFor(key, Date.now()) > 0) return false;
    const done = await this.hashed(req.ip, () => verifyPassword(stored, req.request.password));
    if (!('value' in done)) return done;
    if (!done.value) this.backoff.recordFailure(key, Date.now());
    return done.value;
  }

  /** A datagram came from the seat within the quiet time a resume in clear waits for. */
  private stillTalking(seat: Member): boolean {
    const quietMs = QUIET_HEARTBEATS_BEFORE_CLEAR_RESUME * announcedHeartbeatMs(this.options);
    return seat.endpointKnown && Date.now() - seat.lastSeen < quietMs;
  }

  private async create(req: AdmissionRequest, check: CommitCheck): Promise<AdmissionResult> {
    // ROOM_EXISTS may come at once: a create of a missing room answers OK (and makes the room), so
    // the status tells existence anyway and the time adds nothing.
    const early = this.createRefusal(req.room);
    if (early) return early;
    // The host itself would be a plain member of a room it wants encrypted members only in.
    if (req.request.encryptedOnly && !connectionEncrypted(req))
      return { status: Status.ENCRYPTION_REQUIRED, reason: 'encrypted-only room asked for in clear' };
    const password = req.request.password;
    let hash: PasswordHash | null = null;
    if (password !== '') {
      const done = await this.hashed(req.ip, () => hashPassword(password));
      if (!('value' in done)) return done;
      hash = done.value;
    }
    // The world may have changed while scrypt ran.
    const late = this.createRefusal(req.room) ?? check();
    if (late) return late;
    const now = Date.now();
    const room = this.registry.createRoom(req.room, hash, now);
    room.encryptedOnly = req.request.encryptedOnly === true || this.options.encryptedOnly;
    const host = this.registry.addMember(
      room,
      req.request.username,
      true,
      req.request.dialect,
      req.ip,
      now,
      this.burst,
    );
    host.encrypted = connectionEncrypted(req);
    this.lifecycle.roomCreated(room, host);
    return { status: Status.OK, member: host, resumed: false };
  }

  private createRefusal(room: string): AdmissionResult | null {
    if (this.registry.roomNameTaken(room)) return { status: Status.ROOM_EXISTS, reason: 'room exists' };
    if (this.registry.rooms.size >= this.options.maxRooms)
      return { status: Status.SERVER_FULL, reason: 'room cap reached' };
    return null;
  }

  private async join(req: AdmissionRequest, check: CommitCheck): Promise<AdmissionResult> {
    const password = req.request.password;
    const room = this.registry.rooms.get(req.room);
    if (password === '') {
      if (!room) return { status: Status.NO_SUCH_ROOM, reason: 'no such room' };
      if (room.password) {
        const wait = this.backoff.blockedFor(PasswordBackoff.key(req.ip, req.room), Date.now());
        if (wait > 0) return { status: Status.RATE_LIMITED, reason: `password backoff, ${wait} ms left` };
        // Only a client that negotiated our dialect knows the PASSWORD_REQUIRED code.
        return req.request.dialect > 0
          ? { status: Status.PASSWORD_REQUIRED, reason: 'password required' }
          : { status: Status.WRONG_PASSWORD, reason: 'password missing' };
      }
    } else {
      // Missing rooms back off and cost a hash like wrong passwords do, so neither the answer pattern
      // nor the time tells a missing room from a guarded one before the budget runs out.
      const key = PasswordBackoff.key(req.ip, req.room);
      const wait = this.backoff.blockedFor(key, Date.now());
      if (wait > 0) return { status: Status.RATE_LIMITED, reason: `password backoff, ${wait} ms left` };
      const stored = room?.password ?? this.unmatchable;
      const done = await this.hashed(req.ip, () => {
        if (stored === this.unmatchable) this.counts.unmatchableChecks++;
        return verifyPassword(stored, password);
      });
      if (!('value' in done)) return done;
      if (!room) {
        this.backoff.recordFailure(key, Date.now());
        return { status: Status.NO_SUCH_ROOM, reason: 'no such room' };
      }
      if (room.password) {
        if (!done.value) {
          this.backoff.recordFailure(key, Date.now());
          return { status: Status.WRONG_PASSWORD, reason: 'wrong password' };
        }
        this.backoff.recordSuccess(key);
      }
    }
    if (!room) return { status: Status.NO_SUCH_ROOM, reason: 'no such room' };
    if (this.registry.rooms.get(req.room) !== room)
      return { status: Status.NO_SUCH_ROOM, reason: 'room closed meanwhile' };
    if (room.members.has(req.request.username)) return { status: Status.NAME_TAKEN, reason: 'name taken' };
    if (room.members.size >= this.options.maxMembersPerRoom)
      return { status: Status.ROOM_FULL, reason: 'member cap reached' };
    // Only once the password matched: the refusal then tells nothing that admission would not.
    if (room.encryptedOnly && !connectionEncrypted(req))
      return { status: Status.ENCRYPTION_REQUIRED, reason: 'plain connection (encrypted-only room)' };
    const refused = check();
    if (refused) return refused;
    const member = this.registry.addMember(
      room,
      req.request.username,
      false,
      req.request.dialect,
      req.ip,
      Date.now(),
      this.burst,
    );
    member.encrypted = connectionEncrypted(req);
    this.log.debug('token-issued', { room: room.name, name: member.name, ip: req.ip });
    return { status: Status.OK, member, resumed: false };
  }
}

/** A member's connection is encrypted when its request came inside TLS and it speaks our dialect (sealed UDP). */
function connectionEncrypted(req: AdmissionRequest): boolean {
  return req.encrypted && req.request.dialect > 0;
}

/** Constant-time comparison of the seat's proof with the hex the request carried. */
function proofMatches(expected: Buffer, offered: string | null | undefined): boolean {
  if (typeof offered !== 'string' || offered.length !== expected.length * 2 || !/^[0-9a-f]+$/.test(offered))
    return false;
  return timingSafeEqual(expected, Buffer.from(offered, 'hex'));
}
