// The per-member keys of a sealed session, derived from the 64-byte secret both ends hold (the TLS
// exporter's output): its first half keys client → server, its second half server → client, and
// each direction's nonce base (IV) comes from HKDF over the whole secret with a label of its own.
import { hkdfSync } from 'node:crypto';
import { SEALED_IV_BYTES, SEALED_KEY_BYTES, UDP_SECRET_BYTES } from '../../../src-shared/protocol/index.js';

/** One direction's AEAD key and nonce base. */
export interface DirectionKey {
  readonly key: Buffer;
  readonly iv: Buffer;
}

export interface MemberKeys {
  readonly clientToServer: DirectionKey;
  readonly serverToClient: DirectionKey;
}

/** HKDF-SHA256 `info` labels of the two IVs (salt empty). */
export const IV_LABEL_CLIENT_TO_SERVER = 'tincan udp v1 iv client to server';
export const IV_LABEL_SERVER_TO_CLIENT = 'tincan udp v1 iv server to client';

/** Throws RangeError unless `secret` is exactly UDP_SECRET_BYTES long. */
export function deriveMemberKeys(secret: Uint8Array): MemberKeys {
  if (secret.length !== UDP_SECRET_BYTES) throw new RangeError(`a UDP secret is ${UDP_SECRET_BYTES} bytes`);
  const bytes = Buffer.from(secret);
  return {
    clientToServer: { key: bytes.subarray(0, SEALED_KEY_BYTES), iv: ivFor(bytes, IV_LABEL_CLIENT_TO_SERVER) },
    serverToClient: {
      key: bytes.subarray(SEALED_KEY_BYTES, 2 * SEALED_KEY_BYTES),
      iv: ivFor(bytes, IV_LABEL_SERVER_TO_CLIENT),
    },
  };
}

function ivFor(secret: Buffer, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), label, SEALED_IV_BYTES));
}
