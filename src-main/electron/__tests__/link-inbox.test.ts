// The link handling of the Electron shell, without Electron: what a cold start, a second instance
// and macOS open-url hand over, and when the renderer gets it.
import { describe, expect, it } from 'vitest';
import type { JoinLink } from '../../../src-shared/invite/join-link.js';
import { LinkInbox, findLinkArg, type OpenedLink } from '../link-inbox.js';

const LINK = 'tincan://join?v=1&host=192.168.1.5&port=7777&room=lobby';
const PARSED: JoinLink = { host: '192.168.1.5', port: 7777, room: 'lobby', fingerprint: null };

function inbox() {
  const rejected: string[] = [];
  const delivered: JoinLink[] = [];
  const refused: string[] = [];
  const box = new LinkInbox((message) => rejected.push(message));
  const take = (opened: OpenedLink) => ('link' in opened ? delivered.push(opened.link) : refused.push(opened.refused));
  return { box, rejected, delivered, refused, attach: () => box.attach(take) };
}

describe('findLinkArg', () => {
  it('finds the link wherever Chromium put it, never in argv[0]', () => {
    expect(findLinkArg(['/opt/Tincan/tincan', LINK])).toBe(LINK);
    expect(findLinkArg(['tincan.exe', '--allow-file-access-from-files', '--original-process-start-time=1', LINK])).toBe(
      LINK,
    );
    expect(findLinkArg(['electron', '/app/out/main/index.js', 'TINCAN://join?x'])).toBe('TINCAN://join?x');
    expect(findLinkArg(['tincan:weird-executable-name'])).toBeNull();
    expect(findLinkArg(['tincan', '--user-data-dir=/tmp/x'])).toBeNull();
  });
});

describe('LinkInbox', () => {
  it('holds a cold-start link until the renderer listens, then delivers it once', () => {
    const t = inbox();
    expect(t.box.receive(LINK)).toBe(true);
    expect(t.delivered).toEqual([]);
    t.attach();
    expect(t.delivered).toEqual([PARSED]);
    t.box.detach();
    t.attach();
    expect(t.delivered).toEqual([PARSED]);
  });

  it('delivers at once while attached (second instance, open-url), and holds again after detach', () => {
    const t = inbox();
    t.attach();
    t.box.receive(LINK);
    expect(t.delivered).toEqual([PARSED]);
    t.box.detach();
    t.box.receive('tincan://join?host=10.0.0.1&port=1&room=first');
    t.box.receive('tincan://join?host=10.0.0.2&port=2&room=latest');
    t.attach();
    expect(t.delivered.slice(1)).toEqual([{ host: '10.0.0.2', port: 2, room: 'latest', fingerprint: null }]);
  });

  it('refuses a malformed link: the reason is logged and handed over, no link is', () => {
    const t = inbox();
    t.attach();
    expect(t.box.receive('tincan://join?host=h&port=1&room=r&password=secret')).toBe(false);
    expect(t.box.receive('tincan://evil?x=1')).toBe(false);
    expect(t.delivered).toEqual([]);
    expect(t.rejected).toEqual([
      'ignored an invite link: the link has an unknown parameter "password"',
      'ignored an invite link: unknown link action "evil" (expected "join")',
    ]);
    expect(t.refused).toEqual([
      'the link has an unknown parameter "password"',
      'unknown link action "evil" (expected "join")',
    ]);
  });

  it('holds a refusal from a cold start like a link; the latest one wins', () => {
    const t = inbox();
    t.box.receive('tincan://join?host=h&port=0&room=r');
    t.attach();
    expect(t.refused).toEqual(['bad port in the link: "0" is not a whole number from 1 to 65535']);
    t.box.detach();
    t.box.receive('tincan://join?host=h&port=0&room=r');
    t.box.receive(LINK);
    t.attach();
    expect(t.delivered).toEqual([PARSED]);
    expect(t.refused).toHaveLength(1);
  });
});
