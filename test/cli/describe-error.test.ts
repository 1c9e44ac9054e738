// The one-line messages for failed handshakes, built from the client's real error objects.
import { describe, expect, it } from 'vitest';
import { describeConnectError } from '../../src-cli/chat/describe-error.js';
import { HandshakeError } from '../../src-main/engine/client/errors.js';
import { Status } from '../../src-shared/protocol/index.js';

const target = { host: '::1', port: 7777, room: 'lobby', name: 'bob', mode: 'join' as const };

describe('describeConnectError', () => {
  it.each([
    [Status.ROOM_EXISTS, 'room "lobby" already exists on [::1]:7777; pick another name or join it'],
    [Status.NO_SUCH_ROOM, 'there is no room "lobby" on [::1]:7777'],
    [Status.WRONG_PASSWORD, 'wrong password for room "lobby"'],
    [
      Status.PASSWORD_REQUIRED,
      'room "lobby" needs a password: set TINCAN_PASSWORD, or type it when a terminal asks for it',
    ],
    [Status.NAME_TAKEN, 'the name "bob" is already taken in room "lobby"; pick another with --name'],
    [Status.ROOM_FULL, 'room "lobby" is full'],
    [Status.SERVER_FULL, 'the server at [::1]:7777 is full, try again later'],
    [
      Status.RATE_LIMITED,
      'the server at [::1]:7777 is refusing requests from this address for now (too many attempts: wrong passwords, new rooms or joins of missing rooms); wait a while and try again',
    ],
    [Status.BAD_REQUEST, 'the request was malformed (BAD_REQUEST)'],
  ])('status %i', (status, message) => {
    expect(describeConnectError(HandshakeError.fromStatus(status), target)).toBe(message);
  });

  it('names the socket failure behind an unreachable server', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(describeConnectError(HandshakeError.transport('UNREACHABLE', 'cannot connect', refused), target)).toBe(
      'cannot reach [::1]:7777 (connection refused); is a Tincan server running there?',
    );
    const unknownHost = Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    expect(
      describeConnectError(HandshakeError.transport('UNREACHABLE', 'cannot resolve "x"', unknownHost), target),
    ).toContain('(no such host)');
    expect(describeConnectError(HandshakeError.transport('UNREACHABLE', 'cannot resolve "x"'), target)).toContain(
      '(cannot resolve "x")',
    );
  });

  it('timeouts and protocol trouble', () => {
    expect(describeConnectError(HandshakeError.transport('TIMEOUT', 'no answer'), target)).toMatch(
      /^\[::1\]:7777 did not answer in time/,
    );
    expect(describeConnectError(HandshakeError.transport('PROTOCOL', 'bad frame'), target)).toBe(
      '[::1]:7777 does not speak the chat protocol: bad frame',
    );
  });

  it('anything else keeps its own message', () => {
    expect(describeConnectError(new Error('boom'), target)).toBe('boom');
    expect(describeConnectError('weird', target)).toBe('weird');
  });
});
