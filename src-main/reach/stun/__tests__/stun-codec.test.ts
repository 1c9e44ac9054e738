import { describe, expect, it } from 'vitest';
import { bindingRequest, readBindingResponse } from '../stun-codec.js';

const TXID = Buffer.from('0102030405060708090a0b0c', 'hex');

function attribute(type: number, value: Buffer): Buffer {
  const out = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(value.length, 2);
  value.copy(out, 4);
  return out;
}

/** XOR-MAPPED-ADDRESS for 11.0.0.2:40000: port ^ 0x2112, address ^ 0x2112a442. */
const XOR_11_0_0_2 = attribute(0x0020, Buffer.from('0001' + (40000 ^ 0x2112).toString(16) + '2a12a440', 'hex'));

function message(type: number, attributes: Buffer[], txid: Buffer = TXID): Buffer {
  const body = Buffer.concat(attributes);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(body.length, 2);
  header.writeUInt32BE(0x2112a442, 4);
  txid.copy(header, 8);
  return Buffer.concat([header, body]);
}

describe('STUN Binding (RFC 8489)', () => {
  it('writes the Binding request byte for byte', () => {
    expect(bindingRequest(TXID).toString('hex')).toBe('000100002112a4420102030405060708090a0b0c');
    expect(() => bindingRequest(Buffer.alloc(11))).toThrow(/12 bytes/);
  });

  it('reads XOR-MAPPED-ADDRESS, skipping comprehension-optional and known attributes', () => {
    const software = attribute(0x8022, Buffer.from('some server'));
    const fingerprint = attribute(0x8028, Buffer.alloc(4));
    const plainMapped = attribute(0x0001, Buffer.from('0001aaaa01020304', 'hex'));
    expect(readBindingResponse(message(0x0101, [software, plainMapped, XOR_11_0_0_2, fingerprint]), TXID)).toEqual({
      kind: 'mapped',
      address: '11.0.0.2',
      port: 40000,
    });
  });

  it('reads an error answer with its code and a printable reason', () => {
    const code = attribute(0x0009, Buffer.concat([Buffer.from([0, 0, 4, 20]), Buffer.from('Bad\u0007 Request')]));
    expect(readBindingResponse(message(0x0111, [code]), TXID)).toEqual({
      kind: 'error',
      code: 420,
      reason: 'Bad Request',
    });
  });

  it('ignores, with a reason, what is not the answer to this request', () => {
    const ok = message(0x0101, [XOR_11_0_0_2]);
    const withCookie = (cookie: number): Buffer => {
      const m = Buffer.from(ok);
      m.writeUInt32BE(cookie, 4);
      return m;
    };
    const v6 = attribute(0x0020, Buffer.concat([Buffer.from('00020001', 'hex'), Buffer.alloc(16)]));
    const cases: [string, Buffer][] = [
      ['shorter than a STUN header', ok.subarray(0, 19)],
      ['longer than a Binding answer', message(0x0101, [XOR_11_0_0_2, attribute(0x8022, Buffer.alloc(1300))])],
      ['not a Binding answer', message(0x0001, [XOR_11_0_0_2])],
      ['not a Binding answer', message(0x0103, [XOR_11_0_0_2])],
      ['no magic cookie', withCookie(0x2112a443)],
      ['another transaction', message(0x0101, [XOR_11_0_0_2], Buffer.alloc(12, 1))],
      ['a length that does not fit', Buffer.concat([ok, Buffer.alloc(4)])],
      ['a length that does not fit', ok.subarray(0, ok.length - 4)],
      [
        'an attribute longer than the message',
        message(0x0101, [Buffer.from('00200010000100', 'hex'), Buffer.alloc(1)]),
      ],
      ['an unknown required attribute', message(0x0101, [attribute(0x0003, Buffer.alloc(4)), XOR_11_0_0_2])],
      ['not IPv4', message(0x0101, [v6])],
      ['of the wrong length', message(0x0101, [attribute(0x0020, Buffer.from('0001aaaa01020304ff', 'hex'))])],
      ['no XOR-MAPPED-ADDRESS', message(0x0101, [attribute(0x8022, Buffer.from('x'))])],
      [
        'too many attributes',
        message(
          0x0101,
          Array.from({ length: 33 }, () => attribute(0x8022, Buffer.alloc(0))),
        ),
      ],
      ['without an error code', message(0x0111, [])],
      ['an unreadable error code', message(0x0111, [attribute(0x0009, Buffer.from('0000047b', 'hex'))])],
      ['an unreadable error code', message(0x0111, [attribute(0x0009, Buffer.from('00000201', 'hex'))])],
    ];
    for (const [reason, datagram] of cases) {
      const answer = readBindingResponse(datagram, TXID);
      expect(answer.kind, reason).toBe('ignored');
      if (answer.kind === 'ignored') expect(answer.reason).toContain(reason);
    }
  });
});
