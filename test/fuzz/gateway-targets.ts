// Fuzz targets for what a router (PCP) or a STUN server sends back (src-main/reach): whatever arrives, the
// reader answers without throwing, and what it accepts is the answer to our request (same nonce,
// protocol and port) with well-formed values.
import { isIPv4 } from 'node:net';
import { readPcpMapResponse } from '../../src-main/reach/port-mapping/pcp-codec.js';
import { readBindingResponse } from '../../src-main/reach/stun/stun-codec.js';
import type { FuzzTarget } from './codec-targets.js';
import { mutate, type Rng } from './random-bytes.js';

class Invariant extends Error {
  override name = 'InvariantViolation';
}

function assert(cond: boolean, what: string): void {
  if (!cond) throw new Invariant(what);
}

const PCP_NONCE = Buffer.from('a1a2a3a4a5a6a7a8a9aaabac', 'hex');

/** A well-formed MAP response to our TCP 7777 request: success or a random result, maybe options. */
function pcpResponse(rng: Rng): Uint8Array {
  const msg = Buffer.alloc(60);
  msg.writeUInt8(rng.chance(0.9) ? 2 : rng.int(4), 0);
  msg.writeUInt8(0x81, 1);
  msg.writeUInt8(rng.chance(0.7) ? 0 : rng.int(16), 3);
  msg.writeUInt32BE(rng.u32(), 4);
  msg.writeUInt32BE(rng.u32(), 8);
  PCP_NONCE.copy(msg, 24);
  msg.writeUInt8(6, 36);
  msg.writeUInt16BE(7777, 40);
  msg.writeUInt16BE(rng.int(65536), 42);
  msg.writeUInt16BE(0xffff, 54);
  msg.writeUInt32BE(rng.u32(), 56);
  if (!rng.chance(0.3)) return msg;
  const length = rng.int(12);
  const option = Buffer.alloc(4 + Math.ceil(length / 4) * 4);
  option.writeUInt8(rng.int(256), 0);
  option.writeUInt16BE(length, 2);
  return Buffer.concat([msg, option]);
}

export const pcpAnswerTarget: FuzzTarget = {
  name: 'pcp-answer',
  generate(rng) {
    const seed = pcpResponse(rng);
    if (rng.chance(0.05)) return rng.bytes(rng.length(1200));
    return rng.chance(0.3) ? seed : mutate(rng, seed, 1200);
  },
  check(input) {
    const answer = readPcpMapResponse(input, { protocol: 'TCP', internalPort: 7777, nonce: PCP_NONCE });
    if (answer.kind === 'ignored') return false;
    if (answer.kind === 'unsupported-version') {
      assert(answer.serverVersion >= 0 && answer.serverVersion <= 255, 'a version outside a byte');
      return true;
    }
    const msg = Buffer.from(input);
    assert(msg.length >= 60 && msg.length <= 1100 && msg.length % 4 === 0, 'accepted a bad length');
    assert(msg.subarray(24, 36).equals(PCP_NONCE), 'accepted another nonce');
    assert(msg[36] === 6 && msg.readUInt16BE(40) === 7777, 'accepted another protocol or port');
    assert(answer.lifetimeSeconds >= 0 && answer.lifetimeSeconds < 2 ** 32, 'a lifetime outside u32');
    if (answer.kind === 'mapped') {
      assert(isIPv4(answer.externalAddress), 'an external address that is not IPv4');
      assert(answer.externalPort >= 0 && answer.externalPort <= 65535, 'a port outside u16');
      assert(answer.externalPort > 0 || answer.lifetimeSeconds === 0, 'a live mapping on port 0');
    } else {
      assert(answer.result > 1 && answer.result <= 255, 'a refusal without a result code');
    }
    return true;
  },
};

const STUN_TXID = Buffer.from('b1b2b3b4b5b6b7b8b9babbbc', 'hex');

function stunAttribute(type: number, value: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(value.length, 2);
  Buffer.from(value).copy(out, 4);
  return out;
}

/** A well-formed Binding answer to our transaction: success with XOR-MAPPED-ADDRESS, or an error. */
function stunAnswer(rng: Rng): Uint8Array {
  const attributes: Buffer[] = [];
  if (rng.chance(0.3)) attributes.push(stunAttribute(0x8022, rng.bytes(rng.int(20))));
  const error = rng.chance(0.2);
  if (error)
    attributes.push(stunAttribute(0x0009, Uint8Array.of(0, 0, rng.int(8), rng.int(100), ...rng.bytes(rng.int(12)))));
  else attributes.push(stunAttribute(0x0020, Uint8Array.of(0, 1, ...rng.bytes(6))));
  if (rng.chance(0.3)) attributes.push(stunAttribute(0x8028, rng.bytes(4)));
  const body = Buffer.concat(attributes);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(error ? 0x0111 : 0x0101, 0);
  header.writeUInt16BE(body.length, 2);
  header.writeUInt32BE(0x2112a442, 4);
  STUN_TXID.copy(header, 8);
  return Buffer.concat([header, body]);
}

export const stunAnswerTarget: FuzzTarget = {
  name: 'stun-answer',
  generate(rng) {
    if (rng.chance(0.05)) return rng.bytes(rng.length(1400));
    const seed = stunAnswer(rng);
    return rng.chance(0.3) ? seed : mutate(rng, seed, 1400);
  },
  check(input) {
    const answer = readBindingResponse(input, STUN_TXID);
    if (answer.kind === 'ignored') return false;
    const msg = Buffer.from(input);
    assert(msg.length >= 20 && msg.length <= 1280, 'accepted a bad length');
    assert(msg.readUInt16BE(2) + 20 === msg.length, 'accepted a length field that does not fit');
    assert(msg.subarray(8, 20).equals(STUN_TXID), 'accepted another transaction');
    if (answer.kind === 'mapped') {
      assert(msg.readUInt16BE(0) === 0x0101, 'an address from an answer that is not a success');
      assert(isIPv4(answer.address), 'a mapped address that is not IPv4');
      assert(answer.port >= 1 && answer.port <= 65535, 'a mapped port outside 1..65535');
    } else {
      assert(msg.readUInt16BE(0) === 0x0111, 'an error from an answer that is not an error');
      assert(answer.code >= 300 && answer.code <= 699, 'an error code outside 300..699');
      assert(/^[\x20-\x7e]{0,80}$/.test(answer.reason), 'an unprintable or long reason');
    }
    return true;
  },
};
