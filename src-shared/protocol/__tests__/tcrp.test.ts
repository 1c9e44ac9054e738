import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeFrame, Operation, readDeclaredSize, State } from '../tcrp.js';
import { TcrpDecodeError, TcrpDecoder } from '../tcrp-decoder.js';
import { TCRP_HEADER_BYTES } from '../limits.js';
import { utf8Encode } from '../utf8.js';

const room = utf8Encode('lobby');
const payload = utf8Encode('{"username":"bob"}');

describe('TCRP frame encoding', () => {
  it('lays out the 32-byte header exactly as the spec', () => {
    const bytes = encodeFrame({ operation: Operation.JOIN, state: State.REQUEST, room, payload });
    expect(bytes.length).toBe(TCRP_HEADER_BYTES + room.length + payload.length);
    expect(bytes[0]).toBe(5);
    expect(bytes[1]).toBe(2);
    expect(bytes[2]).toBe(0);
    // 29-byte big-endian size: all zero but the last byte.
    expect([...bytes.subarray(3, 31)].every((b) => b === 0)).toBe(true);
    expect(bytes[31]).toBe(payload.length);
    expect(new TextDecoder().decode(bytes.subarray(32, 37))).toBe('lobby');
  });

  it('writes sizes above 255 big-endian across the field', () => {
    const big = new Uint8Array(0x1234);
    const bytes = encodeFrame({ operation: 1, state: 0, room, payload: big });
    expect(bytes[30]).toBe(0x12);
    expect(bytes[31]).toBe(0x34);
    expect(readDeclaredSize(bytes.subarray(0, 32))).toBe(0x1234);
  });

  it('reads a declared size beyond 2^48 as Infinity', () => {
    const header = new Uint8Array(32);
    header[3] = 1; // the top byte of the 29-byte field: 2^224
    expect(readDeclaredSize(header)).toBe(Infinity);
  });
});

describe('TcrpDecoder', () => {
  const frame = encodeFrame({ operation: Operation.CREATE, state: State.REQUEST, room, payload });

  it('decodes a frame fed one byte at a time', () => {
    const decoder = new TcrpDecoder();
    const frames = [];
    for (const byte of frame) frames.push(...decoder.push(Uint8Array.of(byte)).frames);
    expect(frames).toHaveLength(1);
    expect(frames[0]?.operation).toBe(1);
    expect(new TextDecoder().decode(frames[0]?.room)).toBe('lobby');
    expect(new TextDecoder().decode(frames[0]?.payload)).toBe('{"username":"bob"}');
    expect(decoder.idle).toBe(true);
  });

  it('decodes several frames merged in one chunk, and can stop after the first', () => {
    const two = new Uint8Array(frame.length * 2 + 2);
    two.set(frame, 0);
    two.set(frame, frame.length);
    two.set([0x1f, 0x90], frame.length * 2);
    expect(new TcrpDecoder().push(two.subarray(0, frame.length * 2)).frames).toHaveLength(2);
    const first = new TcrpDecoder().push(two, 1);
    expect(first.frames).toHaveLength(1);
    expect(first.used).toBe(frame.length);
  });

  it('handles an empty payload', () => {
    const empty = encodeFrame({ operation: 2, state: 0, room, payload: new Uint8Array(0) });
    const { frames } = new TcrpDecoder().push(empty);
    expect(frames).toHaveLength(1);
    expect(frames[0]?.payload.length).toBe(0);
  });

  it('refuses a declared size over the cap as soon as the header is complete', () => {
    const header = new Uint8Array(32);
    header[0] = 5;
    header[1] = 1;
    header[3] = 0xff; // declares ~2^231 bytes
    const decoder = new TcrpDecoder({ maxPayloadBytes: 1024 });
    expect(() => decoder.push(header)).toThrowError(TcrpDecodeError);
    expect(decoder.pendingBytes).toBeLessThanOrEqual(32);
    try {
      new TcrpDecoder({ maxPayloadBytes: 1024 }).push(header);
    } catch (err) {
      expect((err as TcrpDecodeError).code).toBe('PAYLOAD_TOO_LARGE');
    }
  });

  it('refuses 1025 bytes at a 1024 cap and accepts 1024', () => {
    const at = encodeFrame({ operation: 1, state: 0, room, payload: new Uint8Array(1024) });
    expect(new TcrpDecoder({ maxPayloadBytes: 1024 }).push(at).frames).toHaveLength(1);
    const over = encodeFrame({ operation: 1, state: 0, room, payload: new Uint8Array(1025) });
    expect(() => new TcrpDecoder({ maxPayloadBytes: 1024 }).push(over)).toThrowError(/exceeds the cap/);
  });

  it('refuses RoomNameSize 0 and 29, accepts 28', () => {
    const h = (n: number) => {
      const b = new Uint8Array(32 + n);
      b[0] = n;
      b[1] = 1;
      return b;
    };
    expect(() => new TcrpDecoder().push(h(0))).toThrowError(TcrpDecodeError);
    expect(() => new TcrpDecoder().push(h(29))).toThrowError(TcrpDecodeError);
    expect(new TcrpDecoder().push(h(28)).frames).toHaveLength(1);
  });

  it('round-trips any frame under any chunking (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 28 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }),
        (r, p, op, st, cuts) => {
          const bytes = encodeFrame({ operation: op, state: st, room: r, payload: p });
          const decoder = new TcrpDecoder({ maxPayloadBytes: 300 });
          const frames = [];
          let at = 0;
          let i = 0;
          while (at < bytes.length) {
            const n = cuts[i++ % cuts.length] as number;
            frames.push(...decoder.push(bytes.subarray(at, at + n)).frames);
            at += n;
          }
          expect(frames).toHaveLength(1);
          expect([...(frames[0]?.room ?? [])]).toEqual([...r]);
          expect([...(frames[0]?.payload ?? [])]).toEqual([...p]);
          expect(frames[0]?.operation).toBe(op);
          expect(frames[0]?.state).toBe(st);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws anything but TcrpDecodeError on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 10 }), (chunks) => {
        const decoder = new TcrpDecoder({ maxPayloadBytes: 64 });
        try {
          for (const c of chunks) decoder.push(c);
        } catch (err) {
          expect(err).toBeInstanceOf(TcrpDecodeError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
