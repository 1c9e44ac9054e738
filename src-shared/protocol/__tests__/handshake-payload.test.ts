import { describe, expect, it } from 'vitest';
import {
  encodeRequestPayload,
  encodeSessionInfo,
  parseCompletionPayload,
  parseRequestPayload,
  parseStatusPayload,
} from '../handshake-payload.js';
import { chooseCipher } from '../cipher-offer.js';
import { utf8Encode } from '../utf8.js';

const req = (text: string) => parseRequestPayload(utf8Encode(text));

describe('request payload variants', () => {
  it('accepts a JSON object, ignoring extra fields', () => {
    expect(req('{"username":"alice","password":"pw","colour":"red"}')).toEqual({
      username: 'alice',
      password: 'pw',
      dialect: 0,
      resume: null,
    });
  });
  it('treats a missing or empty password as none', () => {
    expect(req('{"username":"alice"}')).toMatchObject({ password: '' });
    expect(req('{"username":"alice","password":""}')).toMatchObject({ password: '' });
  });
  it('accepts name/user and pass aliases', () => {
    expect(req('{"name":"a","pass":"p"}')).toMatchObject({ username: 'a', password: 'p' });
    expect(req('{"user":"b"}')).toMatchObject({ username: 'b' });
  });
  it('accepts a JSON string and plain text, trimming line breaks', () => {
    expect(req('"alice"')).toMatchObject({ username: 'alice', dialect: 0 });
    expect(req('alice\r\n')).toMatchObject({ username: 'alice', dialect: 0 });
    expect(req('"quoted name')).toMatchObject({ username: '"quoted name' });
  });
  it('reads the dialect offer and the resume token', () => {
    expect(req('{"username":"a","tincan":1,"resume":"XYZ"}')).toMatchObject({ dialect: 1, resume: 'XYZ' });
    expect(req('{"username":"a","tincan":7}')).toMatchObject({ dialect: 7 });
    expect(req('{"username":"a","tincan":null}')).toMatchObject({ dialect: 0 });
    // Anything but a positive integer is a mistake, never a silent plain session.
    for (const bad of ['"yes"', 'true', '"1"', '0', '-1', '1.5', '[1]'])
      expect(req(`{"username":"a","tincan":${bad}}`)).toBe('bad-dialect');
  });
  it('reads a cipher offer of a Tincan request, keeping unknown ids and naming a malformed one', () => {
    expect(req('{"username":"a","tincan":3,"ciphers":[2,9,1]}')).toMatchObject({ ciphers: { ids: [2, 9, 1] } });
    expect(req('{"username":"a","tincan":3}')).not.toHaveProperty('ciphers');
    // A plain request has no sealed datagrams: the field is not even read.
    expect(req('{"username":"a","ciphers":"x"}')).not.toHaveProperty('ciphers');
    const problems: [string, string][] = [
      ['"1"', 'not-a-list'],
      ['null', 'not-a-list'],
      ['{}', 'not-a-list'],
      ['[]', 'empty'],
      ['[1,2,3,4,5,6,7,8,9]', 'too-many'],
      ['[0]', 'bad-id'],
      ['[256]', 'bad-id'],
      ['[-1]', 'bad-id'],
      ['[2.5]', 'bad-id'],
      ['[true]', 'bad-id'],
      ['[1,1]', 'duplicate'],
    ];
    for (const [value, problem] of problems)
      expect(req(`{"username":"a","tincan":3,"ciphers":${value}}`)).toMatchObject({ ciphers: { problem } });
    expect(req('{"username":"a","tincan":3,"ciphers":[1,2,3,4,5,6,7,255]}')).toMatchObject({
      ciphers: { ids: [1, 2, 3, 4, 5, 6, 7, 255] },
    });
  });
  it('chooses the first supported cipher of an offer', () => {
    expect(chooseCipher([9, 2, 1])).toBe(2);
    expect(chooseCipher([1, 2])).toBe(1);
    expect(chooseCipher([7, 200])).toBeNull();
  });
  it('writes the offer of our client only with the dialect', () => {
    expect(new TextDecoder().decode(encodeRequestPayload({ username: 'a', dialect: 3, ciphers: [2, 1] }))).toBe(
      '{"username":"a","password":"","tincan":3,"ciphers":[2,1]}',
    );
    expect(new TextDecoder().decode(encodeRequestPayload({ username: 'a', ciphers: [2, 1] }))).toBe(
      '{"username":"a","password":""}',
    );
  });
  it('names each bad payload', () => {
    expect(parseRequestPayload(Uint8Array.of(0xc3, 0x28))).toBe('invalid-utf8');
    expect(req('{"username":')).toBe('bad-json');
    expect(req('[1,2]')).toMatchObject({ username: '[1,2]' }); // not an object: a plain name
    expect(req('{"password":"x"}')).toBe('no-username');
    expect(req('{"username":"a","password":5}')).toBe('bad-password');
    expect(req('{"username":"a","password":"' + 'x'.repeat(257) + '"}')).toBe('bad-password');
    expect(req('   ')).toBe('no-username');
  });
  it('round-trips what our client sends', () => {
    const bytes = encodeRequestPayload({ username: 'zoë', password: 'p', dialect: 1, resume: 'tok' });
    expect(parseRequestPayload(bytes)).toEqual({ username: 'zoë', password: 'p', dialect: 1, resume: 'tok' });
  });
});

describe('status payload', () => {
  it('reads one byte, digits, JSON and wide integers', () => {
    expect(parseStatusPayload(Uint8Array.of(3))).toBe(3);
    expect(parseStatusPayload(utf8Encode('12'))).toBe(12);
    expect(parseStatusPayload(utf8Encode('{"status":2}'))).toBe(2);
    expect(parseStatusPayload(Uint8Array.of(0, 0, 0, 4))).toBe(4);
    expect(parseStatusPayload(Uint8Array.of(0, 1))).toBe(1);
    expect(parseStatusPayload(new Uint8Array(0))).toBeNull();
    expect(parseStatusPayload(utf8Encode('nonsense'))).toBeNull();
  });
});

describe('completion payload', () => {
  it('reads a raw token from a plain server', () => {
    expect(parseCompletionPayload(utf8Encode('abc123'))).toEqual({ kind: 'plain', token: utf8Encode('abc123') });
    expect(parseCompletionPayload(new Uint8Array(0))).toBeNull();
    expect(parseCompletionPayload(new Uint8Array(256))).toBeNull();
  });
  it('reads the session info of a Tincan server', () => {
    const info = {
      tincan: 1,
      token: 'T'.repeat(32),
      role: 'host' as const,
      heartbeatMs: 5000,
      inactivityMs: 30000,
      maxTextBytes: 3800,
    };
    const parsed = parseCompletionPayload(encodeSessionInfo(info));
    expect(parsed).toEqual({ kind: 'tincan', token: utf8Encode(info.token), info });
  });
  it('treats a token that merely looks like JSON as a raw token', () => {
    expect(parseCompletionPayload(utf8Encode('{notjson'))).toMatchObject({ kind: 'plain' });
    expect(parseCompletionPayload(utf8Encode('{"token":"x"}'))).toMatchObject({ kind: 'plain' });
  });
});

describe('catch-up request fields', () => {
  it('sends "catchup" and a positive "since" only with the Tincan dialect', () => {
    const json = (p: Parameters<typeof encodeRequestPayload>[0]) =>
      JSON.parse(Buffer.from(encodeRequestPayload(p)).toString()) as Record<string, unknown>;
    expect(json({ username: 'a', dialect: 1, catchUp: { since: 0 } })).toMatchObject({ catchup: 1 });
    expect(json({ username: 'a', dialect: 1, catchUp: { since: 0 } })).not.toHaveProperty('since');
    expect(json({ username: 'a', dialect: 1, catchUp: { since: 9 } })).toMatchObject({ catchup: 1, since: 9 });
    expect(json({ username: 'a', dialect: 0, catchUp: { since: 9 } })).not.toHaveProperty('catchup');
  });

  it('parses them for a Tincan request and ignores them for a plain one or when malformed', () => {
    expect(req('{"username":"a","tincan":1,"catchup":1,"since":4}')).toMatchObject({ catchUp: { since: 4 } });
    expect(req('{"username":"a","tincan":1,"catchup":1}')).toMatchObject({ catchUp: { since: 0 } });
    expect(req('{"username":"a","tincan":1,"catchup":1,"since":-1}')).toMatchObject({ catchUp: { since: 0 } });
    expect(req('{"username":"a","catchup":1}')).not.toHaveProperty('catchUp');
    expect(req('{"username":"a","tincan":1,"catchup":true}')).not.toHaveProperty('catchUp');
  });
});

describe('catch-up size in the session info', () => {
  it('is read when a positive integer, ignored otherwise', () => {
    const info = (history: unknown) =>
      parseCompletionPayload(utf8Encode(JSON.stringify({ tincan: 1, token: 't', role: 'member', history })));
    expect(info(100)).toMatchObject({ info: { history: 100 } });
    for (const bad of [0, -1, 1.5, '100', null]) expect(info(bad)).not.toHaveProperty('info.history');
  });
});
