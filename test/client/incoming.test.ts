// IncomingDecoder: server datagrams → typed client events, for both dialects, and hostile input.
import { describe, expect, it } from 'vitest';
import {
  encodeAckEvent,
  encodeChatEvent,
  encodeClosedEvent,
  encodeErrorEvent,
  encodeChatErrorEvent,
  encodeReconnectedEvent,
  encodeJoinedEvent,
  encodeLeftEvent,
  encodeMembersEvents,
  encodePongEvent,
  utf8Encode,
} from '../../src-shared/protocol/index.js';
import { IncomingDecoder } from '../../src-main/engine/client/incoming.js';
import { backoffDelay } from '../../src-main/engine/client/backoff.js';

const text = (s: string): Uint8Array => utf8Encode(s);

describe('IncomingDecoder, structured datagrams', () => {
  it('decodes every server event kind', () => {
    const d = new IncomingDecoder();
    d.setVersion(2);
    expect(d.decode(encodeChatEvent(7, text('alice'), text('hi 🎉')))).toEqual({
      type: 'message',
      from: 'alice',
      text: 'hi 🎉',
      seq: 7,
    });
    expect(d.decode(encodeJoinedEvent('bob', false))).toEqual({ type: 'joined', member: { name: 'bob', host: false } });
    expect(d.decode(encodeLeftEvent('bob', 1))).toEqual({ type: 'left', name: 'bob', reason: 'timed-out' });
    // A version-1 server says "reconnected" with LEFT; it is no departure either way.
    expect(d.decode(encodeLeftEvent('bob', 2))).toEqual({ type: 'reconnected', name: 'bob' });
    expect(d.decode(encodeReconnectedEvent('bob'))).toEqual({ type: 'reconnected', name: 'bob' });
    expect(d.decode(encodeChatErrorEvent(9, 5, 'message is empty'))).toEqual({
      type: 'error',
      code: 'EMPTY_TEXT',
      message: 'message is empty',
      chatId: 9,
    });
    expect(d.decode(encodeClosedEvent(2))).toEqual({ type: 'closed', reason: 'host-timed-out' });
    expect(d.decode(encodePongEvent(0xdeadbeef))).toEqual({ type: 'pong', nonce: 0xdeadbeef });
    expect(d.decode(encodeAckEvent(3, 9))).toEqual({ type: 'delivered', id: 3, seq: 9 });
    expect(d.decode(encodeErrorEvent(3, 'slow down'))).toEqual({
      type: 'error',
      code: 'RATE_LIMITED',
      message: 'slow down',
    });
  });

  it("reads each member's transport from version 3 on", () => {
    const d = new IncomingDecoder();
    d.setVersion(3);
    expect(d.decode(encodeJoinedEvent('bob', false, true))).toEqual({
      type: 'joined',
      member: { name: 'bob', host: false, plain: true },
    });
    expect(d.decode(encodeReconnectedEvent('bob', { host: false, plain: false }))).toEqual({
      type: 'reconnected',
      name: 'bob',
      plain: false,
    });
    // The version-2 form of RECONNECTED is malformed in version 3, and dropped.
    expect(d.decode(encodeReconnectedEvent('bob'))).toBeNull();
  });

  it('reassembles a member list sent in chunks and ignores a chunk without its start', () => {
    const members = Array.from({ length: 300 }, (_, i) => ({
      name: `member-${i}-${'x'.repeat(20)}`,
      host: i === 0,
      plain: i % 2 === 0,
    }));
    const chunks = encodeMembersEvents(members, 4094);
    expect(chunks.length).toBeGreaterThan(1);
    const d = new IncomingDecoder();
    expect(d.decode(chunks[1] as Uint8Array)).toBeNull(); // middle chunk first: no list started
    const results = chunks.map((c) => d.decode(c));
    expect(results.slice(0, -1).every((r) => r === null)).toBe(true);
    expect(results.at(-1)).toEqual({ type: 'members', members });
  });

  it('drops malformed structured datagrams', () => {
    const d = new IncomingDecoder();
    expect(d.decode(Uint8Array.of(0xff))).toBeNull();
    expect(d.decode(Uint8Array.of(0xff, 0x99, 1, 2))).toBeNull();
    expect(d.decode(Uint8Array.of(0xff, 0x86, 1))).toBeNull(); // short PONG
    expect(d.decode(Uint8Array.of(0xff, 0x82, 0, 0, 0, 1, 200, 0x61))).toBeNull(); // sender overruns
  });
});

describe('IncomingDecoder, plain lines', () => {
  const d = new IncomingDecoder();
  const line = (s: string) => d.decode(text(s));

  it('reads chat lines and strips one trailing newline', () => {
    expect(line('alice: hi: there')).toEqual({ type: 'message', from: 'alice', text: 'hi: there', seq: null });
    expect(line('bob: 你好\n')).toEqual({ type: 'message', from: 'bob', text: '你好', seq: null });
  });

  it('maps the known notices to typed events', () => {
    expect(line('* bob joined the room')).toEqual({ type: 'joined', member: { name: 'bob', host: false } });
    expect(line('* bob left the room')).toEqual({ type: 'left', name: 'bob', reason: 'left' });
    expect(line('* bob timed out')).toEqual({ type: 'left', name: 'bob', reason: 'timed-out' });
    expect(line('* bob reconnected')).toEqual({ type: 'reconnected', name: 'bob' });
    expect(line('* the host closed the room')).toEqual({ type: 'closed', reason: 'by-host' });
    expect(line('* the room closed: the host left')).toEqual({ type: 'closed', reason: 'host-left' });
    expect(line('* the room closed: the host timed out')).toEqual({ type: 'closed', reason: 'host-timed-out' });
    expect(line('* the room closed: the server is shutting down')).toEqual({
      type: 'closed',
      reason: 'server-shutdown',
    });
  });

  it('keeps other text as notices, and does not let chat pass for a notice', () => {
    expect(line('* welcome to the server')).toEqual({ type: 'notice', text: 'welcome to the server' });
    expect(line('no colon here')).toEqual({ type: 'notice', text: 'no colon here' });
    // Chat from a user named "* a" saying "b joined the room".
    expect(line('* a: b joined the room')).toEqual({ type: 'notice', text: 'a: b joined the room' });
    expect(line('')).toBeNull();
  });

  it('shows invalid UTF-8 with replacement characters instead of failing', () => {
    expect(d.decode(Uint8Array.of(0x61, 0x3a, 0x20, 0xc3))).toEqual({
      type: 'message',
      from: 'a',
      text: '\ufffd',
      seq: null,
    });
  });
});

describe('backoffDelay', () => {
  it('doubles from the base, caps at the maximum and stays within the jitter band', () => {
    const mid = { baseMs: 500, maxMs: 10_000, random: () => 0.5 };
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, mid))).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
    expect(backoffDelay(1, { ...mid, random: () => 0 })).toBe(400);
    expect(backoffDelay(1, { ...mid, random: () => 0.999999 })).toBe(600);
    expect(backoffDelay(100, { ...mid, random: () => 0.999999 })).toBe(10_000);
  });
});
