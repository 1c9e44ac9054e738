// TCRP frame layout and encoder. A frame is a 32-byte header followed by the room name and the payload:
//   byte 0      RoomNameSize (1..28)
//   byte 1      Operation    (1 create, 2 join)
//   byte 2      State        (0 request, 1 response with status, 2 completion with token)
//   bytes 3..31 OperationPayloadSize, 29-byte big-endian unsigned integer
import { TCRP_HEADER_BYTES, TCRP_SIZE_FIELD_BYTES } from './limits.js';

export const Operation = { CREATE: 1, JOIN: 2 } as const;
export type OperationCode = (typeof Operation)[keyof typeof Operation];

export const State = { REQUEST: 0, RESPONSE: 1, COMPLETION: 2 } as const;
export type StateCode = (typeof State)[keyof typeof State];

export interface TcrpFrame {
  operation: number;
  state: number;
  /** Raw room-name bytes (UTF-8 by the spec; validated by whoever interprets the frame). */
  room: Uint8Array;
  payload: Uint8Array;
}

export function isOperation(value: number): value is OperationCode {
  return value === Operation.CREATE || value === Operation.JOIN;
}

/** Writes `size` into the 29-byte field at header[3..32), big-endian. */
function writeSize(header: Uint8Array, size: number): void {
  let rest = size;
  for (let i = TCRP_HEADER_BYTES - 1; i >= TCRP_HEADER_BYTES - TCRP_SIZE_FIELD_BYTES; i--) {
    header[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
}

/**
 * Reads the 29-byte size field. Returns the size when it fits in a safe integer, or Infinity when
 * the high bytes declare more than 2^53 (the field can hold up to 2^232 - 1).
 */
export function readDeclaredSize(header: Uint8Array): number {
  const start = TCRP_HEADER_BYTES - TCRP_SIZE_FIELD_BYTES;
  // The low 6 bytes hold 48 bits; anything set above them is beyond any sane cap.
  for (let i = start; i < TCRP_HEADER_BYTES - 6; i++) if (header[i] !== 0) return Infinity;
  let size = 0;
  for (let i = TCRP_HEADER_BYTES - 6; i < TCRP_HEADER_BYTES; i++) size = size * 256 + (header[i] ?? 0);
  return size;
}

export function encodeFrame(frame: TcrpFrame): Uint8Array {
  if (frame.room.length > 255) throw new RangeError('room name does not fit the RoomNameSize byte');
  const out = new Uint8Array(TCRP_HEADER_BYTES + frame.room.length + frame.payload.length);
  out[0] = frame.room.length;
  out[1] = frame.operation;
  out[2] = frame.state;
  writeSize(out, frame.payload.length);
  out.set(frame.room, TCRP_HEADER_BYTES);
  out.set(frame.payload, TCRP_HEADER_BYTES + frame.room.length);
  return out;
}
