// What happens to rooms and members over time: creation, join announcement, leave, close, resume,
// and the sweeper's inactivity and token-expiry checks. Every change is announced, emitted and logged here.
import type { EventEmitter } from 'node:events';
import {
  ClosedReason,
  closedReasonName,
  LeftReason,
  leftReasonName,
  type ClosedReasonCode,
  type LeftReasonCode,
  type LeftReasonName,
  type ServerClosedReason,
} from '../../../src-shared/protocol/index.js';
import type { Logger } from '../log.js';
import type { Announcer } from './announce.js';
import type { PasswordHash } from './password.js';
import type { Member, Room, RoomRegistry } from './room-registry.js';
import type { SealedRooms } from './sealed-rooms.js';

export type { LeftReasonName } from '../../../src-shared/protocol/index.js';
export type ClosedReasonName = ServerClosedReason;

/**
 * The sweeper goes through the rooms in this many steps per interval: one pass over 5,000 members
 * took ~0.4 ms, as long as a scavenge, and held up every datagram behind it; a step takes ~0.1 ms
 * (BENCHMARKS.md, 2026-12-07).
 */
export const SWEEP_STEPS = 8;

export class RoomLifecycle {
  /** Where the sweeper's pass over the rooms stands; a Map's iterator survives rooms added and removed. */
  private sweepCursor: Iterator<Room> | null = null;
  /** Rooms per step in the current pass. */
  private sweepShare = 1;

  constructor(
    private readonly registry: RoomRegistry,
    private readonly announcer: Announcer,
    private readonly events: EventEmitter,
    private readonly log: Logger,
    private readonly sealed: SealedRooms,
  ) {}

  roomCreated(room: Room, host: Member): void {
    this.log.info('room-created', { room: room.name, host: host.name, ip: host.ip, password: room.password !== null });
    this.events.emit('room-created', { room: room.name });
  }

  /** The member's endpoint was learned or changed (datagram or TCP port). Announces a first join. */
  endpointSeen(member: Member, address: string, port: number, via: 'udp' | 'tcp'): void {
    if (!member.active) return;
    const previousPort = member.port;
    const first = this.registry.setEndpoint(member, address, port);
    if (!first) {
      this.log.debug('endpoint-moved', { room: member.room.name, name: member.name, from: previousPort, to: port });
      return;
    }
    // A sealed member's arrival begins a room key epoch it could not have read before.
    if (this.sealed.concerns(member)) this.sealed.rotate(member.room);
    if (member.announced) return; // a resumed session keeps its announcement
    member.announced = true;
    this.announcer.joined(member);
    this.log.info('member-joined', {
      room: member.room.name,
      name: member.name,
      host: member.host,
      dialect: member.dialect > 0 ? 'tincan' : 'plain',
      endpoint: `${address}:${port}`,
      via,
    });
    this.events.emit('member-joined', { room: member.room.name, name: member.name });
  }

  /** The member leaves or times out. A departing host closes the room. */
  leave(member: Member, reason: LeftReasonCode): void {
    if (!member.active) return;
    const room = member.room;
    if (member.host) {
      this.closeRoom(room, reason === LeftReason.TIMED_OUT ? ClosedReason.HOST_TIMED_OUT : ClosedReason.HOST_LEFT);
      return;
    }
    if (reason === LeftReason.TIMED_OUT) this.announcer.timedOut(member);
    this.registry.removeMember(member);
    // Before the notice: the departed member must not hold the key the room hears from now on.
    if (this.sealed.concerns(member)) this.sealed.rotate(room);
    if (member.announced) this.announcer.left(member, reason);
    this.memberGone(member, leftReasonName(reason));
  }

  /**
   * The host removes `member`: it is told first (REMOVED, or the plain notice), then its token is
   * revoked and remembered, and the room sees it leave with reason "removed".
   */
  remove(member: Member): void {
    if (!member.active || member.host) return;
    const room = member.room;
    if (member.endpointKnown) this.announcer.removed(member);
    room.noteRemovedToken(member.token);
    this.registry.removeMember(member);
    // As on leave: a removed member must not read what the room says after it.
    if (this.sealed.concerns(member)) this.sealed.rotate(room);
    if (member.announced) this.announcer.left(member, LeftReason.REMOVED);
    this.memberGone(member, 'removed');
  }

  /** The host changed (or, with null, cleared) the password future joins must match. */
  passwordChanged(room: Room, password: PasswordHash | null): void {
    room.password = password;
    this.log.info('room-password-changed', { room: room.name, password: password !== null });
  }

  /**
   * Tells every member (except a departed host), revokes every token, frees the name. Emits only
   * 'room-closed' (not one 'member-left' per member): the room's end implies everyone's.
   */
  closeRoom(room: Room, reason: ClosedReasonCode): void {
    if (this.registry.rooms.get(room.name) !== room) return;
    // A host that left knows it; a host that timed out is told, like any member that times out.
    this.announcer.closed(room, reason, reason === ClosedReason.HOST_LEFT ? room.host : null);
    const members = [...room.members.values()];
    this.registry.deleteRoom(room);
    this.log.info('room-closed', { room: room.name, reason: closedReasonName(reason), members: members.length });
    this.events.emit('room-closed', { room: room.name, reason: closedReasonName(reason) });
  }

  /**
   * A resumed session replaces `old` with `fresh`: same name, same role. The new session inherits
   * the endpoint (so it keeps receiving until its own first datagram moves it) and the announcement,
   * and the room sees "reconnected" instead of a leave and a join.
   */
  resume(old: Member, fresh: Member): void {
    const wasAnnounced = old.announced;
    const address = old.address;
    const port = old.port;
    this.registry.removeMember(old);
    fresh.room.members.set(fresh.name, fresh);
    if (old.host) {
      fresh.host = true;
      fresh.room.host = fresh;
    }
    fresh.announced = wasAnnounced;
    if (port !== 0) this.registry.setEndpoint(fresh, address, port);
    if (this.sealed.concerns(old) || this.sealed.concerns(fresh)) this.sealed.rotate(fresh.room);
    if (wasAnnounced) this.announcer.reconnected(fresh);
    this.log.info('member-resumed', { room: fresh.room.name, name: fresh.name, host: fresh.host });
    if (wasAnnounced)
      this.events.emit('member-left', { room: fresh.room.name, name: fresh.name, reason: 'reconnected' });
  }

  /**
   * Inactivity and token expiry for the next 1/SWEEP_STEPS of the rooms (at least one), so every
   * room is checked about once in SWEEP_STEPS calls; runs on the sweeper timer, never per datagram.
   */
  sweepStep(now: number, inactivityMs: number, tokenTtlMs: number): void {
    const timedOut: Member[] = [];
    const expired: Member[] = [];
    const rooms = this.registry.rooms;
    let cursor = this.sweepCursor ?? this.startSweepPass();
    // A pass's share per step is fixed when it starts, so rooms closing during it cannot stretch it
    // past SWEEP_STEPS steps; rooms opening during it raise the share.
    for (let budget = Math.max(this.sweepShare, Math.ceil(rooms.size / SWEEP_STEPS)); budget > 0; budget--) {
      let next = cursor.next();
      if (next.done === true) {
        // The pass is over: the next one begins here (a step is never more than all the rooms).
        cursor = this.startSweepPass();
        next = cursor.next();
        if (next.done === true) return;
      }
      const room = next.value;
      for (const m of room.members.values()) {
        if (m.endpointKnown) {
          if (now - m.lastSeen > inactivityMs) timedOut.push(m);
        } else if (now - m.issuedAt > tokenTtlMs) {
          expired.push(m);
        }
      }
    }
    for (const m of timedOut) this.leave(m, LeftReason.TIMED_OUT);
    for (const m of expired) this.expire(m);
  }

  private startSweepPass(): Iterator<Room> {
    const rooms = this.registry.rooms;
    this.sweepShare = Math.max(1, Math.ceil(rooms.size / SWEEP_STEPS));
    this.sweepCursor = rooms.values();
    return this.sweepCursor;
  }

  /** An unused token expires. Nothing to announce unless it inherited an announcement by resuming. */
  private expire(member: Member): void {
    if (!member.active) return;
    if (member.host) {
      this.closeRoom(member.room, ClosedReason.HOST_TIMED_OUT);
      return;
    }
    this.registry.removeMember(member);
    if (this.sealed.concerns(member)) this.sealed.rotate(member.room);
    if (member.announced) this.announcer.left(member, LeftReason.TIMED_OUT);
    this.memberGone(member, 'expired');
  }

  private memberGone(member: Member, reason: LeftReasonName): void {
    this.log.info('member-left', { room: member.room.name, name: member.name, reason });
    if (member.announced) this.events.emit('member-left', { room: member.room.name, name: member.name, reason });
  }
}
