// STUN Binding (RFC 8489 §5, §14.2) without authentication: the request we send and a strict reader
// for the answer. The answer is untrusted: header, length, magic cookie and transaction id must be
// ours, attributes must fit the message, and the mapped address is read from XOR-MAPPED-ADDRESS
// only. Anything else is ignored with a reason (counted by the caller), never thrown.
//
// Request (20 bytes): type 0x0001 (Binding request), length 0, magic cookie 0x2112A442, and a
// 12-byte random transaction id. Success answer: type 0x0101; XOR-MAPPED-ADDRESS (0x0020) holds
// family 0x01 (IPv4), port XOR 0x2112, address XOR the cookie. Error answer: type 0x0111, ERROR-CODE.

export const STUN_DEFAULT_PORT = 3478;
export const STUN_TRANSACTION_ID_BYTES = 12;
const HEADER_BYTES = 20;
const MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const BINDING_ERROR = 0x0111;
const XOR_MAPPED_ADDRESS = 0x0020;
const ERROR_CODE = 0x0009;
const FAMILY_IPV4 = 0x01;
/** More than a Binding answer ever needs (RFC 8489 keeps messages under a 576-byte path MTU). */
const MAX_MESSAGE_BYTES = 1280;
const MAX_ATTRIBUTES = 32;
/** Comprehension-required attributes (below 0x8000) that we know and may skip (RFC 8489 §18.3). */
const KNOWN_REQUIRED = new Set([
  0x0001, 0x0006, 0x0008, 0x0009, 0x000a, 0x0014, 0x0015, 0x001c, 0x001d, 0x001e, 0x0020,
]);

export function bindingRequest(transactionId: Uint8Array): Buffer {
  if (transactionId.length !== STUN_TRANSACTION_ID_BYTES) throw new RangeError('a STUN transaction id is 12 bytes');
  const msg = Buffer.alloc(HEADER_BYTES);
  msg.writeUInt16BE(BINDING_REQUEST, 0);
  msg.writeUInt32BE(MAGIC_COOKIE, 4);
  Buffer.from(transactionId).copy(msg, 8);
  return msg;
}

export type StunAnswer =
  | { kind: 'ignored'; reason: string }
  | { kind: 'error'; code: number; reason: string }
  | { kind: 'mapped'; address: string; port: number };

const ignored = (reason: string): StunAnswer => ({ kind: 'ignored', reason });

/** The server's reason phrase, shortened and stripped to printable ASCII (it is shown to the user). */
function readablePhrase(bytes: Buffer): string {
  return bytes
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '')
    .slice(0, 80);
}

export function readBindingResponse(datagram: Uint8Array, transactionId: Uint8Array): StunAnswer {
  const msg = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  if (msg.length < HEADER_BYTES) return ignored('shorter than a STUN header');
  if (msg.length > MAX_MESSAGE_BYTES) return ignored('longer than a Binding answer');
  const type = msg.readUInt16BE(0);
  if (type !== BINDING_SUCCESS && type !== BINDING_ERROR) return ignored('not a Binding answer');
  if (msg.readUInt32BE(4) !== MAGIC_COOKIE) return ignored('no magic cookie');
  if (!msg.subarray(8, 20).equals(Buffer.from(transactionId))) return ignored('another transaction');
  const length = msg.readUInt16BE(2);
  if (length % 4 !== 0 || HEADER_BYTES + length !== msg.length) return ignored('a length that does not fit');

  let mapped: { address: string; port: number } | null = null;
  let error: { code: number; reason: string } | null = null;
  let at = HEADER_BYTES;
  for (let count = 0; at < msg.length; count++) {
    if (count === MAX_ATTRIBUTES) return ignored('too many attributes');
    if (msg.length - at < 4) return ignored('a truncated attribute');
    const attrType = msg.readUInt16BE(at);
    const attrLength = msg.readUInt16BE(at + 2);
    const valueAt = at + 4;
    const next = valueAt + Math.ceil(attrLength / 4) * 4;
    if (next > msg.length) return ignored('an attribute longer than the message');
    const value = msg.subarray(valueAt, valueAt + attrLength);
    if (attrType < 0x8000 && !KNOWN_REQUIRED.has(attrType)) return ignored('an unknown required attribute');
    if (attrType === XOR_MAPPED_ADDRESS && mapped === null) {
      // Only the first counts (RFC 8489 §14); IPv4 only, as we asked over IPv4.
      if (value.length < 4 || value[1] !== FAMILY_IPV4) return ignored('a mapped address that is not IPv4');
      if (value.length !== 8) return ignored('an IPv4 mapped address of the wrong length');
      const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
      const ip = (value.readUInt32BE(4) ^ MAGIC_COOKIE) >>> 0;
      mapped = { address: [ip >>> 24, (ip >>> 16) & 0xff, (ip >>> 8) & 0xff, ip & 0xff].join('.'), port };
    } else if (attrType === ERROR_CODE && error === null) {
      if (value.length < 4) return ignored('a truncated error code');
      // Class 3 to 6 in the low bits of byte 2, number 0 to 99 in byte 3 (RFC 8489 §14.8).
      const errorClass = value.readUInt8(2) & 0x07;
      const errorNumber = value.readUInt8(3);
      if (errorClass < 3 || errorClass > 6 || errorNumber > 99) return ignored('an unreadable error code');
      error = { code: errorClass * 100 + errorNumber, reason: readablePhrase(value.subarray(4)) };
    }
    at = next;
  }
  if (type === BINDING_ERROR) {
    return error ? { kind: 'error', ...error } : ignored('an error answer without an error code');
  }
  if (!mapped) return ignored('no XOR-MAPPED-ADDRESS');
  if (mapped.port === 0) return ignored('a mapped port of 0');
  return { kind: 'mapped', ...mapped };
}
