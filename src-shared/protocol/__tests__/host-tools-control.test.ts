// The host-tools and typing datagrams (PROTOCOL.md §2b): exact bytes, and refusal of malformed ones.
import { describe, expect, it } from 'vitest';
import {
  decodeClientControl,
  decodeServerEvent,
  encodeClientControl,
  encodeLeftEvent,
  encodeRemovedEvent,
  encodeTypingEvent,
} from '../control.js';
import { LeftReason } from '../left-reasons.js';
import { PASSWORD_MAX_BYTES } from '../limits.js';
import {
  parseCompletionPayload,
  parseRequestPayload,
  encodeRequestPayload,
  encodeSessionInfo,
} from '../handshake-payload.js';
import { utf8Encode } from '../utf8.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('host tools, client → server', () => {
  it('KICK is FF 06 nameLen name', () => {
    const bytes = encodeClientControl({ kind: 'kick', name: 'bob' });
    expect(hex(bytes)).toBe('ff0603626f62');
    expect(decodeClientControl(bytes)).toEqual({ kind: 'kick', name: 'bob' });
  });

  it('refuses a KICK with no name, a short or long name length, or bad UTF-8', () => {
    expect(decodeClientControl(Uint8Array.of(0xff, 0x06, 0))).toBeNull();
    expect(decodeClientControl(Uint8Array.of(0xff, 0x06, 4, 0x62, 0x6f, 0x62))).toBeNull();
    expect(decodeClientControl(Uint8Array.of(0xff, 0x06, 2, 0x62, 0x6f, 0x62))).toBeNull();
    expect(decodeClientControl(Uint8Array.of(0xff, 0x06, 1, 0xc3))).toBeNull();
  });

  it('SET_PASSWORD is FF 07 id password, empty clears', () => {
    const bytes = encodeClientControl({ kind: 'set-password', id: 9, password: 'pw' });
    expect(hex(bytes)).toBe('ff07000000097077');
    expect(decodeClientControl(bytes)).toEqual({ kind: 'set-password', id: 9, password: 'pw' });
    expect(decodeClientControl(encodeClientControl({ kind: 'set-password', id: 1, password: '' }))).toEqual({
      kind: 'set-password',
      id: 1,
      password: '',
    });
  });

  it('refuses a SET_PASSWORD without its id, over the password limit or with bad UTF-8', () => {
    expect(decodeClientControl(Uint8Array.of(0xff, 0x07, 0, 0, 1))).toBeNull();
    const long = new Uint8Array(6 + PASSWORD_MAX_BYTES + 1).fill(0x61);
    long.set([0xff, 0x07, 0, 0, 0, 1]);
    expect(decodeClientControl(long)).toBeNull();
    expect(decodeClientControl(Uint8Array.of(0xff, 0x07, 0, 0, 0, 1, 0xc3))).toBeNull();
    expect(() => encodeClientControl({ kind: 'set-password', id: 1, password: 'x'.repeat(257) })).toThrow(RangeError);
  });

  it('TYPING is FF 08 and nothing more', () => {
    expect(hex(encodeClientControl({ kind: 'typing' }))).toBe('ff08');
    expect(decodeClientControl(Uint8Array.of(0xff, 0x08))).toEqual({ kind: 'typing' });
    expect(decodeClientControl(Uint8Array.of(0xff, 0x08, 0))).toBeNull();
  });
});

describe('host tools, server → client', () => {
  it('REMOVED is FF 8B', () => {
    expect(hex(encodeRemovedEvent())).toBe('ff8b');
    expect(decodeServerEvent(encodeRemovedEvent())).toEqual({ kind: 'removed' });
    expect(decodeServerEvent(Uint8Array.of(0xff, 0x8b, 0))).toBeNull();
  });

  it('TYPING is FF 8C nameLen name', () => {
    expect(hex(encodeTypingEvent('alice'))).toBe('ff8c05616c696365');
    expect(decodeServerEvent(encodeTypingEvent('alice'))).toEqual({ kind: 'typing', name: 'alice' });
    expect(decodeServerEvent(Uint8Array.of(0xff, 0x8c, 0))).toBeNull();
    expect(decodeServerEvent(Uint8Array.of(0xff, 0x8c, 3, 0x61))).toBeNull();
  });

  it('LEFT carries the new reason "removed" (3)', () => {
    const bytes = encodeLeftEvent('bob', LeftReason.REMOVED);
    expect(hex(bytes)).toBe('ff840303626f62');
    expect(decodeServerEvent(bytes)).toEqual({ kind: 'left', name: 'bob', reason: 3 });
    expect(decodeServerEvent(Uint8Array.of(0xff, 0x84, 4, 1, 0x61))).toBeNull();
  });
});

describe('typing capability in the handshake', () => {
  it('is asked with "typing":1 by a Tincan request only', () => {
    const asked = parseRequestPayload(encodeRequestPayload({ username: 'a', dialect: 1, typing: true }));
    expect(asked).toMatchObject({ dialect: 1, typing: true });
    expect(parseRequestPayload(utf8Encode('{"username":"a","typing":1}'))).not.toHaveProperty('typing');
    expect(parseRequestPayload(utf8Encode('{"username":"a","tincan":1,"typing":true}'))).not.toHaveProperty('typing');
  });

  it('is granted with "typing":true in the session info', () => {
    const info = { tincan: 1, token: 't', role: 'member', heartbeatMs: 1, inactivityMs: 2, maxTextBytes: 3 } as const;
    const granted = parseCompletionPayload(encodeSessionInfo({ ...info, typing: true }));
    expect(granted?.kind === 'tincan' && granted.info.typing).toBe(true);
    const silent = parseCompletionPayload(encodeSessionInfo(info));
    expect(silent?.kind === 'tincan' && silent.info.typing).toBeUndefined();
  });
});
