// Optional native AEAD for sealed datagrams (native/sealed-aead): keys re-key one OpenSSL context per
// cipher, sealing and opening into the caller's Buffers, so a datagram costs no JS object and no garbage.
// Built by `npm install` (Linux); when it is missing, disabled (TINCAN_SEALED_AEAD=off) or cannot
// load — under Electron, whose BoringSSL lacks these symbols — aead.ts uses node:crypto.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** An opaque handle: a copy of one key (and IV), wiped when the handle is collected. */
export type NativeKeyHandle = object;

/** sealCounter / openCounter: (handle, counter, buf, aadAt, aadLength, length) → as the in-place calls. */
export type CounterCall = (
  handle: NativeKeyHandle,
  counter: number,
  buf: Uint8Array,
  aadAt: number,
  aadLength: number,
  length: number,
) => number;

export interface SealedAeadNative {
  /**
   * A key for cipher id 1 (AES-256-GCM) or 2 (ChaCha20-Poly1305): 32 bytes, and the 12-byte IV the
   * counter calls use (binaries built before those ignore it).
   */
  createKey(cipherId: number, key: Uint8Array, iv?: Uint8Array): NativeKeyHandle;
  /** Ciphertext then 16-byte tag at out[at…); returns plaintext length + 16. In place allowed. */
  seal(
    handle: NativeKeyHandle,
    nonce: Uint8Array,
    aad: Uint8Array,
    plaintext: Uint8Array,
    out: Uint8Array,
    at: number,
  ): number;
  /** Plaintext of `sealed` (ciphertext then tag) at out[at…): its length, or -1 when the tag fails. */
  open(
    handle: NativeKeyHandle,
    nonce: Uint8Array,
    aad: Uint8Array,
    sealed: Uint8Array,
    out: Uint8Array,
    at: number,
  ): number;
  /**
   * Seals buf[aadAt + aadLength, + length) in place under nonce iv XOR counter, header before it as
   * associated data, tag after it; returns length + 16. Missing from binaries built before it.
   */
  sealInPlace?(
    handle: NativeKeyHandle,
    iv: Uint8Array,
    counter: number,
    buf: Uint8Array,
    aadAt: number,
    aadLength: number,
    length: number,
  ): number;
  /**
   * sealInPlace under the IV the key was made with: a datagram's call reads no IV object. Throws for
   * a key made without one. Missing from binaries built before it.
   */
  sealCounter?: CounterCall;
  /** openInPlace under the key's IV, as sealCounter (`length` counts the tag). */
  openCounter?: CounterCall;
  /** The reverse of sealInPlace over sealedLength bytes (tag included): plaintext length, or -1. */
  openInPlace?(
    handle: NativeKeyHandle,
    iv: Uint8Array,
    counter: number,
    buf: Uint8Array,
    aadAt: number,
    aadLength: number,
    sealedLength: number,
  ): number;
}

/** Where the build script puts the binary, relative to the package root. */
export const SEALED_AEAD_BINARY = join('native', 'sealed-aead', 'build', 'sealed_aead.node');

let cached: SealedAeadNative | null | undefined;
let unavailable = '';

/** The loaded module, or null (with the reason in `sealedAeadUnavailable`). Loads once. */
export function loadSealedAead(): SealedAeadNative | null {
  if (cached !== undefined) return cached;
  cached = null;
  const setting = process.env['TINCAN_SEALED_AEAD'];
  if (setting === 'off' || setting === '0') {
    unavailable = 'disabled by TINCAN_SEALED_AEAD';
    return null;
  }
  const path = setting && setting !== 'on' ? setting : findBinary();
  if (path === null) {
    unavailable = `${SEALED_AEAD_BINARY} not built`;
    return null;
  }
  try {
    const mod = createRequire(import.meta.url)(path) as SealedAeadNative;
    if (typeof mod.createKey !== 'function' || typeof mod.seal !== 'function' || typeof mod.open !== 'function')
      throw new Error('unexpected exports');
    cached = mod;
  } catch (err) {
    unavailable = `could not load ${path}: ${(err as Error).message}`;
  }
  return cached;
}

/** Why loadSealedAead returned null ('' when it loaded or was not tried). */
export function sealedAeadUnavailable(): string {
  return unavailable;
}

/** Walks up from this file to the package root (sources run from src-main/, the CLI from out/node/). */
function findBinary(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, SEALED_AEAD_BINARY);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}
