// The hot path: every datagram from a client. Parses by offsets, finds the member through the token
// index without allocating strings, checks room and source IP, then relays one encoded buffer per
// dialect to the room's ready recipient list, in one batch per dialect. No logging per datagram;
// counters and rate-limited lines. On the native path an ASCII chat message allocates almost nothing
// on V8's heap (~17 B measured): the datagram is read in place (buffer + offsets), the outgoing text
// is built in a reused buffer that the kernel copies during the call, so V8 can keep its young
// generation small. (Non-ASCII text costs one view for the UTF-8 check.)
import type { RemoteInfo } from 'node:dgram';
import {
  ClientKind,
  ClosedReason,
  CONTROL_MARKER,
  ACK_EVENT_BYTES,
  writeAckEvent,
  writeHistoryHeader,
  encodeChatErrorEvent,
  encodeErrorEvent,
  DIALECT_WITH_MEMBER_TRANSPORT,
  DIALECT_WITH_RECONNECTED_AND_CHAT_ERROR,
  encodeMembersEvents,
  encodePongEvent,
  encodeHistoryEndEvent,
  HISTORY_ENTRY_HEADER_BYTES,
  ErrorCode,
  KEY_ACK_BYTES,
  LeftReason,
  SEALED_CLIENT_HEADER_BYTES,
  SEALED_CLIENT_MARKER,
  SEALED_LENGTH_BYTES,
  SEALED_SERVER_MESSAGE_MAX,
  OWN_KEY_EPOCH,
  SealedClientKind,
  parseClientDatagramAt,
  ServerKind,
  type DatagramView,
  UDP_SERVER_MAX_BYTES,
  utf8BoundaryAtOrBefore,
  needsPlainRewrite,
  writeForPlainMembers,
} from '../../../src-shared/protocol/index.js';
import type { ServerCounters, DropReason } from './counters.js';
import type { DropLog } from './drop-log.js';
import { takeToken } from './rate-limit.js';
import type { HistoryRing } from './history-ring.js';
import { HELLO_BURST, HELLOS_PER_SECOND, type Member, type RoomRegistry } from './room-registry.js';
import type { RecentChatIds } from './recent-chat-ids.js';
import { HOST_TOOL_KINDS, type HostTools } from './host-tools.js';
import type { RoomLifecycle } from './room-lifecycle.js';
import { bytesEqualAt, copyBytes, isUtf8Span } from './bytes.js';
import { sameIp } from './ip.js';
import { TOKEN_LENGTH } from './token.js';
import type { UdpOut } from './udp-out.js';
import type { SealedRooms } from './sealed-rooms.js';
import { checkClientHeader, CLIENT_SESSION_AT } from '../sealed/client-datagram.js';
import { sealServerDatagram } from '../sealed/server-datagram.js';
import type { OpenProblem } from '../sealed/sealer.js';

const SLASH = 0x2f;
/** Plain commands, compared as bytes after trimming trailing whitespace (netcat sends a newline). */
const CMD_LEAVE = Buffer.from('/leave');
const CMD_CLOSE = Buffer.from('/close');
const CHAT_HEADER = 7; // FF 82 seq(4) senderLen
/** How each reason a sealed datagram fails to open is counted. */
const SEALED_DROPS: Record<OpenProblem, DropReason> = {
  'bad-counter': 'sealed-malformed',
  'bad-padding': 'sealed-malformed',
  'bad-tag': 'sealed-bad-tag',
  replayed: 'sealed-replayed',
};
/** Rate-limit errors to one member are themselves limited to one per this interval. */
const RATE_ERROR_INTERVAL_MS = 1_000;

export interface RelayLimits {
  messagesPerSecond: number;
  burst: number;
}

export class UdpRelay {
  /** Scratch recipient lists for one message, by dialect (reused: no allocation per datagram). */
  private readonly structuredTo: Member[] = [];
  private readonly plainTo: Member[] = [];
  private readonly sealedTo: Member[] = [];
  /** The header offsets of the datagram being handled (reused). */
  private readonly view: DatagramView = { roomStart: 0, roomEnd: 0, tokenStart: 0, tokenEnd: 0, messageStart: 0 };
  /** Where outgoing chat is built for native sends, which copy it before they return. */
  private readonly scratch = Buffer.allocUnsafeSlow(UDP_SERVER_MAX_BYTES);
  private readonly ack = Buffer.allocUnsafeSlow(ACK_EVENT_BYTES);
  /** A sealed sender's ACK, sealed before its room's copies go out. */
  private readonly sealedAck = Buffer.allocUnsafeSlow(UDP_SERVER_MAX_BYTES);

  constructor(
    private readonly registry: RoomRegistry,
    private readonly lifecycle: RoomLifecycle,
    private readonly out: UdpOut,
    private readonly counters: ServerCounters,
    private readonly dropLog: DropLog,
    private readonly limits: RelayLimits,
    private readonly sealed: SealedRooms,
    private readonly hostTools: HostTools,
  ) {}

  /** The datagram is msg[from, end); nothing here may keep `msg`, which the reader reuses. */
  handle(msg: Buffer, from: number, end: number, rinfo: RemoteInfo): void {
    this.counters.datagramsIn++;
    // 0xFE is beyond any RoomNameSize: a spec datagram never starts with it.
    if (msg[from] === SEALED_CLIENT_MARKER) return this.handleSealed(msg, from, end, rinfo);
    const view = this.view;
    const problem = parseClientDatagramAt(msg, from, end, view);
    if (problem !== null) return this.drop(problem, rinfo);
    // Our tokens all have one length; anything else cannot be one of ours.
    if (view.tokenEnd - view.tokenStart !== TOKEN_LENGTH) return this.drop('unknown-token', rinfo);
    const member = this.registry.findByToken(msg, view.tokenStart, end);
    if (member === undefined) return this.drop('unknown-token', rinfo);
    const roomBytes = member.room.nameBytes;
    if (roomBytes.length !== view.roomEnd - view.roomStart || !bytesEqualAt(roomBytes, msg, view.roomStart)) {
      return this.drop('wrong-room', rinfo);
    }
    if (!sameIp(rinfo.address, member.ip)) return this.drop('wrong-ip', rinfo);
    if (member.sealed !== null) return this.drop('sealed-only', rinfo);
    this.fromMember(member, msg, view.messageStart, end, rinfo);
  }

  /**
   * A sealed datagram: the session id names the member, the tag proves it, the replay window
   * refuses a second copy. Every failure is a silent, counted drop.
   */
  private handleSealed(msg: Buffer, from: number, end: number, rinfo: RemoteInfo): void {
    if (checkClientHeader(msg, from, end) !== null) return this.drop('sealed-malformed', rinfo);
    const member = this.registry.sessions.find(msg, from + CLIENT_SESSION_AT);
    const session = member?.sealed;
    if (member === undefined || !session) return this.drop('sealed-unknown-session', rinfo);
    if (msg[from + 1] !== session.cipher) return this.drop('sealed-malformed', rinfo);
    if (!sameIp(rinfo.address, member.ip)) return this.drop('wrong-ip', rinfo);
    // Opened where it arrived (the datagram is ours until we return): no copy, no garbage.
    const length = session.opener.openInPlace(msg, from, SEALED_CLIENT_HEADER_BYTES, end);
    if (typeof length === 'string') return this.drop(SEALED_DROPS[length], rinfo);
    const at = from + SEALED_CLIENT_HEADER_BYTES + SEALED_LENGTH_BYTES;
    this.fromMember(member, msg, at, at + length, rinfo);
  }

  /** The message msg[start, end) of a datagram that proved it comes from `member`. */
  private fromMember(member: Member, msg: Buffer, start: number, end: number, rinfo: RemoteInfo): void {
    const now = Date.now();
    member.lastSeen = now;
    if (member.port !== rinfo.port || member.address !== rinfo.address) {
      this.lifecycle.endpointSeen(member, rinfo.address, rinfo.port, 'udp');
    }
    const length = end - start;
    if (length === 0) return; // keep-alive
    const first = msg[start] as number;
    if (first === CONTROL_MARKER) {
      if (member.dialect > 0) this.control(member, msg, start, end, now, rinfo);
      else this.drop('bad-utf8', rinfo); // 0xFF is never UTF-8; plain members cannot send structured datagrams
      return;
    }
    if (first === SLASH && length <= 16 && this.command(member, msg, start, end, rinfo)) return;
    if (!isUtf8Span(msg, start, end)) return this.drop('bad-utf8', rinfo);
    if (!takeToken(member, now, this.limits.messagesPerSecond, this.limits.burst))
      return this.rateLimited(member, now, rinfo);
    this.relay(member, msg, start, end, -1, now);
  }

  /** `/leave` and `/close`; returns false when the text is not a command (then it is chat). */
  private command(member: Member, msg: Buffer, start: number, end: number, rinfo: RemoteInfo): boolean {
    while (end > start && (msg[end - 1] === 0x0a || msg[end - 1] === 0x0d || msg[end - 1] === 0x20)) end--;
    if (CMD_LEAVE.compare(msg, start, end) === 0) {
      this.lifecycle.leave(member, LeftReason.LEFT);
      return true;
    }
    if (CMD_CLOSE.compare(msg, start, end) === 0) {
      if (member.host) this.lifecycle.closeRoom(member.room, ClosedReason.BY_HOST);
      else this.drop('not-host', rinfo);
      return true;
    }
    return false;
  }

  private control(member: Member, msg: Buffer, start: number, end: number, now: number, rinfo: RemoteInfo): void {
    const length = end - start;
    const kind = length >= 2 ? msg[start + 1] : -1;
    switch (kind) {
      case ClientKind.CHAT: {
        if (length < 6) return this.drop('bad-control', rinfo);
        const id = msg.readUInt32BE(start + 2);
        // Only Tincan members reach here, and each has one from its admission.
        const recent = member.recentChatIds as RecentChatIds;
        const relayedAs = recent.seqOf(id);
        if (relayedAs !== 0) {
          // A resend (our ACK was lost): acknowledge it again, relay nothing.
          this.counters.chatResends++;
          return this.sendAck(member, id, relayedAs);
        }
        if (length === 6) {
          this.refuseChat(member, id, ErrorCode.EMPTY_TEXT, 'message is empty');
          return this.drop('bad-control', rinfo);
        }
        if (!isUtf8Span(msg, start + 6, end)) {
          this.refuseChat(member, id, ErrorCode.BAD_TEXT, 'message is not valid UTF-8');
          return this.drop('bad-utf8', rinfo);
        }
        if (!takeToken(member, now, this.limits.messagesPerSecond, this.limits.burst))
          return this.rateLimited(member, now, rinfo, id);
        recent.remember(id, this.relay(member, msg, start + 6, end, id, now));
        return;
      }
      case ClientKind.HEARTBEAT:
        if (length !== 6) return this.drop('bad-control', rinfo);
        this.out.send(encodePongEvent(msg.readUInt32BE(start + 2)), member);
        return;
      case ClientKind.HELLO: {
        if (length !== 2) return this.drop('bad-control', rinfo);
        // Not chat: its own budget, silently spent (a member list is many bytes for two).
        if (!takeToken(member.helloBucket, now, HELLOS_PER_SECOND, HELLO_BURST))
          return this.drop('rate-limited', rinfo);
        // Version 3 on is told each member's transport; older versions only who hosts.
        const list =
          member.dialect >= DIALECT_WITH_MEMBER_TRANSPORT
            ? member.room.recipients.map((m) => ({ name: m.name, host: m.host, plain: !m.encrypted }))
            : member.room.recipients.map((m) => ({ name: m.name, host: m.host }));
        const chunkMax = member.sealed !== null ? SEALED_SERVER_MESSAGE_MAX : UDP_SERVER_MAX_BYTES;
        for (const chunk of encodeMembersEvents(list, chunkMax)) this.out.send(chunk, member);
        if (member.catchUpAfter >= 0) this.catchUp(member);
        return;
      }
      case ClientKind.LEAVE:
        if (length !== 2) return this.drop('bad-control', rinfo);
        this.lifecycle.leave(member, LeftReason.LEFT);
        return;
      case ClientKind.CLOSE_ROOM:
        if (length !== 2) return this.drop('bad-control', rinfo);
        if (member.host) this.lifecycle.closeRoom(member.room, ClosedReason.BY_HOST);
        else {
          this.out.send(encodeErrorEvent(ErrorCode.NOT_HOST, 'only the host can close the room'), member);
          this.drop('not-host', rinfo);
        }
        return;
      case SealedClientKind.KEY_ACK:
        if (length !== KEY_ACK_BYTES || member.sealed === null) return this.drop('bad-control', rinfo);
        this.sealed.acked(member, msg.readUInt32BE(start + 2));
        return;
      default: {
        if (kind === undefined || !HOST_TOOL_KINDS.has(kind)) return this.drop('bad-control', rinfo);
        const dropped = this.hostTools.handle(member, msg.subarray(start, end), now);
        if (dropped !== null) this.drop(dropped, rinfo);
        return;
      }
    }
  }

  /**
   * Relays msg[textStart, end) from `sender` to every other recipient of its room: the plain line
   * `name: text` and the structured CHAT event are each built at most once. `ackId` ≥ 0 acks a
   * structured CHAT to its sender. Returns the room sequence the message was relayed as.
   */
  private relay(sender: Member, msg: Buffer, textStart: number, end: number, ackId: number, now: number): number {
    let ack = ackId; // −1 once a sealed sender's ACK was handled with its room's copies
    const room = sender.room;
    room.seq = (room.seq + 1) >>> 0 || 1;
    const seq = room.seq;
    if (room.history !== null) keepForCatchUp(room.history, sender, seq, now, msg, textStart, end);
    const table = this.out.tableFor(room);
    if (table !== null) {
      // Native path: each dialect's packed table in one call, the sender skipped by position.
      const own = sender.dialect > 0 ? table.structured : table.plain;
      const skip = own.members[sender.tableIndex] === sender ? sender.tableIndex : -1;
      const skipS = sender.dialect > 0 ? skip : -1;
      const skipP = sender.dialect > 0 ? -1 : skip;
      const ns = table.structured.members.length - (skipS >= 0 ? 1 : 0);
      const np = table.plain.members.length - (skipP >= 0 ? 1 : 0);
      const sealedTo = table.sealed;
      const nz = sealedTo.length - (sender.sealed !== null ? 1 : 0);
      const scratch = this.scratch;
      if (ns > 0 || nz > 0) {
        const length = writeChatEvent(scratch, sender, seq, msg, textStart, end);
        if (ns > 0) this.out.sendToTable(scratch, length, table.structured, skipS);
        if (nz > 0) {
          // A sealed sender's ACK is sealed first, to ride in the room's sendmmsg call.
          const ackLength = ack >= 0 && sender.sealed !== null ? this.sealAck(sender, ack, seq) : -1;
          const then = ackLength >= 0 ? this.sealedAck : null;
          if (ack >= 0 && sender.sealed !== null) ack = -1; // sealed (or refused) here: sent below if not with the room
          if (!this.sealed.toRoom(room, scratch, length, sealedTo, sealedTo.length, sender, then, ackLength) && then)
            this.out.sendCopyAsIs(then, ackLength, sender);
        }
      }
      if (np > 0)
        this.out.sendToTable(scratch, writePlainLine(scratch, sender, msg, textStart, end), table.plain, skipP);
      this.counters.datagramsRelayed += ns + np + nz;
    } else {
      this.relayEach(sender, seq, msg, textStart, end);
    }
    if (ack >= 0) this.sendAck(sender, ack, seq);
    return seq;
  }

  /**
   * Seals the ACK for a sealed member's CHAT into `sealedAck`; returns its length, or -1 when there
   * is nothing to send (no endpoint yet, or its key refused: counted as sendSealed would).
   */
  private sealAck(member: Member, id: number, seq: number): number {
    const session = member.sealed;
    if (member.port === 0 || session === null) return -1;
    writeAckEvent(this.ack, id, seq);
    const length = sealServerDatagram(session.sealer, OWN_KEY_EPOCH, this.ack, this.sealedAck, 0, ACK_EVENT_BYTES);
    if (length < 0) this.out.sealRefused++;
    return length;
  }

  private sendAck(member: Member, id: number, seq: number): void {
    if (member.port === 0) return;
    writeAckEvent(this.ack, id, seq);
    this.out.sendCopy(this.ack, ACK_EVENT_BYTES, member);
  }

  /** Tells a Tincan member why its CHAT `id` was not relayed: CHAT_ERROR names the id (version 2). */
  private refuseChat(member: Member, id: number, code: number, message: string): void {
    const event =
      member.dialect >= DIALECT_WITH_RECONNECTED_AND_CHAT_ERROR
        ? encodeChatErrorEvent(id, code, message)
        : encodeErrorEvent(code, message);
    this.out.send(event, member);
  }

  /** The dgram path: recipients gathered per dialect for this one message. */
  private relayEach(sender: Member, seq: number, msg: Buffer, textStart: number, end: number): void {
    const recipients = sender.room.recipients;
    const structured = this.structuredTo;
    const plain = this.plainTo;
    const sealedTo = this.sealedTo;
    let ns = 0;
    let np = 0;
    let nz = 0;
    for (let i = 0; i < recipients.length; i++) {
      const r = recipients[i] as Member;
      if (r === sender) continue;
      if (r.sealed !== null) sealedTo[nz++] = r;
      else if (r.dialect > 0) structured[ns++] = r;
      else plain[np++] = r;
    }
    // dgram keeps the buffer until the send completes: each message gets its own copy.
    const scratch = this.scratch;
    if (ns > 0 || nz > 0) {
      const length = writeChatEvent(scratch, sender, seq, msg, textStart, end);
      if (nz > 0) this.sealed.toRoom(sender.room, scratch, length, sealedTo, nz, null);
      if (ns > 0) this.out.sendToMany(ownCopy(scratch, length), structured, ns);
    }
    if (np > 0) this.out.sendToMany(ownCopy(scratch, writePlainLine(scratch, sender, msg, textStart, end)), plain, np);
    this.counters.datagramsRelayed += ns + np + nz;
  }

  /** Sends the room's kept chat the member has not seen, once per session, then the end marker. */
  private catchUp(member: Member): void {
    const after = member.catchUpAfter;
    member.catchUpAfter = -1;
    const history = member.room.history;
    if (history === null) return; // the server keeps no history: nothing, not even the end marker
    const entries = history.between(after, member.liveFrom);
    for (const entry of entries) this.out.send(entry, member);
    this.out.send(encodeHistoryEndEvent(entries.length), member);
  }

  /** `chatId` ≥ 0: the refused datagram was a structured CHAT with that id. */
  private rateLimited(member: Member, now: number, rinfo: RemoteInfo, chatId = -1): void {
    if (member.dialect > 0 && now - member.lastRateError >= RATE_ERROR_INTERVAL_MS) {
      member.lastRateError = now;
      const message = 'too many messages; slow down';
      if (chatId >= 0) this.refuseChat(member, chatId, ErrorCode.RATE_LIMITED, message);
      else this.out.send(encodeErrorEvent(ErrorCode.RATE_LIMITED, message), member);
    }
    this.drop('rate-limited', rinfo);
  }

  private drop(reason: DropReason, rinfo: RemoteInfo): void {
    this.counters.dropped[reason]++;
    this.dropLog.note(reason, rinfo.address, rinfo.port);
  }
}

/** Length of msg[textStart, end) that fits after `prefix` bytes in one server datagram, cut on a UTF-8 boundary. */
function fittingText(msg: Buffer, textStart: number, end: number, prefix: number): number {
  const room = UDP_SERVER_MAX_BYTES - prefix;
  const length = end - textStart;
  if (length <= room) return length;
  return utf8BoundaryAtOrBefore(msg.subarray(textStart, end), room);
}

/**
 * Writes the plain line `name: text` to `out` (≥ UDP_SERVER_MAX_BYTES); returns its length. A plain
 * client reads one datagram as one line and prints it to a terminal, so line breaks and other
 * controls in the text become visible substitutes (PROTOCOL.md); this only runs when the room has
 * plain recipients.
 */
function writePlainLine(out: Buffer, sender: Member, msg: Buffer, textStart: number, end: number): number {
  const prefix = sender.plainPrefix;
  prefix.copy(out, 0);
  if (needsPlainRewrite(msg, textStart, end))
    return writeForPlainMembers(msg, textStart, end, out, prefix.length, UDP_SERVER_MAX_BYTES);
  const textLength = fittingText(msg, textStart, end, prefix.length);
  copyBytes(msg, textStart, textStart + textLength, out, prefix.length);
  return prefix.length + textLength;
}

/** Writes the structured CHAT event to `out` (≥ UDP_SERVER_MAX_BYTES); returns its length. */
function writeChatEvent(out: Buffer, sender: Member, seq: number, msg: Buffer, textStart: number, end: number): number {
  const name = sender.nameBytes;
  const header = CHAT_HEADER + name.length;
  const textLength = fittingText(msg, textStart, end, header);
  out[0] = CONTROL_MARKER;
  out[1] = ServerKind.CHAT;
  out.writeUInt32BE(seq, 2);
  out[6] = name.length;
  name.copy(out, CHAT_HEADER);
  copyBytes(msg, textStart, textStart + textLength, out, header);
  return header + textLength;
}

/** Writes the message's catch-up datagram into the room's ring (a reused slot: no allocation once full). */
function keepForCatchUp(
  ring: HistoryRing,
  sender: Member,
  seq: number,
  now: number,
  msg: Buffer,
  textStart: number,
  end: number,
): void {
  const name = sender.nameBytes;
  const header = HISTORY_ENTRY_HEADER_BYTES + name.length;
  const textLength = fittingText(msg, textStart, end, header);
  const out = ring.reserve(header + textLength);
  const at = ring.reservedAt;
  writeHistoryHeader(out, seq, now, name.length, at);
  name.copy(out, at + HISTORY_ENTRY_HEADER_BYTES);
  copyBytes(msg, textStart, textStart + textLength, out, at + header);
  ring.commit(seq, header + textLength);
}

function ownCopy(scratch: Buffer, length: number): Buffer {
  return Buffer.from(scratch.subarray(0, length));
}
