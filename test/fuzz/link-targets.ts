// Fuzz target for the link rules of issue 15 (src-shared/links.ts): whatever a message holds, no
// link that could deceive becomes clickable, splitting never loses text, and what the confirmation
// shows is ASCII and is exactly what would be opened.
import { confirmLinkText, describeLink, externalLinkProblem, splitLinks } from '../../src-shared/links.js';
import { utf8Encode } from '../../src-shared/protocol/index.js';
import type { FuzzTarget } from './codec-targets.js';
import type { Rng } from './random-bytes.js';

/** Pieces of links attackers build: hosts, IDN, separators, bidi and invisible characters. */
const PIECES = [
  'https://',
  'http://',
  'mailto:',
  'file://',
  'javascript:',
  'example.com',
  'bücher.example',
  '\u0430pple.com',
  'google.com@',
  '/',
  '?q=',
  '#',
  '.',
  ')',
  ' ',
  'a',
  'exe',
  '%2e',
  ':8080',
  '[::1]',
  '\u202e',
  '\u2066',
  '\u200b',
  '\u200d',
  '\u2060',
  '\ufeff',
  '\u00ad',
  '\u061c',
  '\n',
  '\u0000',
  '\u3000',
  '😀',
];

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// eslint-disable-next-line no-control-regex -- the invariant is about control characters
const DECEPTIVE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff\u00ad\u061c]/u;

class Invariant extends Error {
  override name = 'InvariantViolation';
}

function assert(cond: boolean, what: string): void {
  if (!cond) throw new Invariant(what);
}

function text(rng: Rng): string {
  let s = '';
  const n = 1 + rng.int(12);
  for (let i = 0; i < n; i++) s += rng.pick(PIECES);
  return s;
}

export const linkRuleTarget: FuzzTarget = {
  name: 'link-rule',
  generate: (rng) => utf8Encode(text(rng)),
  check(input) {
    const message = decoder.decode(input);
    const parts = splitLinks(message);
    assert(parts.map((p) => p.text).join('') === message, 'splitting lost or changed text');
    let clickable = false;
    for (const part of parts) {
      if (part.url === null) continue;
      clickable = true;
      assert(part.url === part.text, 'a link opens something other than its text');
      assert(!DECEPTIVE.test(part.url), 'a link with a bidi or invisible character is clickable');
      assert(externalLinkProblem(part.url) === null, 'a clickable link may not be opened');
      const link = describeLink(part.url);
      assert(link !== null, 'a clickable link has no confirmation');
      assert(/^[\x20-\x7e\n]*$/.test(confirmLinkText(link!)), 'the confirmation is not plain ASCII');
      assert(new URL(link!.href).href === link!.href, 'the opened URL is not normalised');
    }
    return clickable;
  },
};
