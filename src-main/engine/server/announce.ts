// Room notices (joined, left, closed) in both dialects: each is encoded once per event, as plain text
// for plain members and as a structured event for Tincan members, and the same bytes go to everyone.
import {
  DIALECT_WITH_MEMBER_TRANSPORT,
  DIALECT_WITH_RECONNECTED_AND_CHAT_ERROR,
  encodeClosedEvent,
  encodeJoinedEvent,
  encodeLeftEvent,
  encodeReconnectedEvent,
  LeftReason,
  encodeRemovedEvent,
  NOTICE_PREFIX,
  plainClosedNotice,
  plainJoinedNotice,
  plainLeftNotice,
  PLAIN_REMOVED_NOTICE,
  truncateUtf8,
  UDP_SERVER_MAX_BYTES,
  type ClosedReasonCode,
  type LeftReasonCode,
} from '../../../src-shared/protocol/index.js';
import type { Member, Room } from './room-registry.js';
import type { SealedRooms } from './sealed-rooms.js';
import type { UdpOut } from './udp-out.js';

export class Announcer {
  /** Scratch: the sealed recipients of one notice (of version 3 on, and older, when they differ). */
  private readonly sealedTo: Member[] = [];
  private readonly sealedToOlder: Member[] = [];

  constructor(
    private readonly out: UdpOut,
    private readonly sealed: SealedRooms,
  ) {}

  /**
   * Sends `plain` to plain recipients and `structured` to Tincan recipients (sealed or not), skipping
   * `except`; Tincan recipients of a version older than 3 get `older` instead when given.
   */
  toRoom(room: Room, plain: string, structured: Uint8Array, except: Member | null, older = structured): void {
    let plainBytes: Buffer | null = null;
    const recipients = room.recipients;
    const sealedTo = this.sealedTo;
    const sealedToOlder = this.sealedToOlder;
    let nz = 0;
    let no = 0;
    for (let i = 0; i < recipients.length; i++) {
      const r = recipients[i] as Member;
      if (r === except) continue;
      const bytes = r.dialect >= DIALECT_WITH_MEMBER_TRANSPORT ? structured : older;
      if (r.sealed !== null) {
        if (bytes === structured) sealedTo[nz++] = r;
        else sealedToOlder[no++] = r;
      } else if (r.dialect > 0) this.out.send(bytes, r);
      else this.out.send((plainBytes ??= Buffer.from(truncateUtf8(plain, UDP_SERVER_MAX_BYTES), 'utf8')), r);
    }
    // Each distinct form is sealed once under the room key.
    if (nz > 0) this.sealed.toRoom(room, structured, structured.length, sealedTo, nz, null);
    if (no > 0) this.sealed.toRoom(room, older, older.length, sealedToOlder, no, null);
    sealedTo.length = 0;
    sealedToOlder.length = 0;
  }

  /** Version 3 on hears whether the newcomer's connection is plain; older versions only the host bit. */
  joined(member: Member): void {
    this.toRoom(
      member.room,
      plainJoinedNotice(member.name),
      encodeJoinedEvent(member.name, member.host, !member.encrypted),
      member,
      encodeJoinedEvent(member.name, member.host),
    );
  }

  left(member: Member, reason: LeftReasonCode): void {
    this.toRoom(member.room, plainLeftNotice(member.name, reason), encodeLeftEvent(member.name, reason), member);
  }

  /**
   * The member is being dropped for silence: it hears the notice the room hears (a LEFT or line
   * under its own name), so it learns why its datagrams go unanswered from now on.
   */
  timedOut(member: Member): void {
    if (!member.endpointKnown) return;
    const reason = LeftReason.TIMED_OUT;
    if (member.dialect > 0) this.out.send(encodeLeftEvent(member.name, reason), member);
    else this.out.send(Buffer.from(truncateUtf8(plainLeftNotice(member.name, reason), UDP_SERVER_MAX_BYTES)), member);
  }

  /**
   * The member's new session took over its old one: not a departure. Members that negotiated
   * version 3 get RECONNECTED with the new session's transport (it may differ from the old one's),
   * version 2 RECONNECTED, older ones the LEFT "reconnected" they always got.
   */
  reconnected(member: Member): void {
    const plain = plainLeftNotice(member.name, LeftReason.RECONNECTED);
    const legacy = encodeLeftEvent(member.name, LeftReason.RECONNECTED);
    const v2 = encodeReconnectedEvent(member.name);
    const current = encodeReconnectedEvent(member.name, { host: member.host, plain: !member.encrypted });
    let plainBytes: Buffer | null = null;
    for (const r of member.room.recipients) {
      if (r === member) continue;
      if (r.dialect >= DIALECT_WITH_MEMBER_TRANSPORT) this.out.send(current, r);
      else if (r.dialect >= DIALECT_WITH_RECONNECTED_AND_CHAT_ERROR) this.out.send(v2, r);
      else if (r.dialect > 0) this.out.send(legacy, r);
      else this.out.send((plainBytes ??= Buffer.from(truncateUtf8(plain, UDP_SERVER_MAX_BYTES), 'utf8')), r);
    }
  }

  /** Tells the member itself that the host removed it. */
  removed(member: Member): void {
    this.out.send(
      member.dialect > 0 ? encodeRemovedEvent() : Buffer.from(`${NOTICE_PREFIX}${PLAIN_REMOVED_NOTICE}`, 'utf8'),
      member,
    );
  }

  closed(room: Room, reason: ClosedReasonCode, except: Member | null): void {
    this.toRoom(room, plainClosedNotice(reason), encodeClosedEvent(reason), except);
  }
}
