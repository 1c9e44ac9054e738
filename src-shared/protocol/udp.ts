// Client → server datagram: [RoomNameSize 1][TokenSize 1][room][token][message], at most 4096 bytes.
// Server → client datagram: the message only, at most 4094 bytes.
import { ROOM_NAME_MAX_BYTES, UDP_CLIENT_MAX_BYTES } from './limits.js';

export type DatagramProblem = 'too-short' | 'too-large' | 'room-size' | 'token-size' | 'truncated';

/**
 * Offsets of a parsed client datagram. Parsing returns numbers, not copies, so the relay can look up
 * the token and forward the message without allocating.
 */
export interface DatagramView {
  roomStart: number;
  roomEnd: number;
  tokenStart: number;
  tokenEnd: number;
  messageStart: number;
}

/** Parses the header of a client → server datagram, or names the problem. Never throws. */
export function parseClientDatagram(bytes: Uint8Array): DatagramView | DatagramProblem {
  const view: DatagramView = { roomStart: 0, roomEnd: 0, tokenStart: 0, tokenEnd: 0, messageStart: 0 };
  return parseClientDatagramAt(bytes, 0, bytes.length, view) ?? view;
}

/**
 * Parses the datagram at bytes[start, end) into `view` (offsets into `bytes`), or names the problem.
 * For a caller that reads many datagrams from one buffer and reuses one view: nothing is allocated.
 */
export function parseClientDatagramAt(
  bytes: Uint8Array,
  start: number,
  end: number,
  view: DatagramView,
): DatagramProblem | null {
  const size = end - start;
  if (size > UDP_CLIENT_MAX_BYTES) return 'too-large';
  if (size < 2) return 'too-short';
  const roomSize = bytes[start] as number;
  const tokenSize = bytes[start + 1] as number;
  if (roomSize === 0 || roomSize > ROOM_NAME_MAX_BYTES) return 'room-size';
  if (tokenSize === 0) return 'token-size';
  const tokenStart = start + 2 + roomSize;
  const messageStart = tokenStart + tokenSize;
  if (messageStart > end) return 'truncated';
  view.roomStart = start + 2;
  view.roomEnd = tokenStart;
  view.tokenStart = tokenStart;
  view.tokenEnd = messageStart;
  view.messageStart = messageStart;
  return null;
}

/** Builds a client → server datagram. Throws RangeError if the parts cannot fit. */
export function encodeClientDatagram(room: Uint8Array, token: Uint8Array, message: Uint8Array): Uint8Array {
  if (room.length === 0 || room.length > ROOM_NAME_MAX_BYTES) throw new RangeError('room name size out of range');
  if (token.length === 0 || token.length > 255) throw new RangeError('token size out of range');
  const size = 2 + room.length + token.length + message.length;
  if (size > UDP_CLIENT_MAX_BYTES) throw new RangeError(`datagram of ${size} bytes exceeds ${UDP_CLIENT_MAX_BYTES}`);
  const out = new Uint8Array(size);
  out[0] = room.length;
  out[1] = token.length;
  out.set(room, 2);
  out.set(token, 2 + room.length);
  out.set(message, 2 + room.length + token.length);
  return out;
}

/** Room for the message in a client datagram with the given room and token sizes. */
export function clientMessageCapacity(roomBytes: number, tokenBytes: number): number {
  return UDP_CLIENT_MAX_BYTES - 2 - roomBytes - tokenBytes;
}
