// Fuzz targets for the text rules of issue 15: the name rule (what it accepts can spoof no one) and
// the plain-dialect line-break substitution (what it writes is one line of valid UTF-8 that fits).
import {
  checkUsername,
  forPlainMembers,
  needsPlainRewrite,
  nameKey,
  USERNAME_MAX_BYTES,
  utf8ByteLength,
  utf8Encode,
  writeForPlainMembers,
} from '../../src-shared/protocol/index.js';
import type { FuzzTarget } from './codec-targets.js';
import type { Rng } from './random-bytes.js';

/** Pieces attackers and ordinary users put in names and messages. */
const PIECES = [
  'a',
  'B',
  'é',
  'e\u0301',
  'ß',
  'ǅ',
  'Ａ',
  'а',
  'ο',
  '中',
  'ש',
  '😀',
  '❤',
  '\ufe0f',
  '\u200d',
  '🏽',
  ' ',
  '*',
  ':',
  ': ',
  '\u202e',
  '\u2066',
  '\u200b',
  '\u2060',
  '\ufeff',
  '\u00ad',
  '\u2800',
  '\n',
  '\r',
  '\r\n',
  '\u2028',
  '\u2029',
  '\u0000',
  '\u0085',
  '\t',
  '\b',
  '\u000b',
  '\u000c',
  '\u001b[2K',
  '\u007f',
  '\u009b',
  '—',
  '↵',
  '\u{e0041}',
];

function text(rng: Rng, maxPieces: number): string {
  let s = '';
  const n = 1 + rng.int(maxPieces);
  for (let i = 0; i < n; i++) s += rng.pick(PIECES);
  return s;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// eslint-disable-next-line no-control-regex -- the invariant is about control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
const BIDI_OR_ZERO_WIDTH = /[\u202a-\u202e\u2066-\u2069\u200b\u200c\u200e\u200f\u2060\ufeff\u00ad\u2800]/u;

class Invariant extends Error {
  override name = 'InvariantViolation';
}

function assert(cond: boolean, what: string): void {
  if (!cond) throw new Invariant(what);
}

export const nameRuleTarget: FuzzTarget = {
  name: 'name-rule',
  generate: (rng) => utf8Encode(text(rng, 6)),
  check(input) {
    const name = decoder.decode(input);
    if (checkUsername(name) !== null) return false;
    assert(utf8ByteLength(name) <= USERNAME_MAX_BYTES, 'accepted name too long');
    assert(!CONTROL.test(name), 'accepted a control character or line break');
    assert(!BIDI_OR_ZERO_WIDTH.test(name), 'accepted a bidi or invisible character');
    assert(!name.startsWith('*') && !name.includes(': '), 'accepted a notice-forging name');
    const key = nameKey(name);
    assert(nameKey(key) === key, 'nameKey not idempotent');
    assert(nameKey(name.toUpperCase()) === key || nameKey(name.toLowerCase()) === key, 'nameKey not case-blind');
    return true;
  },
};

export const plainLineTarget: FuzzTarget = {
  name: 'plain-line-breaks',
  generate: (rng) => utf8Encode(text(rng, 40)),
  check(input, rng) {
    const room = rng.int(input.length * 3 + 4);
    const out = new Uint8Array(room + 8).fill(0xaa);
    const end = writeForPlainMembers(input, 0, input.length, out, 4, 4 + room);
    assert(end >= 4 && end <= 4 + room, 'wrote outside the room given');
    assert(out[4 + room] === 0xaa, 'wrote past the end');
    const line = decoder.decode(out.subarray(4, end));
    // eslint-disable-next-line no-control-regex -- spotting control characters is the point
    assert(!/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/u.test(line), 'a line break or control survived');
    const whole = forPlainMembers(decoder.decode(input));
    assert(whole.startsWith(line), 'not a prefix of the string form');
    if (room >= utf8ByteLength(whole)) assert(line === whole, 'cut although it fits');
    return needsPlainRewrite(input, 0, input.length);
  },
};
