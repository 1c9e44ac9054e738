// The native AEAD (native/sealed-aead) and node:crypto must produce the same bytes and accept the
// same datagrams: the native path is only an accelerator, never a different wire format.
import { randomBytes, randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SEALED_TAG_BYTES, SealedCipher } from '../../src-shared/protocol/index.js';
import {
  aeadBackendName,
  nativeBackend,
  nodeCryptoBackend,
  nonceFor,
  type AeadBackend,
} from '../../src-main/engine/sealed/aead.js';
import { loadSealedAead, sealedAeadUnavailable } from '../../src-main/engine/sealed/sealed-aead-native.js';

const native = loadSealedAead();
const CIPHERS = [SealedCipher.AES_256_GCM, SealedCipher.CHACHA20_POLY1305] as const;

function sealWith(
  backend: AeadBackend,
  cipher: (typeof CIPHERS)[number],
  key: Buffer,
  nonce: Buffer,
  aad: Buffer,
  plaintext: Buffer,
) {
  const out = Buffer.alloc(plaintext.length + SEALED_TAG_BYTES + 5, 0xaa);
  const n = backend(cipher, key).seal(nonce, aad, plaintext, out, 5);
  expect(n).toBe(plaintext.length + SEALED_TAG_BYTES);
  expect(out.subarray(0, 5).every((b) => b === 0xaa)).toBe(true);
  return out.subarray(5);
}

function openWith(
  backend: AeadBackend,
  cipher: (typeof CIPHERS)[number],
  key: Buffer,
  nonce: Buffer,
  aad: Buffer,
  sealed: Buffer,
) {
  const out = Buffer.alloc(Math.max(0, sealed.length - SEALED_TAG_BYTES) + 3);
  const n = backend(cipher, key).open(nonce, aad, sealed, out, 3);
  return n < 0 ? null : out.subarray(3, 3 + n);
}

describe('native sealed AEAD', () => {
  it.skipIf(process.env['TINCAN_SEALED_AEAD'] === 'off')(
    'is built and loads here (npm install builds it on Linux)',
    () => {
      expect(sealedAeadUnavailable()).toBe('');
      expect(native).not.toBeNull();
      expect(aeadBackendName()).toBe('native');
    },
  );

  for (const cipher of CIPHERS) {
    describe(cipher === SealedCipher.AES_256_GCM ? 'AES-256-GCM' : 'ChaCha20-Poly1305', () => {
      const nat = native ? nativeBackend(native) : nodeCryptoBackend;

      it('seals the same bytes as node:crypto, and each opens the other', () => {
        const sizes = [0, 1, 15, 16, 17, 63, 64, 1200, 4096, ...Array.from({ length: 40 }, () => randomInt(4097))];
        for (const size of sizes) {
          const key = randomBytes(32);
          const nonce = randomBytes(12);
          const aad = randomBytes(randomInt(0, 40));
          const plaintext = randomBytes(size);
          const a = sealWith(nat, cipher, key, nonce, aad, plaintext);
          const b = sealWith(nodeCryptoBackend, cipher, key, nonce, aad, plaintext);
          expect(a.toString('hex'), `size ${size}`).toBe(b.toString('hex'));
          expect(openWith(nat, cipher, key, nonce, aad, b)).toEqual(plaintext);
          expect(openWith(nodeCryptoBackend, cipher, key, nonce, aad, a)).toEqual(plaintext);
        }
      });

      it('seals and opens in place, and one key object serves many nonces', () => {
        const key = randomBytes(32);
        const sealer = nat(cipher, key);
        const opener = nat(cipher, key);
        for (let i = 0; i < 50; i++) {
          const nonce = randomBytes(12);
          const aad = randomBytes(14);
          const plaintext = randomBytes(randomInt(1, 1500));
          const buf = Buffer.alloc(plaintext.length + SEALED_TAG_BYTES);
          plaintext.copy(buf);
          sealer.seal(nonce, aad, buf.subarray(0, plaintext.length), buf, 0);
          expect(buf).toEqual(sealWith(nodeCryptoBackend, cipher, key, nonce, aad, plaintext));
          expect(opener.open(nonce, aad, buf, buf, 0)).toBe(plaintext.length);
          expect(buf.subarray(0, plaintext.length)).toEqual(plaintext);
        }
      });

      it('seals and opens in place by offsets with the nonce IV XOR counter, the same bytes as seal', () => {
        for (const backend of [nat, nodeCryptoBackend]) {
          const key = randomBytes(32);
          const iv = randomBytes(12);
          for (const counter of [0, 1, 255, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, randomInt(2 ** 47)]) {
            const aad = randomBytes(18);
            const plaintext = randomBytes(randomInt(0, 300));
            const buf = Buffer.alloc(7 + aad.length + plaintext.length + SEALED_TAG_BYTES + 5, 0xaa);
            aad.copy(buf, 7);
            plaintext.copy(buf, 7 + aad.length);
            const n = backend(cipher, key).sealInPlace(iv, counter, buf, 7, aad.length, plaintext.length);
            expect(n).toBe(plaintext.length + SEALED_TAG_BYTES);
            const nonce = nonceFor(iv, counter, Buffer.alloc(12));
            const sealed = sealWith(nodeCryptoBackend, cipher, key, nonce, aad, plaintext);
            expect(buf.subarray(7 + aad.length, 7 + aad.length + n)).toEqual(sealed);
            expect(buf.subarray(0, 7).every((b) => b === 0xaa) && buf.subarray(-5).every((b) => b === 0xaa)).toBe(true);
            const opener = backend(cipher, key);
            expect(opener.openInPlace(iv, counter, buf, 7, aad.length, n)).toBe(plaintext.length);
            expect(buf.subarray(7 + aad.length, 7 + aad.length + plaintext.length)).toEqual(plaintext);
            // Sealed again and opened under the next counter: refused.
            backend(cipher, key).sealInPlace(iv, counter, buf, 7, aad.length, plaintext.length);
            const next = counter === 2 ** 53 - 1 ? counter - 1 : counter + 1;
            expect(opener.openInPlace(iv, next, buf, 7, aad.length, n)).toBe(-1);
          }
        }
      });

      it('seals and opens by counter under the IV the key was made with, the same bytes as in place', () => {
        for (const backend of [nat, nodeCryptoBackend]) {
          const key = randomBytes(32);
          const iv = randomBytes(12);
          const withIv = backend(cipher, key, iv);
          const opener = backend(cipher, key, iv);
          for (const counter of [0, 7, 2 ** 32, 2 ** 53 - 1]) {
            const aad = randomBytes(14);
            const plaintext = randomBytes(randomInt(0, 300));
            const a = Buffer.concat([aad, plaintext, Buffer.alloc(SEALED_TAG_BYTES)]);
            const b = Buffer.from(a);
            expect(withIv.sealCounter(counter, a, 0, aad.length, plaintext.length)).toBe(
              plaintext.length + SEALED_TAG_BYTES,
            );
            backend(cipher, key).sealInPlace(iv, counter, b, 0, aad.length, plaintext.length);
            expect(a).toEqual(b);
            expect(opener.openCounter(counter, a, 0, aad.length, a.length - aad.length)).toBe(plaintext.length);
            expect(a.subarray(aad.length, aad.length + plaintext.length)).toEqual(plaintext);
            // Another key's IV is not this one's: refused.
            expect(
              backend(cipher, key, randomBytes(12)).openCounter(counter, b, 0, aad.length, b.length - aad.length),
            ).toBe(-1);
          }
          // A key made without an IV has no counter calls.
          expect(() => backend(cipher, key).sealCounter(0, Buffer.alloc(64), 0, 14, 1)).toThrow(/without an IV/);
        }
      });

      it('refuses a tampered tag, AAD or ciphertext, a wrong key or nonce, and a short input', () => {
        for (const backend of [nat, nodeCryptoBackend]) {
          const key = randomBytes(32);
          const nonce = randomBytes(12);
          const aad = randomBytes(18);
          const plaintext = randomBytes(100);
          const sealed = sealWith(backend, cipher, key, nonce, aad, plaintext);
          const flip = (b: Buffer, at: number) => {
            const c = Buffer.from(b);
            c[at] = (c[at] as number) ^ 1;
            return c;
          };
          expect(openWith(backend, cipher, key, nonce, aad, flip(sealed, sealed.length - 1))).toBeNull();
          expect(openWith(backend, cipher, key, nonce, aad, flip(sealed, 0))).toBeNull();
          expect(openWith(backend, cipher, key, nonce, flip(aad, 3), sealed)).toBeNull();
          expect(openWith(backend, cipher, randomBytes(32), nonce, aad, sealed)).toBeNull();
          expect(openWith(backend, cipher, key, flip(nonce, 11), aad, sealed)).toBeNull();
          expect(openWith(backend, cipher, key, nonce, aad, sealed.subarray(0, SEALED_TAG_BYTES - 1))).toBeNull();
          // A refusal leaves the key usable: the genuine datagram still opens.
          expect(openWith(backend, cipher, key, nonce, aad, sealed)).toEqual(plaintext);
        }
      });
    });
  }

  it('keeps keys apart when many of both ciphers are used in turn (the native keys share a context per cipher)', () => {
    const nat = native ? nativeBackend(native) : nodeCryptoBackend;
    const keys = Array.from({ length: 24 }, (_, i) => {
      const cipher = CIPHERS[i % 2] as (typeof CIPHERS)[number];
      const bytes = randomBytes(32);
      return { cipher, bytes, sealer: nat(cipher, bytes), opener: nat(cipher, bytes) };
    });
    const sealed = [];
    for (let i = 0; i < 200; i++) {
      const k = keys[randomInt(keys.length)] as (typeof keys)[number];
      const iv = randomBytes(12);
      const aad = randomBytes(14);
      const plaintext = randomBytes(randomInt(0, 200));
      const buf = Buffer.alloc(aad.length + plaintext.length + SEALED_TAG_BYTES);
      aad.copy(buf);
      plaintext.copy(buf, aad.length);
      const n = k.sealer.sealInPlace(iv, i, buf, 0, aad.length, plaintext.length);
      const nonce = nonceFor(iv, i, Buffer.alloc(12));
      expect(buf.subarray(aad.length, aad.length + n)).toEqual(
        sealWith(nodeCryptoBackend, k.cipher, k.bytes, nonce, aad, plaintext),
      );
      sealed.push({ k, iv, i, buf, n, aad, plaintext });
    }
    // Opened in another order, each under its own key; another key of the same cipher refuses it.
    for (const d of sealed.reverse()) {
      const other = keys.find((k) => k !== d.k && k.cipher === d.k.cipher) as (typeof keys)[number];
      const copy = Buffer.from(d.buf);
      expect(other.opener.openInPlace(d.iv, d.i, copy, 0, d.aad.length, d.n)).toBe(-1);
      expect(d.k.opener.openInPlace(d.iv, d.i, d.buf, 0, d.aad.length, d.n)).toBe(d.plaintext.length);
      expect(d.buf.subarray(d.aad.length, d.aad.length + d.plaintext.length)).toEqual(d.plaintext);
    }
  });

  it('throws a clear error for bad arguments instead of reading out of bounds', () => {
    if (!native) return;
    const handle = native.createKey(SealedCipher.AES_256_GCM, randomBytes(32));
    expect(() => native.createKey(9, randomBytes(32))).toThrow(/unknown cipher/);
    expect(() => native.createKey(SealedCipher.AES_256_GCM, randomBytes(31))).toThrow(/32 bytes/);
    expect(() => native.seal(handle, randomBytes(11), Buffer.alloc(0), Buffer.alloc(4), Buffer.alloc(40), 0)).toThrow();
    expect(() => native.seal(handle, randomBytes(12), Buffer.alloc(0), Buffer.alloc(30), Buffer.alloc(40), 0)).toThrow(
      /too short/,
    );
    expect(() => native.open(handle, randomBytes(12), Buffer.alloc(0), Buffer.alloc(40), Buffer.alloc(10), 0)).toThrow(
      /too short/,
    );
    expect(() => native.open({}, randomBytes(12), Buffer.alloc(0), Buffer.alloc(40), Buffer.alloc(40), 0)).toThrow();
    const sealInPlace = native.sealInPlace;
    const openInPlace = native.openInPlace;
    if (sealInPlace === undefined || openInPlace === undefined) return;
    const iv = randomBytes(12);
    expect(() => sealInPlace(handle, iv, 0, Buffer.alloc(40), 10, 14, 1)).toThrow(/too short/);
    expect(() => sealInPlace(handle, iv, -1, Buffer.alloc(80), 0, 14, 1)).toThrow();
    expect(() => sealInPlace(handle, iv, 2 ** 53, Buffer.alloc(80), 0, 14, 1)).toThrow();
    expect(() => sealInPlace(handle, iv, 1.5, Buffer.alloc(80), 0, 14, 1)).toThrow();
    expect(() => sealInPlace(handle, randomBytes(11), 0, Buffer.alloc(80), 0, 14, 1)).toThrow();
    expect(() => openInPlace(handle, iv, 0, Buffer.alloc(40), 10, 14, 17)).toThrow(/too short/);
    // Anything but a Uint8Array where bytes are expected: refused, never read (called loosely on purpose).
    const call = (f: (...args: never[]) => number, ...args: unknown[]): unknown => Reflect.apply(f, undefined, args);
    for (const bad of ['x'.repeat(80), {}, new ArrayBuffer(80), new Float32Array(20), null]) {
      expect(() => call(sealInPlace, handle, bad, 0, Buffer.alloc(80), 0, 14, 1)).toThrow();
      expect(() => call(sealInPlace, handle, iv, 0, bad, 0, 14, 1)).toThrow();
      expect(() => call(openInPlace, handle, iv, 0, bad, 0, 14, 17)).toThrow();
      expect(() => call(native.seal, handle, iv, bad, Buffer.alloc(4), Buffer.alloc(40), 0)).toThrow();
    }
    expect(openInPlace(handle, iv, 0, Buffer.alloc(40), 0, 14, SEALED_TAG_BYTES - 1)).toBe(-1);
    const { sealCounter, openCounter } = native;
    if (sealCounter === undefined || openCounter === undefined) return;
    expect(() => native.createKey(SealedCipher.AES_256_GCM, randomBytes(32), randomBytes(11))).toThrow(/12 bytes/);
    // A key made without an IV has no counter calls; one made with it needs no IV argument.
    expect(() => sealCounter(handle, 0, Buffer.alloc(80), 0, 14, 1)).toThrow();
    const withIv = native.createKey(SealedCipher.AES_256_GCM, randomBytes(32), iv);
    expect(sealCounter(withIv, 0, Buffer.alloc(80), 0, 14, 1)).toBe(1 + SEALED_TAG_BYTES);
    expect(() => sealCounter(withIv, 0, Buffer.alloc(20), 0, 14, 1)).toThrow(/too short/);
    expect(() => sealCounter(withIv, 2 ** 53, Buffer.alloc(80), 0, 14, 1)).toThrow();
    expect(() => call(openCounter, withIv, 0, 'x'.repeat(80), 0, 14, 17)).toThrow();
    expect(() => call(sealCounter, withIv, iv, 0, Buffer.alloc(80), 0, 14, 1)).toThrow(); // the in-place arguments: refused
  });
});
