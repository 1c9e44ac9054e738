import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ClosedReason } from '../closed-reasons.js';
import { LeftReason } from '../left-reasons.js';
import {
  decodeClientControl,
  decodeServerEvent,
  encodeAckEvent,
  encodeChatEvent,
  encodeClientControl,
  encodeClosedEvent,
  encodeErrorEvent,
  encodeHistoryEndEvent,
  encodeHistoryEntry,
  encodeJoinedEvent,
  encodeReconnectedEvent,
  encodeLeftEvent,
  encodeMembersEvents,
  encodePongEvent,
  type MemberEntry,
} from '../control.js';
import { utf8DecodeStrict, utf8Encode } from '../utf8.js';

describe('structured datagrams', () => {
  it('start with 0xFF, which no UTF-8 text contains', () => {
    expect(encodeJoinedEvent('a', false)[0]).toBe(0xff);
    expect(utf8DecodeStrict(Uint8Array.of(0xff, 0x82))).toBeNull();
  });

  it('round-trip client controls', () => {
    for (const msg of [
      { kind: 'hello' as const },
      { kind: 'leave' as const },
      { kind: 'close-room' as const },
      { kind: 'heartbeat' as const, nonce: 0xfffffffe },
    ]) {
      expect(decodeClientControl(encodeClientControl(msg))).toEqual(msg);
    }
    const chat = decodeClientControl(encodeClientControl({ kind: 'chat', id: 42, text: utf8Encode('hé') }));
    expect(chat?.kind).toBe('chat');
    if (chat?.kind === 'chat') {
      expect(chat.id).toBe(42);
      expect(new TextDecoder().decode(chat.text)).toBe('hé');
    }
  });

  it('round-trip server events', () => {
    expect(decodeServerEvent(encodeChatEvent(7, utf8Encode('alice'), utf8Encode('hi 👋')))).toEqual({
      kind: 'chat',
      seq: 7,
      sender: 'alice',
      text: 'hi 👋',
    });
    expect(decodeServerEvent(encodeJoinedEvent('bob', true), 2)).toEqual({ kind: 'joined', name: 'bob', host: true });
    expect(decodeServerEvent(encodeLeftEvent('bob', LeftReason.TIMED_OUT))).toEqual({
      kind: 'left',
      name: 'bob',
      reason: 1,
    });
    expect(decodeServerEvent(encodeClosedEvent(ClosedReason.HOST_LEFT))).toEqual({ kind: 'closed', reason: 1 });
    expect(decodeServerEvent(encodePongEvent(9))).toEqual({ kind: 'pong', nonce: 9 });
    expect(decodeServerEvent(encodeAckEvent(3, 4))).toEqual({ kind: 'ack', id: 3, seq: 4 });
    expect(decodeServerEvent(encodeErrorEvent(2, 'not host'))).toEqual({ kind: 'error', code: 2, message: 'not host' });
  });

  it('matches the CHAT example of PROTOCOL.md byte for byte', () => {
    const hex = Buffer.from(encodeChatEvent(7, utf8Encode('alice'), utf8Encode('hi'))).toString('hex');
    expect(hex).toBe('ff820000000705616c6963656869');
  });

  it('splits a long member list into datagrams under the limit and reassembles it', () => {
    const members: MemberEntry[] = Array.from({ length: 500 }, (_, i) => ({
      name: `user-${i}-${'x'.repeat(20)}`,
      host: i === 0,
      plain: i % 3 === 0,
    }));
    const parts = encodeMembersEvents(members, 4094);
    expect(parts.length).toBeGreaterThan(1);
    const all: MemberEntry[] = [];
    parts.forEach((p, i) => {
      expect(p.length).toBeLessThanOrEqual(4094);
      const ev = decodeServerEvent(p);
      if (ev?.kind !== 'members') throw new Error('not a members event');
      expect(ev.first).toBe(i === 0);
      expect(ev.last).toBe(i === parts.length - 1);
      all.push(...ev.members);
    });
    expect(all).toEqual(members);
    const empty = encodeMembersEvents([], 4094);
    expect(decodeServerEvent(empty[0] as Uint8Array)).toEqual({
      kind: 'members',
      first: true,
      last: true,
      members: [],
    });
  });

  it("tells each member's transport from version 3 on, and only the host bit before it", () => {
    // A plain host joins: the member byte is 3 for version 3 receivers, 1 for older ones.
    const v3 = encodeJoinedEvent('ann', true, true);
    expect(Buffer.from(v3).toString('hex')).toBe('ff830303616e6e');
    expect(decodeServerEvent(v3, 3)).toEqual({ kind: 'joined', name: 'ann', host: true, plain: true });
    const older = encodeJoinedEvent('ann', true);
    expect(Buffer.from(older).toString('hex')).toBe('ff830103616e6e');
    expect(decodeServerEvent(older, 2)).toEqual({ kind: 'joined', name: 'ann', host: true });
    // Unknown bits are ignored from version 3 on.
    expect(decodeServerEvent(Uint8Array.of(0xff, 0x83, 0xfc, 1, 0x61), 3)).toEqual({
      kind: 'joined',
      name: 'a',
      host: false,
      plain: false,
    });
    const list = encodeMembersEvents(
      [
        { name: 'ann', host: true, plain: false },
        { name: 'bo', host: false, plain: true },
      ],
      4094,
    );
    expect(Buffer.from(list[0] as Uint8Array).toString('hex')).toBe('ff810300020103616e6e0202626f');
    expect(decodeServerEvent(list[0] as Uint8Array, 2)).toEqual({
      kind: 'members',
      first: true,
      last: true,
      members: [
        { name: 'ann', host: true },
        { name: 'bo', host: false },
      ],
    });
    // RECONNECTED gains the member byte in version 3; the two forms are told apart by the version.
    const reconnected = encodeReconnectedEvent('bo', { host: false, plain: true });
    expect(Buffer.from(reconnected).toString('hex')).toBe('ff8d0202626f');
    expect(decodeServerEvent(reconnected, 3)).toEqual({ kind: 'reconnected', name: 'bo', plain: true });
    expect(decodeServerEvent(encodeReconnectedEvent('bo'), 2)).toEqual({ kind: 'reconnected', name: 'bo' });
    expect(decodeServerEvent(encodeReconnectedEvent('bo'), 3)).toBeNull();
  });

  it('never throws on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (tail) => {
        const bytes = new Uint8Array(tail.length + 1);
        bytes[0] = 0xff;
        bytes.set(tail, 1);
        decodeServerEvent(bytes);
        decodeClientControl(bytes);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('catch-up events', () => {
  it('encodes a history entry as FF 89 seq time senderLen sender text, and decodes it back', () => {
    const at = 0x0000_0190_1234_5678; // a 2024 time in ms: needs more than 32 bits
    const bytes = encodeHistoryEntry(7, at, utf8Encode('alice'), utf8Encode('hi'));
    expect(Buffer.from(bytes).toString('hex')).toBe('ff8900000007' + '0000019012345678' + '05' + '616c696365' + '6869');
    expect(decodeServerEvent(bytes)).toEqual({ kind: 'history', seq: 7, at, sender: 'alice', text: 'hi' });
  });

  it('encodes the end marker with its count and refuses malformed ones', () => {
    expect(Buffer.from(encodeHistoryEndEvent(300)).toString('hex')).toBe('ff8a012c');
    expect(decodeServerEvent(encodeHistoryEndEvent(300))).toEqual({ kind: 'history-end', count: 300 });
    expect(decodeServerEvent(Uint8Array.of(0xff, 0x8a, 1))).toBeNull();
    expect(decodeServerEvent(Uint8Array.of(0xff, 0x8a, 0, 1, 0))).toBeNull();
  });

  it('refuses a truncated entry, a name past the end, bad UTF-8 and a time past 2^53 ms', () => {
    const good = encodeHistoryEntry(1, 1_000, utf8Encode('bob'), utf8Encode('x'));
    expect(decodeServerEvent(good.subarray(0, 14))).toBeNull();
    const longName = Uint8Array.from(good);
    longName[14] = 200;
    expect(decodeServerEvent(longName)).toBeNull();
    expect(decodeServerEvent(Uint8Array.from([...good.subarray(0, -1), 0xc3]))).toBeNull();
    const farFuture = Uint8Array.from(good);
    farFuture[6] = 0x01;
    expect(decodeServerEvent(farFuture)).toBeNull();
  });

  it('round-trips any entry', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.string({ minLength: 1, maxLength: 10 }),
        fc.string(),
        (seq, at, sender, text) => {
          const s = seq >>> 0;
          const event = decodeServerEvent(encodeHistoryEntry(s, at, utf8Encode(sender), utf8Encode(text)));
          expect(event).toEqual({ kind: 'history', seq: s, at, sender, text });
        },
      ),
    );
  });
});
