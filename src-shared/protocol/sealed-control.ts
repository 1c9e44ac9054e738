// Key management messages, which travel only inside sealed datagrams (PROTOCOL.md "Sealed datagrams
// (v1)"): the server's ROOM_KEY and the client's KEY_ACK. Byte order big-endian.
import { CONTROL_MARKER } from './control.js';
import {
  isSealedCipherId,
  KEY_ACK_BYTES,
  ROOM_KEY_BYTES,
  SEALED_IV_BYTES,
  SEALED_KEY_BYTES,
  SealedClientKind,
  SealedServerKind,
  type SealedCipherId,
} from './sealed.js';

export interface RoomKeyMessage {
  cipher: SealedCipherId;
  epoch: number;
  key: Uint8Array;
  iv: Uint8Array;
}

/** FF 90 cipher(1) epoch(4) key(32) iv(12). */
export function encodeRoomKeyMessage(m: RoomKeyMessage): Uint8Array {
  const out = new Uint8Array(ROOM_KEY_BYTES);
  out[0] = CONTROL_MARKER;
  out[1] = SealedServerKind.ROOM_KEY;
  out[2] = m.cipher;
  new DataView(out.buffer).setUint32(3, m.epoch);
  out.set(m.key, 7);
  out.set(m.iv, 7 + SEALED_KEY_BYTES);
  return out;
}

/** A ROOM_KEY message, or null for anything else (wrong kind, size or cipher, epoch 0). */
export function parseRoomKeyMessage(bytes: Uint8Array): RoomKeyMessage | null {
  if (bytes.length !== ROOM_KEY_BYTES) return null;
  if (bytes[0] !== CONTROL_MARKER || bytes[1] !== SealedServerKind.ROOM_KEY) return null;
  const cipher = bytes[2] as number;
  if (!isSealedCipherId(cipher)) return null;
  const epoch = new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(3);
  if (epoch === 0) return null;
  return {
    cipher,
    epoch,
    key: bytes.slice(7, 7 + SEALED_KEY_BYTES),
    iv: bytes.slice(7 + SEALED_KEY_BYTES, 7 + SEALED_KEY_BYTES + SEALED_IV_BYTES),
  };
}

/** FF 09 epoch(4). */
export function encodeKeyAck(epoch: number): Uint8Array {
  const out = new Uint8Array(KEY_ACK_BYTES);
  out[0] = CONTROL_MARKER;
  out[1] = SealedClientKind.KEY_ACK;
  new DataView(out.buffer).setUint32(2, epoch);
  return out;
}
