// PCP messages (RFC 6887): the MAP request we send and a strict reader for the answers. Every answer
// is untrusted: a datagram of the wrong length, opcode, nonce, protocol or internal port is not the
// answer to our request and is ignored (with the reason, so the caller can count it), never thrown.
//
// Request (60 bytes): version 2, opcode 1 (MAP), 2 reserved, requested lifetime (u32), our address as
// IPv4-mapped IPv6 (16); MAP: nonce (12), protocol (6 TCP, 17 UDP), 3 reserved, internal port,
// suggested external port, suggested external address (16; ::ffff:0.0.0.0 for "any").
// Response: version, R bit + opcode (0x81), reserved, result code, lifetime (u32), epoch (u32),
// 12 reserved; MAP: the request's nonce, protocol and internal port, then the assigned external port
// and address; options may follow (up to 1100 bytes in all).
import { isIPv4 } from 'node:net';
import type { MappingProtocol } from './mapping-types.js';

export const PCP_PORT = 5351;
export const PCP_VERSION = 2;
const OPCODE_MAP = 1;
const RESPONSE_BIT = 0x80;
export const PCP_NONCE_BYTES = 12;
export const PCP_MAP_REQUEST_BYTES = 60;
const HEADER_BYTES = 24;
const MAX_MESSAGE_BYTES = 1100;
const IANA_PROTOCOL: Record<MappingProtocol, number> = { TCP: 6, UDP: 17 };
const UNSUPP_VERSION = 1;
/** NAT-PMP's "unsupported version" (RFC 6886 §3.5): what a NAT-PMP-only router answers to PCP. */
const NAT_PMP_UNSUPPORTED_VERSION = 1;

/** RFC 6887 §7.4 result codes, with what they mean to the user. */
export const PCP_RESULTS: Record<number, string> = {
  1: 'unsupported version',
  2: 'not authorized (port mapping is turned off in the router, or not allowed for this computer)',
  3: 'the router could not read the request',
  4: 'the router does not support mapping requests',
  5: 'unsupported option',
  6: 'malformed option',
  7: 'network failure (the router has no outside address yet)',
  8: 'out of resources (the router holds too many mappings)',
  9: 'the router cannot map this protocol',
  10: 'this computer is over its quota of mappings',
  11: 'the router cannot provide that external port',
  12: 'address mismatch (another NAT sits between this computer and the router)',
  13: 'too many remote peers',
};

export class PcpError extends Error {
  constructor(readonly result: number) {
    super(`PCP result ${result}: ${PCP_RESULTS[result] ?? 'unknown'}`);
  }
}

export interface PcpMapRequest {
  protocol: MappingProtocol;
  internalPort: number;
  /** The external port we would like; 0 lets the router choose. */
  externalPort: number;
  /** Seconds; 0 deletes the mapping. */
  lifetimeSeconds: number;
  /** Our IPv4 address as the router sees it (the source of the datagram). */
  clientAddress: string;
  /** 12 random bytes, the same for the mapping's whole life (renewals and the delete). */
  nonce: Uint8Array;
}

function ipv4Mapped(address: string): Buffer {
  if (!isIPv4(address)) throw new RangeError(`PCP needs an IPv4 client address, not "${address.slice(0, 40)}"`);
  const out = Buffer.alloc(16);
  out.writeUInt16BE(0xffff, 10);
  address.split('.').forEach((octet, i) => out.writeUInt8(Number(octet), 12 + i));
  return out;
}

export function pcpMapRequest(req: PcpMapRequest): Buffer {
  if (req.nonce.length !== PCP_NONCE_BYTES) throw new RangeError('a PCP nonce is 12 bytes');
  const msg = Buffer.alloc(PCP_MAP_REQUEST_BYTES);
  msg.writeUInt8(PCP_VERSION, 0);
  msg.writeUInt8(OPCODE_MAP, 1);
  msg.writeUInt32BE(req.lifetimeSeconds, 4);
  ipv4Mapped(req.clientAddress).copy(msg, 8);
  Buffer.from(req.nonce).copy(msg, 24);
  msg.writeUInt8(IANA_PROTOCOL[req.protocol], 36);
  msg.writeUInt16BE(req.internalPort, 40);
  msg.writeUInt16BE(req.externalPort, 42);
  ipv4Mapped('0.0.0.0').copy(msg, 44);
  return msg;
}

/** What one datagram from the gateway's PCP port means for our request. */
export type PcpAnswer =
  | { kind: 'ignored'; reason: string }
  /** The router speaks another version (or only NAT-PMP): fall back to NAT-PMP. */
  | { kind: 'unsupported-version'; serverVersion: number }
  | { kind: 'refused'; result: number; lifetimeSeconds: number }
  | {
      kind: 'mapped';
      lifetimeSeconds: number;
      epochSeconds: number;
      externalPort: number;
      externalAddress: string;
    };

export interface PcpExpected {
  protocol: MappingProtocol;
  internalPort: number;
  nonce: Uint8Array;
}

const ignored = (reason: string): PcpAnswer => ({ kind: 'ignored', reason });

/** The IPv4 address in an IPv4-mapped IPv6 field, or null when it is not one. */
function mappedIPv4(field: Buffer): string | null {
  for (let i = 0; i < 10; i++) if (field[i] !== 0) return null;
  if (field.readUInt16BE(10) !== 0xffff) return null;
  return [...field.subarray(12, 16)].join('.');
}

/** Options after the MAP body: each a code, a reserved byte, a length and data padded to 4 bytes. */
function optionsWellFormed(options: Buffer): boolean {
  let at = 0;
  while (at < options.length) {
    if (options.length - at < 4) return false;
    const length = options.readUInt16BE(at + 2);
    at += 4 + Math.ceil(length / 4) * 4;
  }
  return at === options.length;
}

export function readPcpMapResponse(datagram: Uint8Array, expected: PcpExpected): PcpAnswer {
  const msg = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  if (msg.length < 4) return ignored('shorter than any answer');
  // A NAT-PMP-only router answers our version 2 with its own "unsupported version" (RFC 6887 §9).
  if (msg[0] === 0) {
    return msg[1] === RESPONSE_BIT + OPCODE_MAP && msg.readUInt16BE(2) === NAT_PMP_UNSUPPORTED_VERSION
      ? { kind: 'unsupported-version', serverVersion: 0 }
      : ignored('a NAT-PMP datagram that is not "unsupported version"');
  }
  if (msg.length < HEADER_BYTES) return ignored('shorter than a PCP header');
  if (msg.length > MAX_MESSAGE_BYTES || msg.length % 4 !== 0) return ignored('not a PCP message length');
  if (msg[1] !== RESPONSE_BIT + OPCODE_MAP) return ignored('not a MAP response');
  const result = msg.readUInt8(3);
  // A server of another version answers in its own format; only the header can be trusted.
  if (result === UNSUPP_VERSION) return { kind: 'unsupported-version', serverVersion: msg.readUInt8(0) };
  if (msg[0] !== PCP_VERSION) return ignored('another PCP version');
  if (msg.length < PCP_MAP_REQUEST_BYTES) return ignored('shorter than a MAP response');
  if (!msg.subarray(24, 36).equals(Buffer.from(expected.nonce))) return ignored('another nonce');
  if (msg.readUInt8(36) !== IANA_PROTOCOL[expected.protocol]) return ignored('another protocol');
  if (msg.readUInt16BE(40) !== expected.internalPort) return ignored('another internal port');
  if (!optionsWellFormed(msg.subarray(PCP_MAP_REQUEST_BYTES))) return ignored('malformed options');
  const lifetimeSeconds = msg.readUInt32BE(4);
  if (result !== 0) return { kind: 'refused', result, lifetimeSeconds };
  const externalPort = msg.readUInt16BE(42);
  const externalAddress = mappedIPv4(msg.subarray(44, 60));
  if (externalAddress === null) return ignored('an external address that is not IPv4');
  if (externalPort === 0 && lifetimeSeconds !== 0) return ignored('a mapping without an external port');
  return { kind: 'mapped', lifetimeSeconds, epochSeconds: msg.readUInt32BE(8), externalPort, externalAddress };
}
