// Server → client sealed datagram: FD, cipher id, epoch (4, big-endian; 0 = the member's own key,
// ≥ 1 = a room key), counter (8, big-endian), then the sealed plaintext and its 16-byte tag. The
// header (first 14 bytes) is the associated data.
import {
  SEALED_SERVER_HEADER_BYTES,
  SEALED_SERVER_MARKER,
  SEALED_TAG_BYTES,
  UDP_SERVER_MAX_BYTES,
  isSealedCipherId,
} from '../../../src-shared/protocol/index.js';
import type { Sealer } from './sealer.js';

/**
 * Seals message[start, end) under `epoch` into `out` (≥ UDP_SERVER_MAX_BYTES); returns the datagram
 * length, or -1 when it cannot fit or the key is exhausted.
 */
export function sealServerDatagram(
  sealer: Sealer,
  epoch: number,
  message: Uint8Array,
  out: Buffer,
  start = 0,
  end = message.length,
): number {
  out[0] = SEALED_SERVER_MARKER;
  out[1] = sealer.cipher;
  out.writeUInt32BE(epoch, 2);
  return sealer.seal(out, SEALED_SERVER_HEADER_BYTES, message, start, end);
}

/** The epoch of a well-formed server sealed datagram, or -1 for anything else. Never throws. */
export function serverDatagramEpoch(bytes: Buffer): number {
  return serverDatagramEpochAt(bytes, 0, bytes.length);
}

/** serverDatagramEpoch of the datagram bytes[start, end). */
export function serverDatagramEpochAt(bytes: Buffer, start: number, end: number): number {
  const length = end - start;
  if (length < SEALED_SERVER_HEADER_BYTES + SEALED_TAG_BYTES || length > UDP_SERVER_MAX_BYTES) return -1;
  if (bytes[start] !== SEALED_SERVER_MARKER || !isSealedCipherId(bytes[start + 1] as number)) return -1;
  return bytes.readUInt32BE(start + 2);
}
