import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeClientDatagram, parseClientDatagram, parseClientDatagramAt, type DatagramView } from '../udp.js';
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

  it('parses a datagram in the middle of a larger buffer by offsets, as the batch reader hands them', () => {
    const one = encodeClientDatagram(utf8Encode('lobby'), utf8Encode('TOKEN'), utf8Encode('hi'));
    // What comes after `end` belongs to the next datagram and must not count.
    const buffer = new Uint8Array(100).fill(0x41);
    buffer.set(one, 30);
    const view: DatagramView = { roomStart: 0, roomEnd: 0, tokenStart: 0, tokenEnd: 0, messageStart: 0 };
    expect(parseClientDatagramAt(buffer, 30, 30 + one.length, view)).toBeNull();
    expect(view).toEqual({ roomStart: 32, roomEnd: 37, tokenStart: 37, tokenEnd: 42, messageStart: 42 });
    // Cut one byte short of the token: truncated, even though the buffer goes on.
    expect(parseClientDatagramAt(buffer, 30, 41, view)).toBe('truncated');
    expect(parseClientDatagramAt(buffer, 30, 31, view)).toBe('too-short');
    expect(parseClientDatagramAt(new Uint8Array(5000), 0, 4097, view)).toBe('too-large');
  });

  it('agrees with parseClientDatagram at any offset (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(40), (bytes, pad) => {
        const buffer = new Uint8Array(pad + bytes.length + 7).fill(9);
        buffer.set(bytes, pad);
        const view: DatagramView = { roomStart: 0, roomEnd: 0, tokenStart: 0, tokenEnd: 0, messageStart: 0 };
        const whole = parseClientDatagram(bytes);
        const problem = parseClientDatagramAt(buffer, pad, pad + bytes.length, view);
        if (typeof whole === 'string') expect(problem).toBe(whole);
        else {
          expect(problem).toBeNull();
          expect(view.messageStart - pad).toBe(whole.messageStart);
          expect(view.roomStart - pad).toBe(whole.roomStart);
          expect(view.tokenEnd - pad).toBe(whole.tokenEnd);
        }
      }),
    );
  });
});
