// Room keys on the server. A room with sealed members has one key per epoch; a new epoch begins
// whenever a sealed member joins or leaves (or the key has sealed all it may), and reaches each
// sealed recipient as ROOM_KEY under that member's own key, resent until acknowledged (a few times
// at most). Room traffic is sealed once per message under the current epoch for the members that
// acknowledged it, and under each member's own key for those that have not (yet): nobody misses a
// message while a key is on its way, and a member that left never receives a later key.
import { SealedCipher, UDP_SERVER_MAX_BYTES, type SealedCipherId } from '../../../src-shared/protocol/index.js';
import { RoomKey } from '../sealed/room-key.js';
import { sealServerDatagram } from '../sealed/server-datagram.js';
import { ServerSession } from '../sealed/server-session.js';
import type { Member, Room, RoomRegistry } from './room-registry.js';
import type { DialectTable, UdpOut } from './udp-out.js';

/** How long a ROOM_KEY waits for its KEY_ACK before it is sent again, and how many sends at most. */
export const KEY_RESEND_MS = 250;
export const KEY_SENDS_MAX = 5;

export interface SealedStats {
  /** Members whose datagrams are sealed. */
  sessions: number;
  /** Room key epochs begun. */
  rotations: number;
  /** ROOM_KEY datagrams sent (first sends and resends) and KEY_ACKs taken. */
  keySends: number;
  keyAcks: number;
  /** Datagrams for sealed members not sent because they could not be sealed. */
  refused: number;
}

export class SealedRooms {
  private readonly awaiting = new Set<Member>();
  private timer: NodeJS.Timeout | null = null;
  /** Scratch: the recipients of one message that hold the room key, and the sealed datagram. */
  private readonly holders: Member[] = [];
  private readonly scratch = Buffer.allocUnsafeSlow(UDP_SERVER_MAX_BYTES);
  private rotations = 0;
  private keySends = 0;
  private keyAcks = 0;

  constructor(
    private readonly registry: RoomRegistry,
    private readonly out: UdpOut,
    private readonly roomCipher: SealedCipherId = SealedCipher.AES_256_GCM,
    /** Messages a room key seals before a new epoch (tests lower it; default: the cipher's limit). */
    private readonly messagesPerRoomKey?: number,
  ) {}

  /** Seals the member's datagrams from now on, with keys from its 64-byte secret. */
  admit(member: Member, secret: Uint8Array, cipher: SealedCipherId): void {
    this.registry.sealMember(member, new ServerSession(this.registry.sessions.newId(), cipher, secret));
  }

  /** Whether a change of this member's presence calls for a new epoch. */
  concerns(member: Member): boolean {
    return member.sealed !== null;
  }

  /** Begins a new epoch for the room's sealed recipients; with none left, the room holds no key. */
  rotate(room: Room): void {
    room.version++; // who holds the current key changes: send tables are rebuilt
    const holders = room.recipients.filter((m) => m.sealed !== null && m.active);
    if (holders.length === 0) {
      room.roomKey = null;
      return;
    }
    room.keyEpoch++;
    room.roomKey = new RoomKey(room.keyEpoch, this.roomCipher, this.messagesPerRoomKey);
    this.rotations++;
    for (const m of holders) {
      (m.sealed as ServerSession).keySends = 0;
      this.sendKey(m);
    }
  }

  /** The member's KEY_ACK for `epoch`; one for any other than the current epoch changes nothing. */
  acked(member: Member, epoch: number): void {
    const session = member.sealed;
    const key = member.room.roomKey;
    if (session === null || key === null || epoch !== key.epoch || session.ackedEpoch === epoch) return;
    session.ackedEpoch = epoch;
    this.awaiting.delete(member);
    member.room.version++;
    this.keyAcks++;
  }

  /**
   * Sends message[0, length) to the sealed members among to[0, count), `except` excluded: sealed once
   * under the room key for those holding it, under its own key for each other one. `then`, when
   * given, is a datagram already sealed for `except` (its ACK) that rides in the room's system call
   * when it can; returns whether it was sent (else the caller sends it).
   */
  toRoom(
    room: Room,
    message: Uint8Array,
    length: number,
    to: readonly Member[],
    count: number,
    except: Member | null,
    then: Buffer | null = null,
    thenLength = 0,
  ): boolean {
    let key = room.roomKey;
    if (key !== null && key.sealer.exhausted) {
      this.rotate(room);
      key = room.roomKey;
    }
    const table = room.sendTable;
    if (
      key !== null &&
      table !== null &&
      to === table.sealed &&
      table.sealedSlots !== null &&
      table.sealedKeyEpoch === key.epoch
    ) {
      // The usual case: everyone in the room's send table holds the key (the table says so), so
      // the copy is sealed once and its packed addresses serve as they are, no member looked at.
      return this.toTable(key, message, length, table.sealedSlots, except, then, thenLength);
    }
    const holders = this.holders;
    let n = 0;
    for (let i = 0; i < count; i++) {
      const m = to[i] as Member;
      if (m === except || m.sealed === null) continue;
      if (key !== null && m.sealed.ackedEpoch === key.epoch) holders[n++] = m;
      else this.out.sendCopy(message, length, m);
    }
    if (n > 0 && key !== null) {
      const sealed = sealServerDatagram(key.sealer, key.epoch, message, this.scratch, 0, length);
      if (sealed < 0) this.out.sealRefused += n;
      else this.out.sendRoomSealed(this.scratch, sealed, holders, n);
    }
    holders.length = 0;
    return false;
  }

  /** Seals message[0, length) under `key` once and sends it to the whole table but `except`. */
  private toTable(
    key: RoomKey,
    message: Uint8Array,
    length: number,
    table: DialectTable,
    except: Member | null,
    then: Buffer | null,
    thenLength: number,
  ): boolean {
    const skip = except !== null && table.members[except.tableIndex] === except ? except.tableIndex : -1;
    const n = table.members.length - (skip >= 0 ? 1 : 0);
    if (n === 0) return false;
    const sealed = sealServerDatagram(key.sealer, key.epoch, message, this.scratch, 0, length);
    if (sealed < 0) {
      this.out.sealRefused += n;
      return false;
    }
    if (then !== null && except !== null) {
      this.out.sendToTableThen(this.scratch, sealed, table, skip, then, thenLength, except);
      return true;
    }
    this.out.sendToTable(this.scratch, sealed, table, skip);
    return false;
  }

  stats(): SealedStats {
    return {
      sessions: this.registry.sessions.size,
      rotations: this.rotations,
      keySends: this.keySends,
      keyAcks: this.keyAcks,
      refused: this.out.sealRefused,
    };
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.awaiting.clear();
  }

  private sendKey(member: Member): void {
    const key = member.room.roomKey;
    const session = member.sealed;
    if (key === null || session === null) return;
    session.keySends++;
    this.keySends++;
    this.out.send(key.message, member);
    this.awaiting.add(member);
    this.timer ??= setTimeout(this.resend, KEY_RESEND_MS).unref();
  }

  private readonly resend = (): void => {
    this.timer = null;
    for (const m of [...this.awaiting]) {
      const key = m.room.roomKey;
      const session = m.sealed;
      this.awaiting.delete(m);
      // Past the last try the member simply keeps hearing the room under its own key.
      if (!m.active || key === null || session === null || session.ackedEpoch === key.epoch) continue;
      if (session.keySends < KEY_SENDS_MAX) this.sendKey(m);
    }
  };
}
