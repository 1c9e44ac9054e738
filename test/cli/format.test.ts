// Lines the CLI prints and what typed lines mean.
import { describe, expect, it } from 'vitest';
import { parseChatInput } from '../../src-cli/chat/input.js';
import {
  closedLine,
  isRoomClosed,
  joinedLine,
  leftLine,
  membersLine,
  encryptionLine,
  messageLine,
  noticeLine,
  safeText,
  stateLine,
} from '../../src-cli/chat/format.js';

describe('safeText', () => {
  it('keeps one event on one line and strips terminal escapes', () => {
    expect(safeText('a\nb\r\nc\td')).toBe('a b  c d');
    expect(safeText('\u001b[2Jgone')).toBe('\uFFFD[2Jgone');
    expect(safeText('x\u0085y\u2028z')).toBe('x y z');
    expect(safeText('héllo 👋')).toBe('héllo 👋');
  });

  it('applies to names and texts of messages and notices', () => {
    expect(messageLine('b\nob', 'hi\u0007')).toBe('b\uFFFDob: hi\uFFFD');
    expect(noticeLine('server\u001b says')).toBe('* server\uFFFD says');
    expect(noticeLine('* already a notice')).toBe('* already a notice');
  });
});

describe('event lines', () => {
  it('joins, leaves and closes', () => {
    expect(joinedLine({ name: 'bob', host: false })).toBe('* bob joined the room');
    expect(leftLine('bob', 'left')).toBe('* bob left the room');
    expect(leftLine('bob', 'timed-out')).toBe('* bob timed out');
    expect(leftLine('bob', 'reconnected')).toBe('* bob reconnected');
    expect(closedLine('by-host')).toBe('* room closed by the host');
    expect(isRoomClosed('host-left')).toBe(true);
    expect(isRoomClosed('server-shutdown')).toBe(true);
    expect(isRoomClosed('left')).toBe(false);
    expect(isRoomClosed('gave-up')).toBe(false);
  });

  it('marks the hidden characters of a name a spec server let through, so it cannot reorder its line', () => {
    expect(joinedLine({ name: '\u202eecila', host: false })).toBe('* \uFFFDecila joined the room');
    expect(leftLine('\u200b', 'left')).toBe('* \uFFFD left the room');
    expect(messageLine('bob\u2066', 'hi')).toBe('bob\uFFFD: hi');
    expect(joinedLine({ name: '👩\u200d💻 שלום', host: false })).toBe('* 👩\u200d💻 שלום joined the room');
  });

  it('reconnection states', () => {
    expect(stateLine('reconnecting', { attempt: 2 }, false)).toBe('* reconnecting (attempt 2)…');
    expect(stateLine('reconnecting', { attempt: 1, reason: 'the server is shutting down' }, false)).toBe(
      '* reconnecting (attempt 1)…: the server is shutting down',
    );
    expect(stateLine('connected', {}, true)).toBe('* reconnected');
    expect(stateLine('connected', {}, false)).toBeNull();
  });

  it('member list', () => {
    expect(
      membersLine([
        { name: 'al', host: true },
        { name: 'bob', host: false },
      ]),
    ).toBe('* 2 in the room: al (host), bob');
    expect(
      membersLine(
        [
          { name: 'al', host: true, plain: false },
          { name: 'bob', host: false, plain: true },
        ],
        true,
      ),
    ).toBe('* 2 in the room: al (host), bob (plain connection)');
    expect(joinedLine({ name: 'bob', host: false, plain: true }, true)).toBe(
      '* bob (plain connection) joined the room',
    );
    // On a plain connection of our own the whole room is in clear: no tag for each member.
    expect(joinedLine({ name: 'bob', host: false, plain: true }, false)).toBe('* bob joined the room');
  });

  it('encryption line: "Encrypted" only when every member is', () => {
    const all = [
      { name: 'al', host: true, plain: false },
      { name: 'bob', host: false, plain: false },
    ];
    expect(encryptionLine('tls', all)).toMatch(/^\* Encrypted: /);
    expect(encryptionLine('tls', [...all, { name: 'cy', host: false, plain: true }])).toBe(
      '* Not all encrypted: cy is on a plain connection: what the room says reaches them in clear.',
    );
    expect(encryptionLine('plain', all)).toMatch(/^\* Not encrypted: /);
  });
});

describe('parseChatInput', () => {
  it('text is sent as typed', () => {
    expect(parseChatInput('hello there ')).toEqual({ kind: 'send', text: 'hello there ' });
  });
  it('blank lines do nothing', () => {
    expect(parseChatInput('   ')).toEqual({ kind: 'nothing' });
  });
  it('commands, case-insensitive, with an escape for a leading slash', () => {
    expect(parseChatInput('/leave')).toEqual({ kind: 'command', command: 'leave' });
    expect(parseChatInput('/CLOSE')).toEqual({ kind: 'command', command: 'close' });
    expect(parseChatInput('/members now')).toEqual({ kind: 'command', command: 'members' });
    expect(parseChatInput('/help')).toEqual({ kind: 'command', command: 'help' });
    expect(parseChatInput('/shrug')).toEqual({ kind: 'unknown-command', command: '/shrug' });
    expect(parseChatInput('//leave is a word')).toEqual({ kind: 'send', text: '/leave is a word' });
  });
});
