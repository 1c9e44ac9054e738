// Session tokens: what a member presents in every datagram to prove who it is.
import { randomBytes } from 'node:crypto';

/** Our tokens are always this many ASCII bytes (24 random bytes in base64url). */
export const TOKEN_LENGTH = 32;
/** Bytes of the token used as the index key (6 base64url chars = 36 random bits). */
const KEY_BYTES = 6;

/** A fresh token: 192 bits from the OS CSPRNG, printable, no padding. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * The index key of a token found at `start` in `bytes`: a number built from its first 6 bytes, so the
 * relay can look a datagram's token up without allocating a string. Callers ensure 6 bytes exist.
 */
export function tokenKey(bytes: Buffer, start: number): number {
  return bytes.readUIntBE(start, KEY_BYTES);
}
