// Room notices (joined, left, closed) in both dialects: each is encoded once per event, as plain text
// for plain members and as a structured event for Tincan members, and the same bytes go to everyone.
import {
  encodeClosedEvent,
  encodeJoinedEvent,
  encodeLeftEvent,
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
import type { UdpOut } from './udp-out.js';

export class Announcer {
  constructor(private readonly out: UdpOut) {}

  /** Sends `plain` to plain recipients and `structured` to Tincan recipients, skipping `except`. */
  toRoom(room: Room, plain: string, structured: Uint8Array, except: Member | null): void {
    let plainBytes: Buffer | null = null;
    const recipients = room.recipients;
    for (let i = 0; i < recipients.length; i++) {
      const r = recipients[i] as Member;
      if (r === except) continue;
      if (r.dialect > 0) this.out.send(structured, r);
      else this.out.send((plainBytes ??= Buffer.from(truncateUtf8(plain, UDP_SERVER_MAX_BYTES), 'utf8')), r);
    }
  }

  joined(member: Member): void {
    this.toRoom(member.room, plainJoinedNotice(member.name), encodeJoinedEvent(member.name, member.host), member);
  }

  left(member: Member, reason: LeftReasonCode): void {
    this.toRoom(member.room, plainLeftNotice(member.name, reason), encodeLeftEvent(member.name, reason), member);
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
