// One direction of one key: seals datagrams with a counter that only goes up, or opens them with a
// replay window. A counter lives only in memory, with its key: nothing that could repeat a
// (key, nonce) pair after a restart is ever stored.
import {
  AES_GCM_MESSAGES_PER_KEY,
  SEALED_COUNTER_BYTES,
  SEALED_LENGTH_BYTES,
  SEALED_TAG_BYTES,
  SealedCipher,
  paddedLength,
  type SealedCipherId,
} from '../../../src-shared/protocol/index.js';
import { defaultAeadBackend, type AeadBackend, type AeadKey } from './aead.js';
import type { DirectionKey } from './direction-keys.js';
import { ReplayWindow } from './replay-window.js';

/** Highest counter a 64-bit field may carry that a JS number holds exactly. */
const COUNTER_MAX = Number.MAX_SAFE_INTEGER;

/** Reads the 64-bit big-endian counter at `at`; -1 when it is beyond COUNTER_MAX (never ours). */
export function readCounter(bytes: Buffer, at: number): number {
  const high = bytes.readUInt32BE(at);
  if (high > 0x1f_ffff) return -1;
  return high * 2 ** 32 + bytes.readUInt32BE(at + 4);
}

export function writeCounter(bytes: Buffer, at: number, counter: number): void {
  bytes.writeUInt32BE(Math.floor(counter / 2 ** 32), at);
  bytes.writeUInt32BE(counter >>> 0, at + 4);
}

/** Messages one key may seal: AES-GCM's cap, none worth stating for ChaCha20-Poly1305. */
export function messagesPerKey(cipher: SealedCipherId): number {
  return cipher === SealedCipher.AES_256_GCM ? AES_GCM_MESSAGES_PER_KEY : COUNTER_MAX;
}

/** Spans up to this long are copied by a loop: Buffer#copy and subarray make a view per call. */
const LOOP_COPY_MAX = 512;

function copyInto(src: Uint8Array, start: number, end: number, dst: Buffer, at: number): void {
  if (end - start > LOOP_COPY_MAX) {
    dst.set(src.subarray(start, end), at);
    return;
  }
  for (let i = start, j = at; i < end; i++, j++) dst[j] = src[i] as number;
}

/** Zeroes out[start, end): padding is under 64 bytes unless near the size cap (Buffer#fill is a native call). */
function zeroFill(out: Buffer, start: number, end: number): void {
  if (end - start > LOOP_COPY_MAX) {
    out.fill(0, start, end);
    return;
  }
  for (let i = start; i < end; i++) out[i] = 0;
}

export class Sealer {
  private next = 0;
  private readonly limit: number;
  private readonly aead: AeadKey;

  /**
   * `plaintextMax`: the most plaintext (length prefix, message, padding) one datagram may carry. The
   * plaintext is built in the output buffer and sealed in place: a sealer holds no buffer of its own.
   */
  constructor(
    readonly cipher: SealedCipherId,
    private readonly key: DirectionKey,
    private readonly plaintextMax: number,
    limit = messagesPerKey(cipher),
    backend: AeadBackend = defaultAeadBackend(),
  ) {
    this.limit = Math.min(limit, COUNTER_MAX);
    this.aead = backend(cipher, key.key, key.iv);
  }

  /** Datagrams sealed so far (= the next counter). */
  get used(): number {
    return this.next;
  }

  /** True once the key has sealed all it may: its owner must rotate or stop sending. */
  get exhausted(): boolean {
    return this.next >= this.limit;
  }

  /**
   * Sets aside the next `count` counters for datagrams sealed under this key somewhere else (the
   * bench's native sender thread); this sealer never uses them. Returns the first, or -1 when fewer
   * than `count` remain.
   */
  reserve(count: number): number {
    if (!Number.isInteger(count) || count < 0 || this.next + count > this.limit) return -1;
    const first = this.next;
    this.next += count;
    return first;
  }

  /** Bytes a message of `length` bytes takes sealed (length prefix, padding, tag); -1 when it cannot fit. */
  sealedBytes(length: number): number {
    const padded = paddedLength(length, this.plaintextMax);
    return padded < 0 ? -1 : padded + SEALED_TAG_BYTES;
  }

  /**
   * Seals message[start, end) into `out`, whose first `headerLength` bytes hold the header with room
   * for the counter in its last 8 bytes (written here). Returns the datagram length, or -1 when the
   * message cannot fit or the key is exhausted. `message` must not overlap `out`.
   */
  seal(out: Buffer, headerLength: number, message: Uint8Array, start = 0, end = message.length): number {
    if (this.exhausted) return -1;
    const length = end - start;
    const padded = paddedLength(length, this.plaintextMax);
    if (padded < 0 || headerLength + padded + SEALED_TAG_BYTES > out.length) return -1;
    const counter = this.next++;
    writeCounter(out, headerLength - SEALED_COUNTER_BYTES, counter);
    // Length prefix, message and zero padding, written where they are sealed (no views per datagram).
    out.writeUInt16BE(length, headerLength);
    const textAt = headerLength + SEALED_LENGTH_BYTES;
    copyInto(message, start, end, out, textAt);
    zeroFill(out, textAt + length, headerLength + padded);
    return headerLength + this.aead.sealCounter(counter, out, 0, headerLength, padded);
  }
}

export type OpenProblem = 'bad-counter' | 'replayed' | 'bad-tag' | 'bad-padding';

export class Opener {
  private readonly window = new ReplayWindow();
  private readonly aead: AeadKey;

  constructor(
    readonly cipher: SealedCipherId,
    private readonly key: DirectionKey,
    backend: AeadBackend = defaultAeadBackend(),
  ) {
    this.aead = backend(cipher, key.key, key.iv);
  }

  /**
   * Opens bytes[start, end): header bytes[start, start + headerLength) (counter in its last 8), then
   * ciphertext and tag. Returns the message (a view of a fresh buffer) or the reason it was dropped.
   */
  open(bytes: Buffer, start: number, headerLength: number, end: number): Buffer | OpenProblem {
    // A copy of its own, opened in place: callers may keep the message, and `bytes` stays as it was.
    const copy = Buffer.from(bytes.subarray(start, end));
    const length = this.openInPlace(copy, 0, headerLength, copy.length);
    if (typeof length === 'string') return length;
    const at = headerLength + SEALED_LENGTH_BYTES;
    return copy.subarray(at, at + length);
  }

  /**
   * Opens bytes[start, end) like `open`, but in place: on success the message is the returned number
   * of bytes from start + headerLength + SEALED_LENGTH_BYTES, and nothing is allocated. Whatever the
   * outcome, the bytes after the header no longer hold what arrived.
   */
  openInPlace(bytes: Buffer, start: number, headerLength: number, end: number): number | OpenProblem {
    const counter = readCounter(bytes, start + headerLength - SEALED_COUNTER_BYTES);
    if (counter < 0) return 'bad-counter';
    if (!this.window.fresh(counter)) return 'replayed';
    const sealedAt = start + headerLength;
    if (end - sealedAt < SEALED_TAG_BYTES) return 'bad-tag';
    const opened = this.aead.openCounter(counter, bytes, start, headerLength, end - sealedAt);
    if (opened < 0) return 'bad-tag';
    // Authentic from here on: a bad length is our peer's bug, still not worth more than a drop.
    if (opened < SEALED_LENGTH_BYTES) return 'bad-padding';
    const length = bytes.readUInt16BE(sealedAt);
    if (SEALED_LENGTH_BYTES + length > opened) return 'bad-padding';
    this.window.accept(counter);
    return length;
  }
}
