import { describe, expect, it } from 'vitest';
import { readInvite } from '../read-invite.js';

describe('readInvite', () => {
  it('reads a bare link', () => {
    expect(readInvite('tincan://join?v=1&host=[fd00::5]&port=9000&room=my%20room')).toEqual({
      kind: 'prefill',
      prefill: { address: '[fd00::5]:9000', room: 'my room', fingerprint: null },
    });
  });

  it('reads the whole invite text by its link', () => {
    const invite = [
      'Join my Tincan chat room "lobby".',
      'Host address: 192.168.1.5:7777',
      'Room: lobby',
      'Link: tincan://join?v=1&host=192.168.1.5&port=7777&room=lobby',
    ].join('\n');
    expect(readInvite(invite)).toEqual({
      kind: 'prefill',
      prefill: { address: '192.168.1.5:7777', room: 'lobby', fingerprint: null },
    });
  });

  it('reads an invite text without a link by its labelled lines', () => {
    const invite =
      'Join my Tincan chat room "a b".\r\nHost address: [fd00::5]:7777\r\nRoom: a b\r\nPassword: ask me for it';
    expect(readInvite(invite)).toEqual({
      kind: 'prefill',
      prefill: { address: '[fd00::5]:7777', room: 'a b', fingerprint: null },
    });
  });

  // encrypted transport (#16)
  it("carries the host's fingerprint from the link, or from the labelled line of an invite without one", () => {
    const fp = 'c0ffee'.repeat(10) + 'abcd';
    expect(readInvite(`tincan://join?v=1&host=h&port=1&room=r&fp=${fp}`)).toMatchObject({
      prefill: { fingerprint: fp },
    });
    const colons = fp.toUpperCase().match(/../g)?.join(':') ?? '';
    const invite = `Host address: 10.0.0.5:7777\nRoom: r\nHost fingerprint: ${colons}`;
    expect(readInvite(invite)).toMatchObject({ prefill: { address: '10.0.0.5:7777', fingerprint: fp } });
    expect(readInvite('Host address: 10.0.0.5:7777\nRoom: r\nHost fingerprint: 12ab')).toMatchObject({
      prefill: { fingerprint: null },
    });
  });

  it('says why a malformed link cannot be used', () => {
    const reading = readInvite('Link: tincan://join?host=h&port=0&room=r');
    expect(reading.kind).toBe('bad-link');
    if (reading.kind === 'bad-link') expect(reading.message).toContain('bad port in the link');
  });

  it('leaves ordinary text alone', () => {
    expect(readInvite('192.168.1.5:7777')).toEqual({ kind: 'none' });
    expect(readInvite('Room: lobby')).toEqual({ kind: 'none' });
    expect(readInvite('Host address: not an address at all\nRoom: r')).toEqual({ kind: 'none' });
    expect(readInvite(`Host address: h\nRoom: ${'x'.repeat(40)}`)).toEqual({ kind: 'none' });
  });
});

describe('readInvite with an address in URL dress', () => {
  it('fills the address from a scheme or a trailing slash', () => {
    expect(readInvite('tincan://192.168.1.5:7777')).toEqual({ kind: 'address', address: '192.168.1.5:7777' });
    expect(readInvite(' TINCAN://[fd00::5]:9000/ ')).toEqual({ kind: 'address', address: '[fd00::5]:9000' });
    expect(readInvite('http://192.168.1.5:7777/')).toEqual({ kind: 'address', address: '192.168.1.5:7777' });
    expect(readInvite('https://chat.example')).toEqual({ kind: 'address', address: 'chat.example' });
    expect(readInvite('192.168.1.5:7777/')).toEqual({ kind: 'address', address: '192.168.1.5:7777' });
  });

  it('refuses a web page address or a broken one, saying what a host address is', () => {
    const page = readInvite('http://127.0.0.1:5173/#token=abc');
    expect(page.kind).toBe('bad-link');
    if (page.kind === 'bad-link') expect(page.message).toContain('e.g. 192.168.1.5:7777');
    expect(readInvite('https://user@chat.example').kind).toBe('bad-link');
    const port = readInvite('tincan://192.168.1.5:99999');
    expect(port.kind).toBe('bad-link');
    if (port.kind === 'bad-link') expect(port.message).toContain('port out of range');
  });

  it('keeps a link that names an action strict', () => {
    expect(readInvite('tincan://join').kind).toBe('bad-link');
    expect(readInvite('tincan://join/?room=x').kind).toBe('bad-link');
  });

  it('leaves text that is only maybe an address alone', () => {
    expect(readInvite('lobby/')).toEqual({ kind: 'none' });
    expect(readInvite('a/b')).toEqual({ kind: 'none' });
    expect(readInvite('192.168.1.5:7777/x')).toEqual({ kind: 'none' });
    expect(readInvite('see http://x.example:1 now')).toEqual({ kind: 'none' });
  });
});
