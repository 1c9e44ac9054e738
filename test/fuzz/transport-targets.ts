// Fuzz targets for the encrypted transport's pure rules (PROTOCOL.md, "Encrypted transport"): the
// first-bytes detector never takes a TCRP request for TLS or the reverse, and the fingerprint
// parser yields only the canonical form, which parses to itself.
import {
  detectTransport,
  encodeFrame,
  encodeRequestPayload,
  parseFingerprint,
  utf8Encode,
} from '../../src-shared/protocol/index.js';
import type { FuzzTarget } from './codec-targets.js';
import { mutate, type Rng } from './random-bytes.js';

class Invariant extends Error {
  override name = 'InvariantViolation';
}

function assert(cond: boolean, what: string): void {
  if (!cond) throw new Invariant(what);
}

/** Real TCRP requests (every room-name size), ClientHello starts, and mutations of both. */
function firstBytes(rng: Rng): Uint8Array {
  const room = utf8Encode('r'.repeat(1 + rng.int(28)));
  const request = encodeFrame({
    operation: 1 + rng.int(2),
    state: 0,
    room,
    payload: encodeRequestPayload({ username: 'u', password: 'p', dialect: 1 }),
  });
  const hello = Uint8Array.of(0x16, 0x03, rng.int(5), ...rng.bytes(rng.int(40)));
  const seed = rng.chance(0.5) ? request : hello;
  const input = rng.chance(0.5) ? seed : mutate(rng, seed, 600);
  return input.subarray(0, rng.chance(0.2) ? rng.int(3) : input.length);
}

export const transportDetectTarget: FuzzTarget = {
  name: 'transport-detect',
  generate: firstBytes,
  check(input) {
    const kind = detectTransport(input);
    const tls = input.length >= 2 && input[0] === 0x16 && input[1] === 0x03;
    assert((kind === 'tls') === tls, 'TLS detected from anything but 16 03');
    assert(
      (kind === 'undecided') === (input.length === 0 || (input.length === 1 && input[0] === 0x16)),
      'undecided with enough bytes',
    );
    // A valid request's operation byte is 1 or 2, never 03: no request is ever taken for TLS.
    if (input.length >= 2 && (input[1] === 1 || input[1] === 2))
      assert(kind === 'tcrp', 'a TCRP request taken for TLS');
    return kind === 'tls';
  },
};

const HEX = '0123456789abcdefABCDEF:';

export const fingerprintTarget: FuzzTarget = {
  name: 'fingerprint',
  generate(rng) {
    const pairs = Array.from({ length: 32 }, () => rng.pick([...HEX]) + rng.pick([...HEX]));
    const text = rng.chance(0.5) ? pairs.join(':') : pairs.join('');
    return rng.chance(0.5) ? utf8Encode(text) : mutate(rng, utf8Encode(text), 200);
  },
  check(input) {
    const parsed = parseFingerprint(new TextDecoder().decode(input));
    if (parsed === null) return false;
    assert(/^[0-9a-f]{64}$/.test(parsed), 'a fingerprint not in canonical form');
    assert(parseFingerprint(parsed) === parsed, 'the canonical form does not parse to itself');
    return true;
  },
};
