import { describe, expect, it } from 'vitest';
import {
  externalAddressRequest,
  mappingRequest,
  NatPmpError,
  readExternalAddressReply,
  readMappingReply,
} from '../nat-pmp-codec.js';

describe('NAT-PMP messages (RFC 6886)', () => {
  it('writes the external address and mapping requests byte for byte', () => {
    expect(externalAddressRequest().toString('hex')).toBe('0000');
    // version 0, opcode 2 (TCP), reserved, internal 7777, external 7777, lifetime 7200 s
    expect(mappingRequest('TCP', 7777, 7777, 7200).toString('hex')).toBe('000200001e611e6100001c20');
    // opcode 1 (UDP); lifetime 0 and external port 0 delete the mapping
    expect(mappingRequest('UDP', 7777, 0, 0).toString('hex')).toBe('000100001e61000000000000');
  });

  it('reads an external address reply', () => {
    const reply = Buffer.from('00800000000003e80b000002', 'hex');
    expect(readExternalAddressReply(reply)).toEqual({
      opcode: 0,
      result: 0,
      epochSeconds: 1000,
      address: '11.0.0.2',
    });
  });

  it('reads a mapping reply for our port, ignores other replies, throws on a result code', () => {
    const reply = Buffer.from('00820000000000051e611f4000000e10', 'hex');
    expect(readMappingReply(reply, 'TCP', 7777)).toMatchObject({ externalPort: 8000, lifetimeSeconds: 3600 });
    expect(readMappingReply(reply, 'UDP', 7777)).toBeNull();
    expect(readMappingReply(reply, 'TCP', 7778)).toBeNull();
    expect(readMappingReply(Buffer.from('0082000000000005', 'hex'), 'TCP', 7777)).toBeNull();
    expect(() => readMappingReply(Buffer.from('0082000200000005', 'hex'), 'TCP', 7777)).toThrow(NatPmpError);
    expect(() => readMappingReply(Buffer.from('0082000200000005', 'hex'), 'TCP', 7777)).toThrow(/not authorized/);
  });

  it('ignores datagrams that are not replies: wrong version, a request, too short', () => {
    expect(readExternalAddressReply(Buffer.from('01800000000003e80b000002', 'hex'))).toBeNull();
    expect(readExternalAddressReply(Buffer.from('0000', 'hex'))).toBeNull();
    expect(readExternalAddressReply(Buffer.from('00800000000003e80b', 'hex'))).toBeNull();
  });
});
