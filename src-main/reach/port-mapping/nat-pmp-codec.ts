// NAT-PMP messages (RFC 6886): the requests we send and strict readers for the replies.
// Request: version 0, opcode (0 external address, 1 UDP, 2 TCP). Reply: opcode + 128, result code,
// seconds since the gateway's epoch, then the address or the granted mapping.
import type { MappingProtocol } from './mapping-types.js';

export const NAT_PMP_PORT = 5351;
const VERSION = 0;
const OP_EXTERNAL_ADDRESS = 0;
const OP_FOR: Record<MappingProtocol, number> = { UDP: 1, TCP: 2 };
const REPLY_BIT = 128;

/** RFC 6886 §3.5 result codes, with what they mean to the user. */
export const NAT_PMP_RESULTS: Record<number, string> = {
  1: 'unsupported version',
  2: 'not authorized (port mapping is turned off on the router)',
  3: 'network failure (the router has no outside address yet)',
  4: 'out of resources',
  5: 'unsupported opcode',
};

export class NatPmpError extends Error {
  constructor(readonly result: number) {
    super(`NAT-PMP result ${result}: ${NAT_PMP_RESULTS[result] ?? 'unknown'}`);
  }
}

export function externalAddressRequest(): Buffer {
  return Buffer.from([VERSION, OP_EXTERNAL_ADDRESS]);
}

/** A mapping request; lifetime 0 (with external port 0) deletes the mapping. */
export function mappingRequest(
  protocol: MappingProtocol,
  internalPort: number,
  externalPort: number,
  lifetimeSeconds: number,
): Buffer {
  const msg = Buffer.alloc(12);
  msg.writeUInt8(VERSION, 0);
  msg.writeUInt8(OP_FOR[protocol], 1);
  msg.writeUInt16BE(internalPort, 4);
  msg.writeUInt16BE(externalPort, 6);
  msg.writeUInt32BE(lifetimeSeconds, 8);
  return msg;
}

export interface NatPmpHeader {
  opcode: number;
  result: number;
  epochSeconds: number;
}

/** The common header of a reply to `opcode`, or null when the datagram is not that reply. */
function header(reply: Buffer, opcode: number, length: number): NatPmpHeader | null {
  if (reply.length < 8 || reply.readUInt8(0) !== VERSION || reply.readUInt8(1) !== opcode + REPLY_BIT) return null;
  const result = reply.readUInt16BE(2);
  // An error reply may be short; a success must carry the whole body.
  if (result === 0 && reply.length < length) return null;
  return { opcode, result, epochSeconds: reply.readUInt32BE(4) };
}

export interface ExternalAddressReply extends NatPmpHeader {
  address: string;
}

export function readExternalAddressReply(reply: Buffer): ExternalAddressReply | null {
  const h = header(reply, OP_EXTERNAL_ADDRESS, 12);
  if (!h) return null;
  if (h.result !== 0) throw new NatPmpError(h.result);
  return { ...h, address: [...reply.subarray(8, 12)].join('.') };
}

export interface MappingReply extends NatPmpHeader {
  internalPort: number;
  externalPort: number;
  lifetimeSeconds: number;
}

export function readMappingReply(reply: Buffer, protocol: MappingProtocol, internalPort: number): MappingReply | null {
  const h = header(reply, OP_FOR[protocol], 16);
  if (!h) return null;
  if (h.result !== 0) throw new NatPmpError(h.result);
  const replyPort = reply.readUInt16BE(8);
  // A reply for another of our requests (another port) is not this one's answer.
  if (replyPort !== internalPort) return null;
  return {
    ...h,
    internalPort: replyPort,
    externalPort: reply.readUInt16BE(10),
    lifetimeSeconds: reply.readUInt32BE(12),
  };
}
