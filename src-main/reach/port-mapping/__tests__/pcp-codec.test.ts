import { describe, expect, it } from 'vitest';
import { PcpError, pcpMapRequest, readPcpMapResponse } from '../pcp-codec.js';

const NONCE = Buffer.from('0102030405060708090a0b0c', 'hex');
const EXPECTED = { protocol: 'TCP' as const, internalPort: 7777, nonce: NONCE };

/** A MAP response as a router writes it: header, then the request's MAP fields with the assignment. */
function response(fields: {
  version?: number;
  opcode?: number;
  result?: number;
  lifetime?: number;
  nonce?: Buffer;
  protocol?: number;
  internalPort?: number;
  externalPort?: number;
  external?: string;
  extra?: Buffer;
}): Buffer {
  const msg = Buffer.alloc(60);
  msg.writeUInt8(fields.version ?? 2, 0);
  msg.writeUInt8(fields.opcode ?? 0x81, 1);
  msg.writeUInt8(fields.result ?? 0, 3);
  msg.writeUInt32BE(fields.lifetime ?? 7200, 4);
  msg.writeUInt32BE(42, 8);
  (fields.nonce ?? NONCE).copy(msg, 24);
  msg.writeUInt8(fields.protocol ?? 6, 36);
  msg.writeUInt16BE(fields.internalPort ?? 7777, 40);
  msg.writeUInt16BE(fields.externalPort ?? 7777, 42);
  msg.writeUInt16BE(0xffff, 54);
  (fields.external ?? '11.0.0.2').split('.').forEach((o, i) => msg.writeUInt8(Number(o), 56 + i));
  return fields.extra ? Buffer.concat([msg, fields.extra]) : msg;
}

describe('PCP MAP messages (RFC 6887)', () => {
  it('writes the MAP request byte for byte', () => {
    const request = pcpMapRequest({
      protocol: 'TCP',
      internalPort: 7777,
      externalPort: 7777,
      lifetimeSeconds: 7200,
      clientAddress: '192.168.77.10',
      nonce: NONCE,
    });
    expect(request.toString('hex')).toBe(
      [
        '02010000', // version 2, opcode MAP, reserved
        '00001c20', // requested lifetime 7200 s
        '00000000000000000000ffffc0a84d0a', // our address, IPv4-mapped: 192.168.77.10
        '0102030405060708090a0b0c', // nonce
        '06000000', // protocol TCP, reserved
        '1e611e61', // internal port 7777, suggested external port 7777
        '00000000000000000000ffff00000000', // suggested external address: any (::ffff:0.0.0.0)
      ].join(''),
    );
    // UDP is protocol 17; a delete is lifetime 0 with the same nonce.
    const del = pcpMapRequest({
      protocol: 'UDP',
      internalPort: 7777,
      externalPort: 7777,
      lifetimeSeconds: 0,
      clientAddress: '192.168.77.10',
      nonce: NONCE,
    });
    expect(del.subarray(4, 8).toString('hex')).toBe('00000000');
    expect(del.readUInt8(36)).toBe(17);
    expect(() => pcpMapRequest({ ...EXPECTED, externalPort: 0, lifetimeSeconds: 1, clientAddress: '::1' })).toThrow(
      /IPv4/,
    );
  });

  it('reads a success: external address and port, lifetime, epoch', () => {
    expect(readPcpMapResponse(response({ externalPort: 40000, lifetime: 120 }), EXPECTED)).toEqual({
      kind: 'mapped',
      lifetimeSeconds: 120,
      epochSeconds: 42,
      externalPort: 40000,
      externalAddress: '11.0.0.2',
    });
    // Well-formed options after the MAP body are skipped.
    const option = Buffer.from('0c000004cafebabe', 'hex');
    expect(readPcpMapResponse(response({ extra: option }), EXPECTED).kind).toBe('mapped');
  });

  it('reads refusals with their result code, and both kinds of "unsupported version"', () => {
    expect(readPcpMapResponse(response({ result: 2, lifetime: 30 }), EXPECTED)).toEqual({
      kind: 'refused',
      result: 2,
      lifetimeSeconds: 30,
    });
    expect(new PcpError(2).message).toMatch(/not authorized/);
    expect(new PcpError(12).message).toMatch(/another NAT/);
    expect(new PcpError(99).message).toMatch(/unknown/);
    // A PCP server of another version: only its 24-byte header.
    const v1 = response({ version: 1, result: 1 }).subarray(0, 24);
    expect(readPcpMapResponse(v1, EXPECTED)).toEqual({ kind: 'unsupported-version', serverVersion: 1 });
    // A NAT-PMP-only router: version 0, opcode 128 + 1, result 1.
    const natPmp = Buffer.from('0081000100000064', 'hex');
    expect(readPcpMapResponse(natPmp, EXPECTED)).toEqual({ kind: 'unsupported-version', serverVersion: 0 });
  });

  it('ignores, with a reason, every datagram that is not the answer to this request', () => {
    const cases: [string, Buffer][] = [
      ['shorter than any answer', Buffer.from('02', 'hex')],
      ['a NAT-PMP datagram', Buffer.from('0081000200000064', 'hex')],
      ['shorter than a PCP header', response({}).subarray(0, 20)],
      ['not a PCP message length', Buffer.concat([response({}), Buffer.alloc(2)])],
      ['not a PCP message length', Buffer.concat([response({}), Buffer.alloc(1100)])],
      ['not a MAP response', response({ opcode: 0x01 })],
      ['not a MAP response', response({ opcode: 0x82 })],
      ['another PCP version', response({ version: 3 })],
      ['shorter than a MAP response', response({}).subarray(0, 56)],
      ['another nonce', response({ nonce: Buffer.alloc(12, 7) })],
      ['another protocol', response({ protocol: 17 })],
      ['another internal port', response({ internalPort: 7778 })],
      ['malformed options', response({ extra: Buffer.from('0c000008cafebabe', 'hex') })],
      [
        'not IPv4',
        (() => {
          const r = response({});
          r.writeUInt16BE(0, 54);
          return r;
        })(),
      ],
      ['without an external port', response({ externalPort: 0 })],
    ];
    for (const [reason, datagram] of cases) {
      const answer = readPcpMapResponse(datagram, EXPECTED);
      expect(answer.kind, reason).toBe('ignored');
      if (answer.kind === 'ignored') expect(answer.reason).toContain(reason.replace(/^a NAT-PMP datagram$/, 'NAT-PMP'));
    }
    // The other mapping's answer (UDP, same internal port) is not this one's either.
    expect(readPcpMapResponse(response({}), { ...EXPECTED, protocol: 'UDP' }).kind).toBe('ignored');
  });
});
