// Client → server sealed datagram: FE, cipher id, session id (8), counter (8, big-endian), then the
// sealed plaintext and its 16-byte tag. The header (first 18 bytes) is the associated data.
import {
  SEALED_CLIENT_HEADER_BYTES,
  SEALED_CLIENT_MARKER,
  SEALED_SESSION_ID_BYTES,
  SEALED_TAG_BYTES,
  UDP_CLIENT_MAX_BYTES,
  isSealedCipherId,
} from '../../../src-shared/protocol/index.js';
import type { Sealer } from './sealer.js';

/** Where the session id starts, relative to the datagram. */
export const CLIENT_SESSION_AT = 2;

export type ClientHeaderProblem = 'sealed-malformed';

/** Checks the fixed part of a client sealed datagram at bytes[start, end). Never throws. */
export function checkClientHeader(bytes: Uint8Array, start: number, end: number): ClientHeaderProblem | null {
  const size = end - start;
  if (size < SEALED_CLIENT_HEADER_BYTES + SEALED_TAG_BYTES || size > UDP_CLIENT_MAX_BYTES) return 'sealed-malformed';
  if (bytes[start] !== SEALED_CLIENT_MARKER || !isSealedCipherId(bytes[start + 1] as number)) return 'sealed-malformed';
  return null;
}

/** Seals message[start, end) for the server; null when it cannot fit or the key is exhausted. */
export function sealClientDatagram(
  sealer: Sealer,
  sessionId: Uint8Array,
  message: Uint8Array,
  start = 0,
  end = message.length,
): Buffer | null {
  if (sessionId.length !== SEALED_SESSION_ID_BYTES) throw new RangeError('a session id is 8 bytes');
  const sealed = sealer.sealedBytes(end - start);
  if (sealed < 0) return null;
  // Just what the datagram needs: a small Buffer comes from Node's pool, a 4 KiB one would not.
  const out = Buffer.allocUnsafe(SEALED_CLIENT_HEADER_BYTES + sealed);
  out[0] = SEALED_CLIENT_MARKER;
  out[1] = sealer.cipher;
  out.set(sessionId, CLIENT_SESSION_AT);
  const length = sealer.seal(out, SEALED_CLIENT_HEADER_BYTES, message, start, end);
  return length < 0 ? null : length === out.length ? out : out.subarray(0, length);
}
