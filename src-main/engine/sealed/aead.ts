// The two AEADs a sealed datagram may name, behind one seal/open pair. Nonce = IV XOR the 64-bit
// counter in its last 8 bytes (as TLS 1.3 and QUIC); the header is the associated data.
import { createCipheriv, createDecipheriv, type CipherGCMTypes, type CipherChaCha20Poly1305Types } from 'node:crypto';
import {
  SEALED_IV_BYTES,
  SEALED_TAG_BYTES,
  SealedCipher,
  type SealedCipherId,
} from '../../../src-shared/protocol/index.js';
import type { DirectionKey } from './direction-keys.js';

const ALGORITHMS: Record<SealedCipherId, CipherGCMTypes | CipherChaCha20Poly1305Types> = {
  [SealedCipher.AES_256_GCM]: 'aes-256-gcm',
  [SealedCipher.CHACHA20_POLY1305]: 'chacha20-poly1305',
};

/** Writes IV XOR counter (counter < 2^53, big-endian in the last 8 bytes) into `nonce`. */
export function nonceFor(iv: Buffer, counter: number, nonce: Buffer): Buffer {
  iv.copy(nonce, 0);
  const high = Math.floor(counter / 2 ** 32);
  const low = counter >>> 0;
  nonce.writeUInt32BE((nonce.readUInt32BE(SEALED_IV_BYTES - 8) ^ high) >>> 0, SEALED_IV_BYTES - 8);
  nonce.writeUInt32BE((nonce.readUInt32BE(SEALED_IV_BYTES - 4) ^ low) >>> 0, SEALED_IV_BYTES - 4);
  return nonce;
}

/**
 * Encrypts `plaintext` with `aad` under (key, counter), writing ciphertext then tag at out[at…).
 * Returns the bytes written (plaintext length + tag).
 */
export function sealInto(
  cipher: SealedCipherId,
  key: DirectionKey,
  counter: number,
  nonce: Buffer,
  aad: Buffer,
  plaintext: Buffer,
  out: Buffer,
  at: number,
): number {
  const c = createCipheriv(ALGORITHMS[cipher] as CipherGCMTypes, key.key, nonceFor(key.iv, counter, nonce), {
    authTagLength: SEALED_TAG_BYTES,
  });
  c.setAAD(aad);
  const body = c.update(plaintext);
  const tail = c.final();
  body.copy(out, at);
  tail.copy(out, at + body.length);
  c.getAuthTag().copy(out, at + plaintext.length);
  return plaintext.length + SEALED_TAG_BYTES;
}

/**
 * Decrypts bytes[start, end) (ciphertext then tag) with `aad`; the plaintext, or null when the tag
 * does not verify (then nothing of the output is used).
 */
export function openFrom(
  cipher: SealedCipherId,
  key: DirectionKey,
  counter: number,
  nonce: Buffer,
  aad: Buffer,
  bytes: Buffer,
  start: number,
  end: number,
): Buffer | null {
  if (end - start < SEALED_TAG_BYTES) return null;
  const tagAt = end - SEALED_TAG_BYTES;
  const d = createDecipheriv(ALGORITHMS[cipher] as CipherGCMTypes, key.key, nonceFor(key.iv, counter, nonce), {
    authTagLength: SEALED_TAG_BYTES,
  });
  d.setAAD(aad);
  d.setAuthTag(bytes.subarray(tagAt, end));
  const body = d.update(bytes.subarray(start, tagAt));
  try {
    const tail = d.final();
    return tail.length === 0 ? body : Buffer.concat([body, tail]);
  } catch {
    return null;
  }
}
