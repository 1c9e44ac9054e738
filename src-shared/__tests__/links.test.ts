import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { confirmLinkText, describeLink, externalLinkProblem, splitLinks } from '../links.js';

describe('splitLinks', () => {
  it('makes http(s) links clickable and leaves the rest plain', () => {
    expect(splitLinks('see https://example.com/a?b=1, then http://x.example.')).toEqual([
      { text: 'see ', url: null },
      { text: 'https://example.com/a?b=1', url: 'https://example.com/a?b=1' },
      { text: ', then ', url: null },
      { text: 'http://x.example', url: 'http://x.example' },
      { text: '.', url: null },
    ]);
    expect(splitLinks('no links here')).toEqual([{ text: 'no links here', url: null }]);
  });

  it('shows a link with a bidi control as plain text (the issue 15 attack)', () => {
    const text = 'get https://evil.example/\u202Efdp.exe.moc.elgoog now';
    expect(splitLinks(text)).toEqual([{ text, url: null }]);
  });

  it.each([
    '\u200B',
    '\u200C',
    '\u200D',
    '\u200E',
    '\u200F',
    '\u2060',
    '\uFEFF',
    '\u2066',
    '\u2069',
    '\u061C',
    '\u00AD',
  ])('shows a link with invisible character %# as plain text', (ch) => {
    const text = `https://goo${ch}gle.com/x`;
    expect(splitLinks(text).every((p) => p.url === null)).toBe(true);
    expect(
      splitLinks(`a ${text} b`)
        .map((p) => p.text)
        .join(''),
    ).toBe(`a ${text} b`);
  });

  it('keeps the clean links of a message that also has a deceptive one', () => {
    const parts = splitLinks('https://ok.example/ and https://bad.example/\u202Ex');
    expect(parts.filter((p) => p.url).map((p) => p.url)).toEqual(['https://ok.example/']);
    expect(parts.map((p) => p.text).join('')).toBe('https://ok.example/ and https://bad.example/\u202Ex');
  });

  it('never loses text and never offers a deceptive link (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ maxLength: 20 }), (a, b) => {
        const text = `${a} https://${b}.example/${a} ${b}`;
        const parts = splitLinks(text);
        expect(parts.map((p) => p.text).join('')).toBe(text);
        for (const p of parts) if (p.url) expect(externalLinkProblem(p.url)).toBeNull();
      }),
    );
  });
});

describe('externalLinkProblem (scheme allowlist)', () => {
  it('allows http, https and mailto only', () => {
    expect(externalLinkProblem('https://example.com/')).toBeNull();
    expect(externalLinkProblem('http://example.com/')).toBeNull();
    expect(externalLinkProblem('mailto:ana@example.com')).toBeNull();
    for (const bad of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'tincan://join?v=1',
      'data:text/html,x',
      'smb://h/s',
    ])
      expect(externalLinkProblem(bad)).toBe('scheme');
    expect(externalLinkProblem('nonsense')).toBe('invalid');
  });

  it('refuses invisible characters the URL parser would silently drop', () => {
    // new URL() removes U+200B from a host name: checking the parsed URL alone would miss it.
    expect(new URL('https://goo\u200Bgle.com/').host).toBe('google.com');
    expect(externalLinkProblem('https://goo\u200Bgle.com/')).toBe('deceptive');
    expect(externalLinkProblem('https://x.example/\u202Eab')).toBe('deceptive');
    expect(externalLinkProblem('https://x.example/\nab')).toBe('deceptive');
  });
});

describe('describeLink (what the confirmation shows)', () => {
  it('shows the host in punycode and the path percent-encoded', () => {
    expect(describeLink('https://bücher.example/straße?q=ü#top')).toEqual({
      scheme: 'https:',
      host: 'xn--bcher-kva.example',
      path: '/stra%C3%9Fe?q=%C3%BC#top',
      href: 'https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%BC#top',
    });
    // A Cyrillic "а" in "аpple" is not Latin "a": punycode makes that visible.
    expect(describeLink('https://\u0430pple.com/')?.host).toBe('xn--pple-43d.com');
  });

  it('names the real host when a user name tries to look like one', () => {
    const link = describeLink('https://google.com@evil.example/login');
    expect(link?.host).toBe('evil.example');
    expect(confirmLinkText(link!)).toBe('Site: evil.example\nAddress: https://google.com@evil.example/login');
  });

  it('is ASCII only, for every link it accepts (property)', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (url) => {
        const link = describeLink(url);
        if (link) expect(confirmLinkText(link)).toMatch(/^[\x20-\x7e\n]*$/);
      }),
    );
  });

  it('describes mail links by address and refuses what may not be opened', () => {
    const mail = describeLink('mailto:ana@example.com');
    expect(mail).toMatchObject({ scheme: 'mailto:', host: '', path: 'ana@example.com' });
    expect(confirmLinkText(mail!)).toBe('Mail to: ana@example.com\nAddress: mailto:ana@example.com');
    expect(describeLink('file:///etc/passwd')).toBeNull();
    expect(describeLink('https://evil.example/\u202Efdp.exe')).toBeNull();
  });
});
