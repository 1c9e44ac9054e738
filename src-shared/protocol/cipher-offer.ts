// The cipher offer of a sealed session (PROTOCOL.md §8, "Choosing the cipher"): the `ciphers` field a
// client puts in its request inside TLS, its validation, and the server's choice rule.
import { SealedCipher, isSealedCipherId, type SealedCipherId } from './sealed.js';

/** Most entries an offer may list (there are two ciphers today; room to grow, no room to abuse). */
export const CIPHER_OFFER_MAX = 8;
/** What a request without `ciphers` offers: AES-256-GCM, as every server did before the field. */
export const IMPLIED_CIPHER_OFFER: readonly number[] = [SealedCipher.AES_256_GCM];
/** What our client offers unless told otherwise. */
export const DEFAULT_CIPHER_PREFERENCE: readonly SealedCipherId[] = [
  SealedCipher.AES_256_GCM,
  SealedCipher.CHACHA20_POLY1305,
];

/** The names users type (CLI `--cipher`) and logs print. */
export const SEALED_CIPHER_NAMES: Readonly<Record<SealedCipherId, string>> = {
  [SealedCipher.AES_256_GCM]: 'aes-256-gcm',
  [SealedCipher.CHACHA20_POLY1305]: 'chacha20-poly1305',
};

/** The cipher a user-facing name stands for, or null. */
export function cipherByName(name: string): SealedCipherId | null {
  for (const [id, known] of Object.entries(SEALED_CIPHER_NAMES))
    if (known === name) return Number(id) as SealedCipherId;
  return null;
}

export const CIPHER_OFFER_PROBLEMS = ['not-a-list', 'empty', 'too-many', 'bad-id', 'duplicate'] as const;
export type CipherOfferProblem = (typeof CIPHER_OFFER_PROBLEMS)[number];

/** A `ciphers` value as read: the ids in the client's order, or why it is malformed. */
export type CipherOffer = { ids: readonly number[] } | { problem: CipherOfferProblem };

/**
 * Reads a `ciphers` value: a JSON array of 1..8 distinct integers 1..255, most preferred first. Ids
 * this code does not know are kept (the choice skips them); anything else is a problem.
 */
export function parseCipherOffer(value: unknown): CipherOffer {
  if (!Array.isArray(value)) return { problem: 'not-a-list' };
  if (value.length === 0) return { problem: 'empty' };
  if (value.length > CIPHER_OFFER_MAX) return { problem: 'too-many' };
  const ids: number[] = [];
  for (const id of value as unknown[]) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > 255) return { problem: 'bad-id' };
    if (ids.includes(id)) return { problem: 'duplicate' };
    ids.push(id);
  }
  return { ids };
}

/** The server's choice: the first offered id it supports, or null when it supports none of them. */
export function chooseCipher(offer: readonly number[]): SealedCipherId | null {
  for (const id of offer) if (isSealedCipherId(id)) return id;
  return null;
}
