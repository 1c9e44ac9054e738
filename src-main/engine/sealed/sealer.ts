// One direction of one key: seals datagrams with a counter that only goes up, or opens them with a
// replay window. A counter lives only in memory, with its key: nothing that could repeat a
// (key, nonce) pair after a restart is ever stored.
import {
  AES_GCM_MESSAGES_PER_KEY,
  SEALED_COUNTER_BYTES,
  SEALED_IV_BYTES,
  SEALED_LENGTH_BYTES,
  SEALED_TAG_BYTES,
  SealedCipher,
  paddedLength,
  type SealedCipherId,
} from '../../../src-shared/protocol/index.js';
import { defaultAeadBackend, nonceFor, type AeadBackend, type AeadKey } from './aead.js';
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

export class Sealer {
  private next = 0;
  private readonly limit: number;
  private readonly nonce = Buffer.alloc(SEALED_IV_BYTES);
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
    this.aead = backend(cipher, key.key);
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
    const plaintext = out.subarray(headerLength, headerLength + padded);
    plaintext.writeUInt16BE(length, 0);
    plaintext.set(message.subarray(start, end), SEALED_LENGTH_BYTES);
    plaintext.fill(0, SEALED_LENGTH_BYTES + length);
    const aad = out.subarray(0, headerLength);
    const nonce = nonceFor(this.key.iv, counter, this.nonce);
    return headerLength + this.aead.seal(nonce, aad, plaintext, out, headerLength);
  }
}

export type OpenProblem = 'bad-counter' | 'replayed' | 'bad-tag' | 'bad-padding';

export class Opener {
  private readonly window = new ReplayWindow();
  private readonly nonce = Buffer.alloc(SEALED_IV_BYTES);
  private readonly aead: AeadKey;

  constructor(
    readonly cipher: SealedCipherId,
    private readonly key: DirectionKey,
    backend: AeadBackend = defaultAeadBackend(),
  ) {
    this.aead = backend(cipher, key.key);
  }

  /**
   * Opens bytes[start, end): header bytes[start, start + headerLength) (counter in its last 8), then
   * ciphertext and tag. Returns the message (a view of a fresh buffer) or the reason it was dropped.
   */
  open(bytes: Buffer, start: number, headerLength: number, end: number): Buffer | OpenProblem {
    const counter = readCounter(bytes, start + headerLength - SEALED_COUNTER_BYTES);
    if (counter < 0) return 'bad-counter';
    if (!this.window.fresh(counter)) return 'replayed';
    const aad = bytes.subarray(start, start + headerLength);
    const sealedAt = start + headerLength;
    if (end - sealedAt < SEALED_TAG_BYTES) return 'bad-tag';
    // The plaintext goes to a fresh buffer (pooled by Node at these sizes): callers may keep it.
    const plaintext = Buffer.allocUnsafe(end - sealedAt - SEALED_TAG_BYTES);
    const nonce = nonceFor(this.key.iv, counter, this.nonce);
    if (this.aead.open(nonce, aad, bytes.subarray(sealedAt, end), plaintext, 0) < 0) return 'bad-tag';
    // Authentic from here on: a bad length is our peer's bug, still not worth more than a drop.
    if (plaintext.length < SEALED_LENGTH_BYTES) return 'bad-padding';
    const length = plaintext.readUInt16BE(0);
    if (SEALED_LENGTH_BYTES + length > plaintext.length) return 'bad-padding';
    this.window.accept(counter);
    return plaintext.subarray(SEALED_LENGTH_BYTES, SEALED_LENGTH_BYTES + length);
  }
}
