// The one place that writes to the UDP socket: counts, never throws, and can be drained on shutdown.
// With the native accelerator (udp-batch.ts) a chat message to N recipients is one sendmmsg call;
// without it, or while earlier datagrams wait in libuv's queue (send buffer full), node:dgram sends.
// A sealed member never gets plaintext: whatever is sent to one alone is sealed here under its own
// key (room traffic comes already sealed under the room key, see SealedRooms).
import type { Socket } from 'node:dgram';
import { OWN_KEY_EPOCH, UDP_SERVER_MAX_BYTES } from '../../../src-shared/protocol/index.js';
import type { RoomKey } from '../sealed/room-key.js';
import { sealServerDatagram } from '../sealed/server-datagram.js';
import type { ServerSession } from '../sealed/server-session.js';
import type { Member, Room } from './room-registry.js';
import { rawSocket, type RawSocket, type UdpBatch } from './udp-batch.js';

/** Recipients per native call (the result packs counts in 16 bits). */
const BATCH_MAX = 1_024;

export type SendPath = 'sendmmsg' | 'dgram';

/**
 * Small typed arrays made with `new Uint8Array(n)` (the shared encoders' ACK, PONG, notices) live on
 * V8's heap; handing one to native code makes V8 move it to a backing store of its own, every time.
 * A copy into a pooled Buffer is cheaper.
 */
function offHeap(buf: Uint8Array): Uint8Array {
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf);
}

/** One dialect's recipients of a room, addresses packed back to back for sendBatch. */
export interface DialectTable {
  slots: Buffer;
  members: Member[];
}

/** A room's recipients ready for native sends, by dialect; rebuilt when room.version moves. */
export interface RoomSendTable {
  version: number;
  /** False when a recipient's address cannot be packed: the room then goes through dgram. */
  complete: boolean;
  structured: DialectTable;
  plain: DialectTable;
  /** Sealed members: they get room traffic sealed, so never through the two tables above. */
  sealed: Member[];
  /**
   * The same sealed members packed for one native send of a datagram sealed under the room key;
   * null when one of their addresses cannot be packed.
   */
  sealedSlots: DialectTable | null;
  /**
   * The room key epoch every sealed member had acknowledged when the table was built (0: some had
   * not, or no key). A KEY_ACK or a rotation moves room.version, so a table that says so stays true:
   * the relay then seals and sends without looking at each member.
   */
  sealedKeyEpoch: number;
}

export class UdpOut {
  sent = 0;
  failed = 0;
  /** Datagrams for sealed members that could not be sealed (too large, or the member's key is spent). */
  sealRefused = 0;
  /** Where a datagram for one sealed member is sealed (sends copy it before they return). */
  private readonly sealScratch = Buffer.allocUnsafeSlow(UDP_SERVER_MAX_BYTES);
  private tracking = false;
  /** Sends handed to dgram with a completion callback and not completed yet. */
  private inFlight = 0;
  private drained: (() => void) | null = null;
  private readonly onSent = (err: Error | null): void => {
    if (err) {
      this.failed++;
      this.sent--;
    }
    this.inFlight--;
    if (this.inFlight === 0 && this.drained) this.drained();
  };
  private readonly batch: UdpBatch | null;
  private raw: RawSocket | null;
  private readonly v6: boolean;
  /** Scratch: one address slot per recipient of the current batch, and who they are. */
  private slots = Buffer.alloc(0);
  private readonly slotMembers: Member[] = [];
  /** A one-member recipient list, reused. */
  private readonly one: Member[] = [];

  constructor(
    private readonly socket: Socket,
    batch: UdpBatch | null,
  ) {
    this.v6 = socket.address().family === 'IPv6';
    this.raw = batch ? rawSocket(socket) : null;
    this.batch = this.raw === null ? null : batch;
  }

  get path(): SendPath {
    return this.batch !== null && this.raw !== null && this.raw.open() ? 'sendmmsg' : 'dgram';
  }

  /** Whether a send may go native now: the module is there, the socket open, libuv's queue empty. */
  private nativeReady(): boolean {
    return this.inFlight === 0 && this.path === 'sendmmsg';
  }

  /** Stops using the raw descriptor (also noticed by itself once the socket is closed). */
  close(): void {
    this.raw = null;
  }

  /** Sends `buf`, which the caller hands over (dgram may hold it until the send completes). */
  send(buf: Uint8Array, to: Member): void {
    if (to.sealed !== null) return this.sendSealed(buf, buf.length, to);
    this.one[0] = to;
    this.sendToMany(buf, this.one, 1);
  }

  /** Sends buf[0, length) to one member; the bytes are copied, so `buf` may be the caller's scratch. */
  sendCopy(buf: Uint8Array, length: number, to: Member): void {
    if (to.sealed !== null) return this.sendSealed(buf, length, to);
    this.sendCopyAsIs(buf, length, to);
  }

  /** Seals buf[0, length) under the member's own key (epoch 0) and sends it. */
  private sendSealed(buf: Uint8Array, length: number, to: Member): void {
    const session = to.sealed;
    const sealed = session ? sealServerDatagram(session.sealer, OWN_KEY_EPOCH, buf, this.sealScratch, 0, length) : -1;
    if (sealed < 0) {
      this.sealRefused++;
      return;
    }
    this.sendCopyAsIs(this.sealScratch, sealed, to);
  }

  /**
   * Sends buf[0, length), already sealed under a room key, to `to[0..count)` (sealed members that
   * hold that key); the bytes are copied, so `buf` may be the caller's scratch.
   */
  sendRoomSealed(buf: Buffer, length: number, to: readonly Member[], count: number): void {
    this.sendToMany(buf.subarray(0, length), to, count, true);
  }

  /** Sends buf[0, length) to one member as it is (for a sealed member: already sealed); bytes copied. */
  sendCopyAsIs(buf: Uint8Array, length: number, to: Member): void {
    const slot = this.nativeReady() ? this.slotOf(to) : null;
    if (slot === null) {
      this.dgramSend(Buffer.from(buf.subarray(0, length)), to);
      return;
    }
    this.one[0] = to;
    this.sendSlots(offHeap(buf), length, slot, this.one, 0, 1, -1);
  }

  /**
   * Sends `buf` to `to[0..count)`, in that order; sealed members get it sealed each under its own
   * key, unless `roomSealed` says `buf` is sealed already (then dgram sends get a copy of their own).
   */
  sendToMany(buf: Uint8Array, to: readonly Member[], count: number, roomSealed = false): void {
    // Direct sends must not overtake datagrams still queued in libuv.
    if (!this.nativeReady()) {
      if (roomSealed) buf = Buffer.from(buf);
      for (let i = 0; i < count; i++) {
        const m = to[i] as Member;
        if (m.sealed !== null && !roomSealed) this.sendSealed(buf, buf.length, m);
        else this.dgramSend(buf, m);
      }
      return;
    }
    buf = offHeap(buf);
    const slotBytes = (this.batch as UdpBatch).SLOT_BYTES;
    let n = 0;
    for (let i = 0; i < count; i++) {
      const m = to[i] as Member;
      if (m.sealed !== null && !roomSealed) {
        this.sendSealed(buf, buf.length, m);
        continue;
      }
      const slot = this.slotOf(m);
      if (slot === null) {
        this.dgramSend(roomSealed ? Buffer.from(buf) : buf, m); // an address the native side cannot encode (e.g. scoped IPv6)
        continue;
      }
      if (n === BATCH_MAX) {
        this.flush(buf, n);
        n = 0;
      }
      if (this.slots.length < (n + 1) * slotBytes) this.grow(count * slotBytes);
      this.slots.set(slot, n * slotBytes);
      this.slotMembers[n++] = m;
    }
    if (n > 0) this.flush(buf, n);
  }

  private flush(buf: Uint8Array, n: number): void {
    this.sendSlots(buf, buf.length, this.slots, this.slotMembers, 0, n, -1);
  }

  /**
   * The room's recipients packed for native sends, or null when sends go through dgram (no
   * accelerator, libuv still has queued datagrams, or a recipient's address cannot be packed).
   * Cached on the room until its recipients or their endpoints change.
   */
  tableFor(room: Room): RoomSendTable | null {
    if (!this.nativeReady()) return null;
    let table = room.sendTable;
    if (table === null || table.version !== room.version) {
      table = this.buildTable(room);
      room.sendTable = table;
    }
    return table.complete ? table : null;
  }

  private buildTable(room: Room): RoomSendTable {
    const structured: Member[] = [];
    const plain: Member[] = [];
    const sealed: Member[] = [];
    let complete = true;
    for (const m of room.recipients) {
      if (m.sealed !== null) sealed.push(m);
      else if (this.slotOf(m) === null) complete = false;
      else (m.dialect > 0 ? structured : plain).push(m);
    }
    const key = room.roomKey;
    const allHold = key !== null && sealed.every((m) => (m.sealed as ServerSession).ackedEpoch === key.epoch);
    return {
      version: room.version,
      complete,
      structured: this.dialectTable(structured),
      plain: this.dialectTable(plain),
      sealed,
      sealedSlots: sealed.every((m) => this.slotOf(m) !== null) ? this.dialectTable(sealed) : null,
      sealedKeyEpoch: allHold ? (key as RoomKey).epoch : 0,
    };
  }

  /** The member's packed address, packed on first use; null when it cannot be packed. */
  private slotOf(m: Member): Buffer | null {
    return m.slot === undefined ? this.pack(m) : m.slot;
  }

  private dialectTable(members: Member[]): DialectTable {
    const size = (this.batch as UdpBatch).SLOT_BYTES;
    const slots = Buffer.alloc(members.length * size);
    members.forEach((m, i) => {
      slots.set(m.slot as Buffer, i * size);
      m.tableIndex = i;
    });
    return { slots, members };
  }

  /**
   * Sends buf[0, length) to every member of the table except position `skip` (−1: none). The bytes
   * are copied before this returns, so `buf` may be a scratch buffer the caller reuses.
   */
  sendToTable(buf: Uint8Array, length: number, table: DialectTable, skip: number): void {
    buf = offHeap(buf);
    const count = table.members.length;
    if (count <= BATCH_MAX) return this.sendSlots(buf, length, table.slots, table.members, 0, count, skip);
    this.sendToTableInParts(buf, length, table, skip);
  }

  /**
   * sendToTable, then `then`[0, thenLength) to `thenTo` as it is (already sealed for it), in the same
   * system call where the native module can: a sealed sender's ACK after its room's copies. The
   * bytes are copied before this returns.
   */
  sendToTableThen(
    buf: Uint8Array,
    length: number,
    table: DialectTable,
    skip: number,
    then: Buffer,
    thenLength: number,
    thenTo: Member,
  ): void {
    const batch = this.batch as UdpBatch;
    const count = table.members.length;
    const slot = this.slotOf(thenTo);
    if (batch.sendBatchThen === undefined || count > BATCH_MAX || slot === null) {
      this.sendToTable(buf, length, table, skip);
      this.sendCopyAsIs(then, thenLength, thenTo);
      return;
    }
    buf = offHeap(buf);
    const fd = (this.raw as RawSocket).fd;
    const result = batch.sendBatchThen(fd, buf, length, table.slots, count, skip, then, thenLength, slot);
    this.counted(result, skip);
    const consumed = result % 65_536;
    if (consumed > count) return;
    // The send buffer is full: the rest waits in libuv (from copies of its own), the extra last.
    this.queueRest(buf, length, table.members, consumed, count, skip);
    this.dgramSend(Buffer.from(then.subarray(0, thenLength)), thenTo);
  }

  private sendToTableInParts(buf: Uint8Array, length: number, table: DialectTable, skip: number): void {
    const count = table.members.length;
    // Very large rooms go in parts of BATCH_MAX positions (the native result counts in 16 bits).
    const size = (this.batch as UdpBatch).SLOT_BYTES;
    for (let from = 0; from < count; from += BATCH_MAX) {
      const to = Math.min(count, from + BATCH_MAX);
      this.sendSlots(buf, length, table.slots.subarray(from * size, to * size), table.members, from, to, skip);
    }
  }

  /** Sends buf[0, length) to positions [from, to) of `members`, whose slots start at `slots`; `skip` is absolute. */
  private sendSlots(
    buf: Uint8Array,
    length: number,
    slots: Buffer,
    members: readonly Member[],
    from: number,
    to: number,
    skip: number,
  ): void {
    const local = skip >= from && skip < to ? skip - from : -1;
    const result = (this.batch as UdpBatch).sendBatch((this.raw as RawSocket).fd, buf, length, slots, to - from, local);
    this.counted(result, local);
    const consumed = result % 65_536;
    if (from + consumed >= to) return;
    this.queueRest(buf, length, members, from + consumed, to, skip);
  }

  /** Counts a native send's result, position `local` (−1: none) having been skipped. */
  private counted(result: number, local: number): void {
    const consumed = result % 65_536;
    const refused = Math.floor(result / 65_536);
    this.sent += consumed - refused - (local >= 0 && local < consumed ? 1 : 0);
    this.failed += refused;
  }

  /**
   * The send buffer is full: queue members [from, to) but `skip` in libuv, which sends when the
   * socket is writable, from a copy of its own (`buf` may be the caller's scratch).
   */
  private queueRest(
    buf: Uint8Array,
    length: number,
    members: readonly Member[],
    from: number,
    to: number,
    skip: number,
  ): void {
    const queued = Buffer.from(buf.subarray(0, length));
    for (let i = from; i < to; i++) if (i !== skip) this.dgramSend(queued, members[i] as Member);
  }

  private pack(m: Member): Buffer | null {
    let slot: Buffer | null;
    try {
      slot = (this.batch as UdpBatch).packAddress(m.address, m.port, this.v6);
    } catch {
      slot = null;
    }
    m.slot = slot;
    return slot;
  }

  private grow(bytes: number): void {
    const next = Buffer.alloc(Math.max(bytes, this.slots.length * 2, 16 * (this.batch as UdpBatch).SLOT_BYTES));
    this.slots.copy(next);
    this.slots = next;
  }

  private dgramSend(buf: Uint8Array, to: Member): void {
    try {
      // In batch mode every dgram send is tracked, so direct sends wait for queued ones.
      if (this.tracking || this.batch !== null) {
        this.inFlight++;
        this.socket.send(buf, to.port, to.address, this.onSent);
      } else {
        this.socket.send(buf, to.port, to.address);
      }
      this.sent++;
    } catch {
      // The socket is closed or the address unusable; the datagram is lost like any other.
      if (this.tracking || this.batch !== null) this.inFlight--;
      this.failed++;
    }
  }

  /** From now on, remember sends in flight so `drain` can wait for them (used only on shutdown). */
  track(): void {
    this.tracking = true;
  }

  /** Resolves once every tracked send completed, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void> {
    if (this.inFlight <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
