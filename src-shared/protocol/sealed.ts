// Sealed datagrams (v1): the bytes around AEAD-sealed UDP between a Tincan client and server that
// share a 64-byte secret (exported from their TLS session). Pure layout and numbers; the sealing
// itself (node:crypto) lives in src-main/engine/sealed/. PROTOCOL.md "Sealed datagrams (v1)".
import { UDP_CLIENT_MAX_BYTES, UDP_SERVER_MAX_BYTES } from './limits.js';

/** First byte of a client → server sealed datagram (outside 1..28, so never a spec RoomNameSize). */
export const SEALED_CLIENT_MARKER = 0xfe;
/** First byte of a server → client sealed datagram (never UTF-8, never the 0xFF control marker). */
export const SEALED_SERVER_MARKER = 0xfd;

/** AEADs a sealed session may use, by the id byte every sealed datagram carries. */
export const SealedCipher = { AES_256_GCM: 1, CHACHA20_POLY1305: 2 } as const;
export type SealedCipherId = (typeof SealedCipher)[keyof typeof SealedCipher];

export function isSealedCipherId(id: number): id is SealedCipherId {
  return id === SealedCipher.AES_256_GCM || id === SealedCipher.CHACHA20_POLY1305;
}

// The 64-byte secret both ends hold per member comes from the TLS exporter: UDP_SECRET_BYTES and
// UDP_SECRET_LABEL in encrypted-transport.ts.
export const SEALED_KEY_BYTES = 32;
export const SEALED_IV_BYTES = 12;
export const SEALED_TAG_BYTES = 16;
export const SEALED_SESSION_ID_BYTES = 8;
export const SEALED_COUNTER_BYTES = 8;
export const SEALED_EPOCH_BYTES = 4;
/** marker, cipher id, session id, counter. */
export const SEALED_CLIENT_HEADER_BYTES = 2 + SEALED_SESSION_ID_BYTES + SEALED_COUNTER_BYTES;
/** marker, cipher id, epoch, counter. */
export const SEALED_SERVER_HEADER_BYTES = 2 + SEALED_EPOCH_BYTES + SEALED_COUNTER_BYTES;
/** The plaintext starts with the message length (big-endian), then the message, then zero padding. */
export const SEALED_LENGTH_BYTES = 2;
/** Plaintexts are padded to a multiple of this, as far as the datagram size limit allows. */
export const SEALED_PAD_BLOCK = 64;
/** Largest plaintext (length, message, padding) a sealed datagram carries within the spec's size caps. */
export const SEALED_CLIENT_PLAINTEXT_MAX = UDP_CLIENT_MAX_BYTES - SEALED_CLIENT_HEADER_BYTES - SEALED_TAG_BYTES;
export const SEALED_SERVER_PLAINTEXT_MAX = UDP_SERVER_MAX_BYTES - SEALED_SERVER_HEADER_BYTES - SEALED_TAG_BYTES;
/** Longest server message that can be sealed (a sealed member's MEMBERS chunks are cut to this). */
export const SEALED_SERVER_MESSAGE_MAX = SEALED_SERVER_PLAINTEXT_MAX - SEALED_LENGTH_BYTES;
/**
 * Server → client epoch 0 is the member's own key (unicast: replies, key delivery); epochs ≥ 1 are
 * room keys (everything the room hears).
 */
export const OWN_KEY_EPOCH = 0;
/** AES-GCM keys seal at most this many messages (QUIC's limit, RFC 9001 §6.6); then rotate or refuse. */
export const AES_GCM_MESSAGES_PER_KEY = 2 ** 23;

/** Key management kinds, inside sealed payloads only, after the 0xFF control marker. */
export const SealedClientKind = {
  /** FF 09 epoch(4): the member holds the room key of that epoch. */
  KEY_ACK: 0x09,
} as const;
export const SealedServerKind = {
  /** FF 90 cipher(1) epoch(4) key(32) iv(12): the room key of a new epoch, sealed under the member's own key. */
  ROOM_KEY: 0x90,
} as const;
export const KEY_ACK_BYTES = 2 + SEALED_EPOCH_BYTES;
export const ROOM_KEY_BYTES = 3 + SEALED_EPOCH_BYTES + SEALED_KEY_BYTES + SEALED_IV_BYTES;

/** Completion JSON fields of a sealed session (state-2 payload, beside the session info). */
export interface SealedSessionInfo {
  /** Session id, 16 lowercase hex digits: what the client puts in every sealed datagram. */
  session: string;
  cipher: SealedCipherId;
  /** The room key epoch in force when the member was admitted (its key follows as ROOM_KEY). */
  epoch: number;
}

/** Reads the `sealed` completion field; null when absent or malformed (the session is then plain). */
export function parseSealedSessionInfo(value: unknown): SealedSessionInfo | null {
  if (typeof value !== 'object' || value === null) return null;
  const obj = value as Record<string, unknown>;
  const { session, cipher, epoch } = obj;
  if (typeof session !== 'string' || !/^[0-9a-f]{16}$/.test(session)) return null;
  if (typeof cipher !== 'number' || !isSealedCipherId(cipher)) return null;
  if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 0 || epoch > 0xffff_ffff) return null;
  return { session, cipher, epoch };
}

/** Padded plaintext length for a message of `length` bytes, at most `capacity`; -1 when it cannot fit. */
export function paddedLength(length: number, capacity: number): number {
  const needed = SEALED_LENGTH_BYTES + length;
  if (needed > capacity) return -1;
  const padded = Math.ceil(needed / SEALED_PAD_BLOCK) * SEALED_PAD_BLOCK;
  return Math.min(padded, capacity);
}
