// Session tokens: what a member presents in every datagram to prove who it is.
import { randomBytes } from 'node:crypto';
import { fnv1a32 } from './bytes.js';

/** Our tokens are always this many ASCII bytes (24 random bytes in base64url). */
export const TOKEN_LENGTH = 32;
/** Bytes of the token hashed into the index key (6 base64url chars = 36 random bits). */
const KEY_BYTES = 6;
/** Keys fit in 30 bits so V8 keeps them as small integers: a larger number is a heap object. */
const KEY_MASK = 0x3fffffff;

/** A fresh token: 192 bits from the OS CSPRNG, printable, no padding. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * The index key of a token found at `start` in `bytes`: a hash of its first 6 bytes, so the relay can
 * look a datagram's token up without allocating a string or a number. Keys may collide (the index
 * keeps a bucket per key and compares whole tokens). Callers ensure 6 bytes exist.
 */
export function tokenKey(bytes: Uint8Array, start: number): number {
  return fnv1a32(bytes, start, KEY_BYTES) & KEY_MASK;
}
