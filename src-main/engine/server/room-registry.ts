// Rooms, their members, and the token index the relay searches for every datagram.
import { nameKey } from '../../../src-shared/protocol/names.js';
import { bytesEqualAt } from './bytes.js';
import { HistoryRing } from './history-ring.js';
import { NameKeyedMap } from './name-keyed-map.js';
import type { PasswordHash } from './password.js';
import type { RoomKey } from '../sealed/room-key.js';
import type { ServerSession } from '../sealed/server-session.js';
import { SessionIndex } from '../sealed/session-index.js';
import type { RoomSendTable } from './udp-out.js';
import type { Bucket } from './rate-limit.js';
import { RecentChatIds } from './recent-chat-ids.js';
import { newToken, TOKEN_LENGTH, tokenKey } from './token.js';

/** HELLOs a member may send at once; the budget refills at HELLOS_PER_SECOND. */
export const HELLO_BURST = 10;
export const HELLOS_PER_SECOND = 1;
/** How many removed tokens a room remembers (a Set keeps insertion order: the oldest go first). */
const REMOVED_TOKENS_KEPT = 256;

export class Member implements Bucket {
  readonly nameBytes: Buffer;
  /** `name: ` — the prefix of every plain chat line this member sends. */
  readonly plainPrefix: Buffer;
  readonly token: string;
  readonly tokenBytes: Buffer;
  readonly key: number;
  /** UDP endpoint to send to; port 0 while unknown. `address` is in the socket's own form. */
  address = '';
  port = 0;
  /** The endpoint packed for native batch sends: undefined until needed, null if it cannot be packed. */
  slot: Buffer | null | undefined = undefined;
  /** Position in its room's send table (see UdpOut.tableFor); valid while that table is current. */
  tableIndex = -1;
  /** Whether the room was told this member joined (happens once the endpoint is known). */
  announced = false;
  /** False once the token is revoked; a stale reference must not act. */
  active = true;
  // Written per datagram with times and fractions, so each starts as a number: a field first
  // defined as undefined (a bare declaration, under ES2022 class fields) would hold every
  // Date.now() as its own young heap object, and each scavenge would copy one per member.
  lastSeen = 0;
  bucketTokens = 0;
  bucketAt = 0;
  /** Last time a rate-limit error was sent, so errors themselves stay rate-limited. */
  lastRateError = 0;
  /** HELLO's own budget: member lists are answered apart from the chat rate. */
  readonly helloBucket: Bucket;
  /**
   * The CHAT ids this member sent lately, to re-ACK a resent one; null for plain members (they send
   * no CHAT). Made with the member, not at its first CHAT: joins then leave nothing for chat to
   * allocate, and a room's worth of these are not first made, and then copied by the collector,
   * in the first seconds of chat.
   */
  readonly recentChatIds: RecentChatIds | null;
  /**
   * Catch-up still owed to this member: the room entries with seq above this are sent at its first
   * HELLO; -1 when none is owed (plain member, catch-up not asked for, or already sent).
   */
  catchUpAfter = -1;
  /** The room's seq when this member started receiving live chat: catch-up stops there. */
  liveFrom = 0;
  /** The member's sealed session: then every datagram to and from it is sealed. Null: plain UDP. */
  sealed: ServerSession | null = null;
  // encrypted transport (#16)
  /** 64 bytes exported from the TLS session that admitted this member; null on a plain connection. */
  udpSecret: Buffer | null = null;
  /** What a resume of this seat must present inside TLS; null when the seat was opened in clear. */
  resumeProof: Buffer | null = null;
  /**
   * The member's connection is encrypted: its request came inside TLS and its datagrams are sealed.
   * Told to the room's members of dialect version 3 on; false: a plain connection.
   */
  encrypted = false;
  /** Negotiated typing indicators: may send TYPING and is sent others'. */
  typing = false;
  /** When this member's last TYPING was relayed (faster ones are dropped). */
  lastTypingAt = 0;

  constructor(
    readonly room: Room,
    readonly name: string,
    public host: boolean,
    /** 0 plain, ≥ 1 Tincan dialect. */
    readonly dialect: number,
    /** Normalised IP of the TCP peer that received the token. */
    readonly ip: string,
    readonly issuedAt: number,
    burst: number,
  ) {
    this.nameBytes = Buffer.from(name, 'utf8');
    this.plainPrefix = Buffer.concat([this.nameBytes, Buffer.from(': ')]);
    this.token = newToken();
    this.tokenBytes = Buffer.from(this.token, 'ascii');
    this.key = tokenKey(this.tokenBytes, 0);
    this.lastSeen = issuedAt;
    this.bucketTokens = burst;
    this.bucketAt = issuedAt;
    this.helloBucket = { bucketTokens: HELLO_BURST, bucketAt: issuedAt };
    this.recentChatIds = dialect > 0 ? new RecentChatIds() : null;
  }

  get endpointKnown(): boolean {
    return this.port !== 0;
  }
}

export class Room {
  readonly nameBytes: Buffer;
  host: Member | null = null;
  /**
   * Every member holding a token, by name (includes members whose endpoint is not known yet). Names
   * that look the same share a key, so a look-alike of a member's name is taken too.
   */
  readonly members = new NameKeyedMap<Member>();
  /** Members with a known endpoint: who receives room traffic. Kept ready for the relay. */
  readonly recipients: Member[] = [];
  /** Chat sequence number of the last relayed message. */
  seq = 0;
  /** Bumped whenever recipients or their endpoints change, so a cached send table is rebuilt. */
  version = 0;
  /** The native send path's packed recipient addresses, owned by UdpOut. */
  sendTable: RoomSendTable | null = null;
  /** Recent chat kept for late joiners, or null when the server keeps none. */
  readonly history: HistoryRing | null;
  /** The key sealed members hear room traffic under; null while the room has none of them. */
  roomKey: RoomKey | null = null;
  /** The last room key epoch used (epochs only go up, even across a null roomKey). */
  keyEpoch = 0;
  /** The host created the room for encrypted members only: plain joins get ENCRYPTION_REQUIRED. */
  encryptedOnly = false;
  /** Tokens the host removed (the most recent REMOVED_TOKENS_KEPT): a resume offering one is refused. */
  private readonly removed = new Set<string>();

  constructor(
    readonly name: string,
    /** What a join must match; the host may change or clear it (SET_PASSWORD). */
    public password: PasswordHash | null,
    readonly createdAt: number,
    historySize = 0,
  ) {
    this.nameBytes = Buffer.from(name, 'utf8');
    this.history = historySize > 0 ? new HistoryRing(historySize) : null;
  }

  noteRemovedToken(token: string): void {
    this.removed.add(token);
    if (this.removed.size > REMOVED_TOKENS_KEPT) this.removed.delete(this.removed.values().next().value as string);
  }

  wasRemoved(token: string): boolean {
    return this.removed.has(token);
  }
}

export class RoomRegistry {
  /** Rooms by their exact name: joins and datagrams name a room byte for byte. */
  readonly rooms = new Map<string, Room>();
  /** The same rooms by nameKey, so no second room can look like an existing one. */
  private readonly roomKeys = new Map<string, Room>();
  /** Token index: key from 6 token bytes → the (almost always single) members with that key. */
  private readonly byKey = new Map<number, Member[]>();
  private memberTotal = 0;
  /** Sealed members by session id, for the datagrams that carry one instead of room and token. */
  readonly sessions = new SessionIndex<Member>((m) => (m.sealed as ServerSession).sessionId);

  /** @param historySize chat messages each new room keeps for catch-up (0: none). */
  constructor(private readonly historySize = 0) {}

  get memberCount(): number {
    return this.memberTotal;
  }

  createRoom(name: string, password: PasswordHash | null, now: number): Room {
    const room = new Room(name, password, now, this.historySize);
    this.rooms.set(name, room);
    this.roomKeys.set(nameKey(name), room);
    return room;
  }

  /** Whether a room with this name, or one that looks the same, exists (a create must be refused). */
  roomNameTaken(name: string): boolean {
    return this.roomKeys.has(nameKey(name));
  }

  addMember(room: Room, name: string, host: boolean, dialect: number, ip: string, now: number, burst: number): Member {
    const member = new Member(room, name, host, dialect, ip, now, burst);
    room.members.set(name, member);
    if (host) room.host = member;
    const bucket = this.byKey.get(member.key);
    if (bucket) bucket.push(member);
    else this.byKey.set(member.key, [member]);
    this.memberTotal++;
    return member;
  }

  /** From now on the member's datagrams are sealed both ways, under `session`. */
  sealMember(member: Member, session: ServerSession): void {
    if (member.sealed !== null || !member.active) throw new Error('a member is sealed once, while active');
    member.sealed = session;
    this.sessions.add(member);
  }

  /** The member whose token sits at bytes[start, start + 32), within bytes[…, end); allocation-free. */
  findByToken(bytes: Buffer, start: number, end = bytes.length): Member | undefined {
    if (start + TOKEN_LENGTH > end) return undefined;
    const bucket = this.byKey.get(tokenKey(bytes, start));
    if (bucket === undefined) return undefined;
    for (let i = 0; i < bucket.length; i++) {
      const m = bucket[i] as Member;
      if (bytesEqualAt(m.tokenBytes, bytes, start)) return m;
    }
    return undefined;
  }

  findByTokenString(token: string): Member | undefined {
    const bytes = Buffer.from(token, 'utf8');
    return bytes.length === TOKEN_LENGTH ? this.findByToken(bytes, 0) : undefined;
  }

  /** Records the member's endpoint; returns true if it was unknown before (it now receives room traffic). */
  setEndpoint(member: Member, address: string, port: number): boolean {
    const wasKnown = member.port !== 0;
    member.address = address;
    member.port = port;
    member.slot = undefined;
    member.room.version++;
    if (!wasKnown && member.active) {
      member.room.recipients.push(member);
      member.liveFrom = member.room.seq;
    }
    return !wasKnown;
  }

  /** Revokes the member's token and takes it out of its room. */
  removeMember(member: Member): void {
    if (!member.active) return;
    member.active = false;
    const room = member.room;
    if (room.members.get(member.name) === member) room.members.delete(member.name);
    if (room.host === member) room.host = null;
    const at = room.recipients.indexOf(member);
    if (at >= 0) room.recipients.splice(at, 1);
    room.version++;
    const bucket = this.byKey.get(member.key);
    if (bucket) {
      const i = bucket.indexOf(member);
      if (i >= 0) bucket.splice(i, 1);
      if (bucket.length === 0) this.byKey.delete(member.key);
    }
    if (member.sealed !== null) this.sessions.delete(member);
    this.memberTotal--;
  }

  /** Revokes every token of the room and frees its name. */
  deleteRoom(room: Room): void {
    for (const member of [...room.members.values()]) this.removeMember(member);
    if (this.rooms.get(room.name) === room) this.rooms.delete(room.name);
    const key = nameKey(room.name);
    if (this.roomKeys.get(key) === room) this.roomKeys.delete(key);
  }
}
