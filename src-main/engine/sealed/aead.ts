// The two AEADs a sealed datagram may name, behind one seal/open pair per key. Nonce = IV XOR the
// 64-bit counter in its last 8 bytes (as TLS 1.3 and QUIC); the header is the associated data.
// Two backends with the same bytes: the native addon (sealed-aead-native.ts: keys re-key one OpenSSL
// context per cipher, nothing allocated per datagram) when it loads, else node:crypto (a Cipheriv
// per datagram).
import { createCipheriv, createDecipheriv, type CipherGCMTypes, type CipherChaCha20Poly1305Types } from 'node:crypto';
import {
  SEALED_IV_BYTES,
  SEALED_TAG_BYTES,
  SealedCipher,
  type SealedCipherId,
} from '../../../src-shared/protocol/index.js';
import { loadSealedAead, type NativeKeyHandle, type SealedAeadNative } from './sealed-aead-native.js';

const ALGORITHMS: Record<SealedCipherId, CipherGCMTypes | CipherChaCha20Poly1305Types> = {
  [SealedCipher.AES_256_GCM]: 'aes-256-gcm',
  [SealedCipher.CHACHA20_POLY1305]: 'chacha20-poly1305',
};

/** Writes IV XOR counter (counter < 2^53, big-endian in the last 8 bytes) into `nonce`. */
export function nonceFor(iv: Buffer, counter: number, nonce: Buffer): Buffer {
  // Word by word rather than iv.copy: this runs per datagram, and a copy call costs more than it moves.
  const high = Math.floor(counter / 2 ** 32);
  const low = counter >>> 0;
  nonce.writeUInt32BE(iv.readUInt32BE(0), 0);
  nonce.writeUInt32BE((iv.readUInt32BE(SEALED_IV_BYTES - 8) ^ high) >>> 0, SEALED_IV_BYTES - 8);
  nonce.writeUInt32BE((iv.readUInt32BE(SEALED_IV_BYTES - 4) ^ low) >>> 0, SEALED_IV_BYTES - 4);
  return nonce;
}

/** One cipher under one key. */
export interface AeadKey {
  /**
   * Encrypts `plaintext` with `aad` under `nonce`, writing ciphertext then tag at out[at…); returns
   * plaintext length + tag. `plaintext` may be out[at…) itself (sealing in place).
   */
  seal(nonce: Buffer, aad: Buffer, plaintext: Buffer, out: Buffer, at: number): number;
  /**
   * Decrypts `sealed` (ciphertext then tag) with `aad` into out[at…); returns the plaintext length,
   * or -1 when the tag does not verify (then nothing written to `out` may be used).
   */
  open(nonce: Buffer, aad: Buffer, sealed: Buffer, out: Buffer, at: number): number;
  /**
   * The per-datagram form: the nonce is `iv` XOR `counter`, the associated data buf[aadAt, aadAt +
   * aadLength), and the `length` bytes after it are replaced by their ciphertext, the tag written
   * after them. Returns length + tag. No nonce, views or Buffers made by the native backend.
   */
  sealInPlace(iv: Buffer, counter: number, buf: Buffer, aadAt: number, aadLength: number, length: number): number;
  /**
   * Opens the `sealedLength` bytes (ciphertext then tag) after the associated data, the plaintext
   * replacing the ciphertext; returns its length, or -1 when the tag does not verify (then those
   * bytes are garbage).
   */
  openInPlace(iv: Buffer, counter: number, buf: Buffer, aadAt: number, aadLength: number, sealedLength: number): number;
  /**
   * sealInPlace under the IV the key was made with (the backend's third argument): what a sealer
   * calls per datagram, so that the native backend reads no IV object. Throws for a key made
   * without an IV.
   */
  sealCounter(counter: number, buf: Buffer, aadAt: number, aadLength: number, length: number): number;
  /** openInPlace under the key's own IV, as sealCounter. */
  openCounter(counter: number, buf: Buffer, aadAt: number, aadLength: number, sealedLength: number): number;
}

/** Makes the AeadKey of a 32-byte key, with the 12-byte IV its counter calls use. */
export type AeadBackend = (cipher: SealedCipherId, key: Buffer, iv?: Buffer) => AeadKey;

function noIv(): never {
  throw new Error('this key was made without an IV: use sealInPlace / openInPlace');
}

/** The in-place and counter calls on top of seal/open, through views and a nonce of their own. */
function withViews(aead: Pick<AeadKey, 'seal' | 'open'>, iv?: Buffer): AeadKey {
  const nonce = Buffer.alloc(SEALED_IV_BYTES);
  return {
    seal: aead.seal,
    open: aead.open,
    sealCounter(counter, buf, aadAt, aadLength, length) {
      return iv === undefined ? noIv() : this.sealInPlace(iv, counter, buf, aadAt, aadLength, length);
    },
    openCounter(counter, buf, aadAt, aadLength, sealedLength) {
      return iv === undefined ? noIv() : this.openInPlace(iv, counter, buf, aadAt, aadLength, sealedLength);
    },
    sealInPlace(iv, counter, buf, aadAt, aadLength, length) {
      const at = aadAt + aadLength;
      const plaintext = buf.subarray(at, at + length);
      return aead.seal(nonceFor(iv, counter, nonce), buf.subarray(aadAt, at), plaintext, buf, at);
    },
    openInPlace(iv, counter, buf, aadAt, aadLength, sealedLength) {
      const at = aadAt + aadLength;
      return aead.open(
        nonceFor(iv, counter, nonce),
        buf.subarray(aadAt, at),
        buf.subarray(at, at + sealedLength),
        buf,
        at,
      );
    },
  };
}

/** node:crypto: a new Cipheriv or Decipheriv (and its Buffers) per call. Works everywhere. */
export const nodeCryptoBackend: AeadBackend = (cipher, key, iv) =>
  withViews(
    {
      seal(nonce, aad, plaintext, out, at) {
        const c = createCipheriv(ALGORITHMS[cipher] as CipherGCMTypes, key, nonce, { authTagLength: SEALED_TAG_BYTES });
        c.setAAD(aad);
        const body = c.update(plaintext);
        const tail = c.final();
        body.copy(out, at);
        tail.copy(out, at + body.length);
        c.getAuthTag().copy(out, at + plaintext.length);
        return plaintext.length + SEALED_TAG_BYTES;
      },
      open(nonce, aad, sealed, out, at) {
        if (sealed.length < SEALED_TAG_BYTES) return -1;
        const tagAt = sealed.length - SEALED_TAG_BYTES;
        const d = createDecipheriv(ALGORITHMS[cipher] as CipherGCMTypes, key, nonce, {
          authTagLength: SEALED_TAG_BYTES,
        });
        d.setAAD(aad);
        d.setAuthTag(sealed.subarray(tagAt));
        const body = d.update(sealed.subarray(0, tagAt));
        try {
          const tail = d.final();
          body.copy(out, at);
          tail.copy(out, at + body.length);
          return tagAt;
        } catch {
          return -1;
        }
      },
    },
    iv,
  );

/**
 * One key on the native addon. A class, so every key has the same hidden class: keys made as object
 * literals (a spread plus two closures) each got a dictionary map of their own, which made the
 * relay's per-datagram `aead.sealInPlace` / `aead.openInPlace` loads megamorphic runtime lookups.
 */
class NativeAeadKey implements AeadKey {
  /**
   * `iv`: the key's own IV, or null. `counterCalls`: the handle holds it too (made with it by a
   * binary that has the counter calls), so sealCounter passes only the counter.
   */
  constructor(
    private readonly native: Required<SealedAeadNative>,
    private readonly handle: NativeKeyHandle,
    private readonly iv: Buffer | null,
    private readonly counterCalls: boolean,
  ) {}

  seal(nonce: Buffer, aad: Buffer, plaintext: Buffer, out: Buffer, at: number): number {
    return this.native.seal(this.handle, nonce, aad, plaintext, out, at);
  }

  open(nonce: Buffer, aad: Buffer, sealed: Buffer, out: Buffer, at: number): number {
    return this.native.open(this.handle, nonce, aad, sealed, out, at);
  }

  sealInPlace(iv: Buffer, counter: number, buf: Buffer, aadAt: number, aadLength: number, length: number): number {
    return this.native.sealInPlace(this.handle, iv, counter, buf, aadAt, aadLength, length);
  }

  openInPlace(
    iv: Buffer,
    counter: number,
    buf: Buffer,
    aadAt: number,
    aadLength: number,
    sealedLength: number,
  ): number {
    return this.native.openInPlace(this.handle, iv, counter, buf, aadAt, aadLength, sealedLength);
  }

  sealCounter(counter: number, buf: Buffer, aadAt: number, aadLength: number, length: number): number {
    if (this.counterCalls) return this.native.sealCounter(this.handle, counter, buf, aadAt, aadLength, length);
    return this.iv === null ? noIv() : this.sealInPlace(this.iv, counter, buf, aadAt, aadLength, length);
  }

  openCounter(counter: number, buf: Buffer, aadAt: number, aadLength: number, sealedLength: number): number {
    if (this.counterCalls) return this.native.openCounter(this.handle, counter, buf, aadAt, aadLength, sealedLength);
    return this.iv === null ? noIv() : this.openInPlace(this.iv, counter, buf, aadAt, aadLength, sealedLength);
  }
}

/** The native addon's backend: each call re-keys the cipher's shared context with this key and nonce. */
export function nativeBackend(native: SealedAeadNative): AeadBackend {
  // Binaries built before the counter calls take no IV in createKey (a third argument is refused).
  const counterCalls = native.sealCounter !== undefined && native.openCounter !== undefined;
  return (cipher, key, iv) => {
    const handle = counterCalls && iv !== undefined ? native.createKey(cipher, key, iv) : native.createKey(cipher, key);
    // A binary built before the in-place calls existed still works, through views.
    if (native.sealInPlace === undefined || native.openInPlace === undefined)
      return withViews(
        {
          seal: (nonce, aad, plaintext, out, at) => native.seal(handle, nonce, aad, plaintext, out, at),
          open: (nonce, aad, sealed, out, at) => native.open(handle, nonce, aad, sealed, out, at),
        },
        iv,
      );
    return new NativeAeadKey(
      native as Required<SealedAeadNative>,
      handle,
      iv ?? null,
      counterCalls && iv !== undefined,
    );
  };
}

let chosen: AeadBackend | undefined;

/** The native backend when it loads and agrees with node:crypto on a test seal, else node:crypto. */
export function defaultAeadBackend(): AeadBackend {
  if (chosen !== undefined) return chosen;
  const native = loadSealedAead();
  chosen = native !== null && agrees(nativeBackend(native)) ? nativeBackend(native) : nodeCryptoBackend;
  return chosen;
}

/** Which backend defaultAeadBackend() picked, for stats and logs. */
export function aeadBackendName(): 'native' | 'node:crypto' {
  return defaultAeadBackend() === nodeCryptoBackend ? 'node:crypto' : 'native';
}

/** A guard against a build that loads but computes something else: both ciphers, one seal each. */
function agrees(candidate: AeadBackend): boolean {
  try {
    for (const cipher of [SealedCipher.AES_256_GCM, SealedCipher.CHACHA20_POLY1305] as const) {
      const key = Buffer.alloc(32, 7);
      const nonce = Buffer.alloc(SEALED_IV_BYTES, 9);
      const aad = Buffer.from('tincan');
      const plaintext = Buffer.from('sealed datagram self-test');
      const a = Buffer.alloc(plaintext.length + SEALED_TAG_BYTES);
      const b = Buffer.alloc(a.length);
      candidate(cipher, key).seal(nonce, aad, plaintext, a, 0);
      nodeCryptoBackend(cipher, key).seal(nonce, aad, plaintext, b, 0);
      if (!a.equals(b)) return false;
    }
    return true;
  } catch {
    return false;
  }
}
