// Room passwords are kept only as salted scrypt hashes and compared in constant time.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface PasswordHash {
  salt: Buffer;
  hash: Buffer;
}

const KEY_BYTES = 32;
const PARAMS = { N: 16_384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, PARAMS, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes a password with a fresh 16-byte salt (runs on the libuv thread pool, not the event loop). */
export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(16);
  return { salt, hash: await derive(password, salt) };
}

export async function verifyPassword(stored: PasswordHash, password: string): Promise<boolean> {
  const candidate = await derive(password, stored.salt);
  return candidate.length === stored.hash.length && timingSafeEqual(candidate, stored.hash);
}

/**
 * A stored hash no password matches (random bytes, not derived from anything). Checking a password
 * against it costs exactly one derivation, like a real room's check, so a refusal takes the same time
 * whether or not the room exists.
 */
export function unmatchableHash(): PasswordHash {
  return { salt: randomBytes(16), hash: randomBytes(KEY_BYTES) };
}
