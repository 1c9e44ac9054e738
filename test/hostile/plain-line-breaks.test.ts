// Forged notices for plain clients (issue 15): a member sending "hi\n* host left the room" made a
// line-based plain client print a fake notice, and backspaces or escape sequences could rewrite the
// line itself. Text relayed to plain members is now one line with no terminal control; Tincan members
// still get the message as sent. Raw members on real sockets, on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8Encode } from '../../src-shared/protocol/index.js';
import { RawMember } from '../support/raw-udp.js';
import { FAST_OPTIONS, startServer, type TestServer } from '../support/server.js';
import { becomesTrue } from '../support/wait.js';

let srv: TestServer;
let host: RawMember;
let plainA: RawMember;
let plainB: RawMember;

/** Both ways a plain line can leave the server: native sendmmsg tables (Linux, built) and node:dgram. */
const SEND_PATHS = [
  { nativeUdp: true, path: 'native tables' },
  { nativeUdp: false, path: 'node:dgram' },
] as const;

const FORGED = 'hi\n* host left the room\r\n* the host closed the room\u2028x\u2029y';

describe.each(SEND_PATHS)('text relayed to plain clients ($path)', ({ nativeUdp }) => {
  beforeAll(async () => {
    srv = await startServer({ ...FAST_OPTIONS, nativeUdp });
    const at = { tcpPort: srv.tcpPort, udpPort: srv.udpPort, room: 'lines' };
    host = await RawMember.join({ ...at, username: 'host', create: true });
    plainA = await RawMember.join({ ...at, username: 'pa', tincan: false });
    plainB = await RawMember.join({ ...at, username: 'pb', tincan: false });
    // Everyone receives room traffic once the host has been told both joined.
    const joined = () => host.events.filter((e) => e.kind === 'joined').map((e) => (e.kind === 'joined' ? e.name : ''));
    expect(await becomesTrue(() => joined().includes('pa') && joined().includes('pb'), { timeoutMs: 5000 })).toBe(true);
  });
  afterAll(async () => {
    for (const m of [host, plainA, plainB]) m?.close();
    await srv?.close();
  });

  it('is one line: each line break becomes "↵", in one datagram', async () => {
    const before = plainA.texts.length;
    await host.chat(1, FORGED);
    expect(await becomesTrue(() => plainA.texts.length > before, { timeoutMs: 5000 })).toBe(true);
    const got = plainA.texts.slice(before);
    expect(got).toEqual(['host: hi↵* host left the room↵* the host closed the room↵x↵y']);
    expect(got[0]).not.toMatch(/[\r\n\u2028\u2029]/u);
  });

  it('from a plain sender too; a trailing newline (netcat) is dropped; Tincan members get it as sent', async () => {
    const beforeB = plainB.texts.length;
    const beforeHost = host.chats().length;
    await plainA.sendRaw(utf8Encode('one\ntwo\n'));
    expect(
      await becomesTrue(() => plainB.texts.length > beforeB && host.chats().length > beforeHost, { timeoutMs: 5000 }),
    ).toBe(true);
    expect(plainB.texts.slice(beforeB)).toEqual(['pa: one↵two']);
    expect(host.chats().at(-1)).toMatchObject({ sender: 'pa', text: 'one\ntwo\n' });
  });

  it('holds for long texts too, with breaks far from the start', async () => {
    const before = plainA.texts.length;
    const long = `${'x'.repeat(1000)}\u2029* the host closed the room`;
    await host.chat(3, long);
    expect(await becomesTrue(() => plainA.texts.length > before, { timeoutMs: 5000 })).toBe(true);
    expect(plainA.texts.slice(before)).toEqual([`host: ${'x'.repeat(1000)}↵* the host closed the room`]);
  });

  it('has no terminal controls either: backspaces and escapes cannot rewrite the line', async () => {
    const before = plainA.texts.length;
    await host.chat(4, `${'\b'.repeat(6)}* the host closed the room\u001b[2K\u000b\u0085`);
    expect(await becomesTrue(() => plainA.texts.length > before, { timeoutMs: 5000 })).toBe(true);
    expect(plainA.texts.slice(before)).toEqual([`host: ${'\ufffd'.repeat(6)}* the host closed the room\ufffd[2K↵↵`]);
  });

  it('leaves single-line text byte for byte as before', async () => {
    const before = plainB.texts.length;
    await host.chat(2, 'plain: text – with € and 😀');
    expect(await becomesTrue(() => plainB.texts.length > before, { timeoutMs: 5000 })).toBe(true);
    expect(plainB.texts.slice(before)).toEqual(['host: plain: text – with € and 😀']);
  });
});
