import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeClientDatagram, parseClientDatagram } from '../udp.js';
import { utf8Encode } from '../utf8.js';

describe('client datagram', () => {
  it('encodes [roomLen][tokenLen][room][token][message] and parses it back', () => {
    const bytes = encodeClientDatagram(utf8Encode('lobby'), utf8Encode('TOKEN'), utf8Encode('hi'));
    expect([...bytes.subarray(0, 2)]).toEqual([5, 5]);
    const view = parseClientDatagram(bytes);
    if (typeof view === 'string') throw new Error(view);
    expect(new TextDecoder().decode(bytes.subarray(view.roomStart, view.roomEnd))).toBe('lobby');
    expect(new TextDecoder().decode(bytes.subarray(view.tokenStart, view.tokenEnd))).toBe('TOKEN');
    expect(new TextDecoder().decode(bytes.subarray(view.messageStart))).toBe('hi');
  });

  it('accepts exactly 4096 bytes and refuses 4097', () => {
    const room = utf8Encode('r');
    const token = utf8Encode('t');
    expect(() => encodeClientDatagram(room, token, new Uint8Array(4096 - 4))).not.toThrow();
    expect(() => encodeClientDatagram(room, token, new Uint8Array(4096 - 3))).toThrowError(RangeError);
    const over = new Uint8Array(4097);
    over[0] = 1;
    over[1] = 1;
    expect(parseClientDatagram(over)).toBe('too-large');
  });

  it('names each malformed header', () => {
    expect(parseClientDatagram(new Uint8Array(0))).toBe('too-short');
    expect(parseClientDatagram(Uint8Array.of(5))).toBe('too-short');
    expect(parseClientDatagram(Uint8Array.of(0, 1, 1))).toBe('room-size');
    expect(parseClientDatagram(Uint8Array.of(29, 1))).toBe('room-size');
    expect(parseClientDatagram(Uint8Array.of(1, 0, 1))).toBe('token-size');
    expect(parseClientDatagram(Uint8Array.of(3, 3, 1, 2, 3, 4))).toBe('truncated');
  });

  it('never throws and never reports offsets past the datagram (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const view = parseClientDatagram(bytes);
        if (typeof view !== 'string') {
          expect(view.messageStart).toBeLessThanOrEqual(bytes.length);
          expect(view.roomEnd - view.roomStart).toBe(bytes[0]);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
