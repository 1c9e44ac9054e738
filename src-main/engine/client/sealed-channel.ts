// The client's half of a sealed session: seals what it sends under its client → server key, opens
// what the server sends under its own key (epoch 0) or a room key (epoch ≥ 1), takes new room keys
// (only under its own key: a room key holder could otherwise hand others a key of its making) and
// answers each with a sealed KEY_ACK. Anything else is dropped silently and counted, plaintext too:
// with a sealed session, nobody may speak as the server.
import {
  encodeKeyAck,
  OWN_KEY_EPOCH,
  parseRoomKeyMessage,
  SEALED_CLIENT_PLAINTEXT_MAX,
  SEALED_LENGTH_BYTES,
  SEALED_SERVER_HEADER_BYTES,
  SealedServerKind,
  CONTROL_MARKER,
  type SealedSessionInfo,
} from '../../../src-shared/protocol/index.js';
import { sealClientDatagram } from '../sealed/client-datagram.js';
import { deriveMemberKeys, type DirectionKey } from '../sealed/direction-keys.js';
import { Opener, Sealer } from '../sealed/sealer.js';
import { serverDatagramEpochAt } from '../sealed/server-datagram.js';

/** openInPlace's answer for a room key taken: send `reply`. */
export const OPENED_REPLY = -2;

/** How long a replaced room key still opens datagrams that were in flight when it changed. */
export const OLD_EPOCH_GRACE_MS = 5_000;
/** Room keys kept at most (current and recent): a bound, whatever the server sends. */
const ROOM_KEYS_MAX = 4;

export interface SealedDrops {
  /** Not a sealed datagram, or a malformed one. */
  malformed: number;
  /** An epoch whose key we do not hold (any more). */
  'unknown-epoch': number;
  /** The tag did not verify: forged, modified, or sealed under a key that is not ours. */
  'bad-tag': number;
  replayed: number;
}

/** What an opened datagram asks of the caller. */
export type Opened = { kind: 'message'; message: Buffer } | { kind: 'reply'; datagram: Buffer };

/** Counters [first, first + count) of a session's client → server key, lent with the key. */
export interface SealingLoan {
  first: number;
  count: number;
  cipher: SealedSessionInfo['cipher'];
  key: Buffer;
  iv: Buffer;
  sessionId: Buffer;
}

interface HeldRoomKey {
  epoch: number;
  opener: Opener;
  /** When a newer key replaced it (Infinity while current). */
  retiredAt: number;
}

export class SealedChannel {
  readonly drops: SealedDrops = { malformed: 0, 'unknown-epoch': 0, 'bad-tag': 0, replayed: 0 };
  private readonly sessionId: Buffer;
  private readonly sealer: Sealer;
  /** Our client → server key, for lendCounters. */
  private readonly keys: DirectionKey;
  private readonly own: Opener;
  private readonly roomKeys: HeldRoomKey[] = [];
  /** The length of the message the last successful openInPlace found. */
  openedLength = 0;
  /** The KEY_ACK answering the room key the last openInPlace took (OPENED_REPLY). */
  reply: Buffer | null = null;

  constructor(
    secret: Uint8Array,
    readonly info: SealedSessionInfo,
    private readonly now: () => number = Date.now,
  ) {
    const keys = deriveMemberKeys(secret);
    this.sessionId = Buffer.from(info.session, 'hex');
    this.keys = keys.clientToServer;
    this.sealer = new Sealer(info.cipher, keys.clientToServer, SEALED_CLIENT_PLAINTEXT_MAX);
    this.own = new Opener(info.cipher, keys.serverToClient);
  }

  /** The newest room key epoch held; 0 before the first. */
  get epoch(): number {
    return this.roomKeys.at(-1)?.epoch ?? 0;
  }

  /** True once our key has sealed all it may: the session must be renewed (a new handshake). */
  get exhausted(): boolean {
    return this.sealer.exhausted;
  }

  /** The sealed datagram for `message`, or null when it cannot fit or our key is spent. */
  seal(message: Uint8Array): Buffer | null {
    return sealClientDatagram(this.sealer, this.sessionId, message);
  }

  /**
   * Lends `count` counters of this session's client → server key, with the key, to a sender that
   * seals outside this object (the bench's native sender thread, which seals its members' chat in
   * C); the channel never seals with them itself. Null when the key has fewer than `count` left.
   */
  lendCounters(count: number): SealingLoan | null {
    const first = this.sealer.reserve(count);
    if (first < 0) return null;
    return { first, count, cipher: this.info.cipher, key: this.keys.key, iv: this.keys.iv, sessionId: this.sessionId };
  }

  /** Opens a datagram from the server; null when it was dropped (and counted). */
  open(datagram: Buffer): Opened | null {
    // A copy of its own, opened in place: the caller's datagram stays as it was.
    const copy = Buffer.from(datagram);
    const at = this.openInPlace(copy, 0, copy.length);
    if (at === OPENED_REPLY) return { kind: 'reply', datagram: this.reply as Buffer };
    if (at < 0) return null;
    return { kind: 'message', message: copy.subarray(at, at + this.openedLength) };
  }

  /**
   * `open` without allocating, for receivers of many datagrams: opens datagram[start, end) where it
   * lies (the bytes after its header no longer hold what arrived). Returns where the message starts
   * in `datagram` (its length in `openedLength`); -1 when the datagram was dropped (and counted);
   * OPENED_REPLY when it was a room key, whose KEY_ACK to send is then `reply`.
   */
  openInPlace(datagram: Buffer, start: number, end: number): number {
    const epoch = serverDatagramEpochAt(datagram, start, end);
    if (epoch < 0) return this.drop('malformed');
    const opener = epoch === OWN_KEY_EPOCH ? this.own : this.roomOpener(epoch);
    if (opener === null) return this.drop('unknown-epoch');
    if (datagram[start + 1] !== opener.cipher) return this.drop('malformed');
    const length = opener.openInPlace(datagram, start, SEALED_SERVER_HEADER_BYTES, end);
    if (length === 'replayed') return this.drop('replayed');
    if (length === 'bad-tag') return this.drop('bad-tag');
    if (typeof length === 'string') return this.drop('malformed');
    const at = start + SEALED_SERVER_HEADER_BYTES + SEALED_LENGTH_BYTES;
    this.openedLength = length;
    if (epoch === OWN_KEY_EPOCH && datagram[at] === CONTROL_MARKER && datagram[at + 1] === SealedServerKind.ROOM_KEY) {
      this.reply = this.takeRoomKey(datagram.subarray(at, at + length));
      return this.reply === null ? -1 : OPENED_REPLY;
    }
    return at;
  }

  /** Takes a ROOM_KEY message; returns the KEY_ACK to send, or null (a malformed key is counted). */
  private takeRoomKey(message: Buffer): Buffer | null {
    const key = parseRoomKeyMessage(message);
    if (key === null) {
      this.drop('malformed');
      return null;
    }
    const ack = this.seal(encodeKeyAck(key.epoch));
    if (ack === null) return null;
    // A resend of a key we hold only needs the ack again; an older epoch is not taken back.
    if (key.epoch > this.epoch) {
      const now = this.now();
      for (const held of this.roomKeys) if (held.retiredAt === Infinity) held.retiredAt = now;
      const direction = { key: Buffer.from(key.key), iv: Buffer.from(key.iv) };
      this.roomKeys.push({ epoch: key.epoch, opener: new Opener(key.cipher, direction), retiredAt: Infinity });
      if (this.roomKeys.length > ROOM_KEYS_MAX) this.roomKeys.shift();
    }
    return ack;
  }

  private roomOpener(epoch: number): Opener | null {
    const now = this.now();
    for (const held of this.roomKeys)
      if (held.epoch === epoch) return now - held.retiredAt < OLD_EPOCH_GRACE_MS ? held.opener : null;
    return null;
  }

  private drop(reason: keyof SealedDrops): -1 {
    this.drops[reason]++;
    return -1;
  }
}
