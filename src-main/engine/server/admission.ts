// Decides a complete, well-formed TCRP request: create, join or resume, with every cap and the
// password check. Returns the status to send and, on OK, the new member.
import { Operation, Status, type HandshakeRequest, type StatusCode } from '../../../src-shared/protocol/index.js';
import type { Logger } from '../log.js';
import type { ServerOptions } from './options.js';
import { hashPassword, verifyPassword } from './password.js';
import { PasswordBackoff } from './rate-limit.js';
import type { Member, RoomRegistry } from './room-registry.js';
import type { RoomLifecycle } from './room-lifecycle.js';

export interface AdmissionRequest {
  operation: number;
  room: string;
  request: HandshakeRequest;
  /** Normalised IP of the TCP peer. */
  ip: string;
}

export type AdmissionResult =
  | { status: typeof Status.OK; member: Member; resumed: boolean }
  | { status: Exclude<StatusCode, typeof Status.OK>; reason: string };

/** Called right before the registry changes; a status here aborts (client gone, trailing bytes). */
export type CommitCheck = () => { status: Exclude<StatusCode, typeof Status.OK>; reason: string } | null;

type Options = Pick<
  ServerOptions,
  'maxRooms' | 'maxMembersPerRoom' | 'passwordAttemptsBeforeBackoff' | 'maxMessagesPerSecond'
>;

export class Admission {
  readonly backoff: PasswordBackoff;

  constructor(
    private readonly registry: RoomRegistry,
    private readonly lifecycle: RoomLifecycle,
    private readonly options: Options,
    private readonly log: Logger,
  ) {
    this.backoff = new PasswordBackoff(options.passwordAttemptsBeforeBackoff);
  }

  private get burst(): number {
    return this.options.maxMessagesPerSecond * 4;
  }

  async admit(req: AdmissionRequest, check: CommitCheck): Promise<AdmissionResult> {
    const resumed = this.tryResume(req, check);
    if (resumed) return resumed;
    return req.operation === Operation.CREATE ? this.create(req, check) : this.join(req, check);
  }

  /** Same room, same name, same IP, and the old token: the new session replaces the old one. */
  private tryResume(req: AdmissionRequest, check: CommitCheck): AdmissionResult | null {
    const token = req.request.resume;
    if (!token || req.request.dialect === 0) return null;
    const old = this.registry.findByTokenString(token);
    if (!old || !old.active || old.room.name !== req.room || old.name !== req.request.username || old.ip !== req.ip) {
      return null;
    }
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
    this.lifecycle.resume(old, fresh);
    return { status: Status.OK, member: fresh, resumed: true };
  }

  private async create(req: AdmissionRequest, check: CommitCheck): Promise<AdmissionResult> {
    const early = this.createRefusal(req.room);
    if (early) return early;
    const password = req.request.password;
    const hash = password === '' ? null : await hashPassword(password);
    // The world may have changed while scrypt ran.
    const late = this.createRefusal(req.room) ?? check();
    if (late) return late;
    const now = Date.now();
    const room = this.registry.createRoom(req.room, hash, now);
    const host = this.registry.addMember(
      room,
      req.request.username,
      true,
      req.request.dialect,
      req.ip,
      now,
      this.burst,
    );
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
    const room = this.registry.rooms.get(req.room);
    if (!room) return { status: Status.NO_SUCH_ROOM, reason: 'no such room' };
    if (room.password) {
      const key = PasswordBackoff.key(req.ip, req.room);
      const wait = this.backoff.blockedFor(key, Date.now());
      if (wait > 0) return { status: Status.RATE_LIMITED, reason: `password backoff, ${wait} ms left` };
      const password = req.request.password;
      if (password === '') {
        // Only a client that negotiated our dialect knows the PASSWORD_REQUIRED code.
        return req.request.dialect > 0
          ? { status: Status.PASSWORD_REQUIRED, reason: 'password required' }
          : { status: Status.WRONG_PASSWORD, reason: 'password missing' };
      }
      if (!(await verifyPassword(room.password, password))) {
        this.backoff.recordFailure(key, Date.now());
        return { status: Status.WRONG_PASSWORD, reason: 'wrong password' };
      }
      this.backoff.recordSuccess(key);
    }
    if (this.registry.rooms.get(req.room) !== room)
      return { status: Status.NO_SUCH_ROOM, reason: 'room closed meanwhile' };
    if (room.members.has(req.request.username)) return { status: Status.NAME_TAKEN, reason: 'name taken' };
    if (room.members.size >= this.options.maxMembersPerRoom)
      return { status: Status.ROOM_FULL, reason: 'member cap reached' };
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
    this.log.debug('token-issued', { room: room.name, name: member.name, ip: req.ip });
    return { status: Status.OK, member, resumed: false };
  }
}
