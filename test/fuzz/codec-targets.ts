// Fuzz targets for the pure codecs. Each target turns one random input into a verdict: it must not
// throw anything unexpected, and what it decodes must satisfy the invariants the server relies on
// (bounded buffers, offsets inside the datagram, decode∘encode∘decode = decode).
import {
  decodeClientControl,
  decodeServerEvent,
  encodeAckEvent,
  encodeChatEvent,
  encodeHistoryEntry,
  encodeHistoryEndEvent,
  encodeClientControl,
  encodeClientDatagram,
  encodeClosedEvent,
  encodeErrorEvent,
  encodeChatErrorEvent,
  REQUEST_PROBLEMS,
  CIPHER_OFFER_MAX,
  CIPHER_OFFER_PROBLEMS,
  encodeReconnectedEvent,
  encodeFrame,
  encodeJoinedEvent,
  encodeLeftEvent,
  encodeMembersEvents,
  encodePongEvent,
  encodeRemovedEvent,
  encodeRequestPayload,
  encodeTypingEvent,
  parseClientDatagram,
  parseCompletionPayload,
  parseRequestPayload,
  parseStatusPayload,
  PASSWORD_MAX_BYTES,
  ROOM_NAME_MAX_BYTES,
  type ServerEvent,
  TCRP_HEADER_BYTES,
  TcrpDecodeError,
  TcrpDecoder,
  TOKEN_MAX_BYTES,
  UDP_CLIENT_MAX_BYTES,
  utf8ByteLength,
  utf8Encode,
} from '../../src-shared/protocol/index.js';
import { mutate, type Rng } from './random-bytes.js';
import { pcpAnswerTarget, stunAnswerTarget } from './gateway-targets.js';
import { linkRuleTarget } from './link-targets.js';
import { nameRuleTarget, plainLineTarget } from './text-rule-targets.js';
import { sealedDatagramTarget } from './sealed-targets.js';
import { fingerprintTarget, transportDetectTarget } from './transport-targets.js';

export interface FuzzTarget {
  name: string;
  /** Makes one input from the random source. */
  generate(rng: Rng): Uint8Array;
  /**
   * Runs the code under test; throws (an Error naming the broken invariant) on a finding. Returns
   * whether the input was accepted as valid, so a report can show the fuzzer reaches both paths.
   */
  check(input: Uint8Array, rng: Rng): boolean;
}

class Invariant extends Error {
  override name = 'InvariantViolation';
}

function assert(cond: boolean, what: string): void {
  if (!cond) throw new Invariant(what);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

// ---- TCRP stream decoder ---------------------------------------------------------------------

const CAP = 300;

function seedFrame(rng: Rng): Uint8Array {
  const room = utf8Encode(rng.pick(['lobby', 'a', 'x'.repeat(28), 'ruum-ü', '']));
  const payload = rng.chance(0.5)
    ? encodeRequestPayload({
        username: rng.pick(['bob', 'ä', '']),
        password: rng.pick(['', 'pw']),
        dialect: rng.int(2),
      })
    : rng.bytes(rng.length(CAP + 2));
  return encodeFrame({ operation: rng.int(4), state: rng.int(4), room, payload });
}

export const tcrpDecoderTarget: FuzzTarget = {
  name: 'tcrp-decoder',
  generate(rng) {
    if (rng.chance(0.15)) return rng.bytes(rng.length(600));
    const frames: Uint8Array[] = [];
    const n = 1 + rng.int(3);
    for (let i = 0; i < n; i++) frames.push(rng.chance(0.6) ? mutate(rng, seedFrame(rng), 700) : seedFrame(rng));
    return Buffer.concat(frames);
  },
  check(input, rng) {
    const decoder = new TcrpDecoder({ maxPayloadBytes: CAP });
    let at = 0;
    let decoded = 0;
    try {
      while (at < input.length) {
        const n = 1 + rng.int(64);
        const { frames, used } = decoder.push(input.subarray(at, at + n));
        assert(used <= n, 'decoder used more bytes than it was given');
        for (const f of frames) {
          decoded++;
          assert(f.room.length >= 1 && f.room.length <= ROOM_NAME_MAX_BYTES, `room of ${f.room.length} bytes accepted`);
          assert(f.payload.length <= CAP, `payload of ${f.payload.length} bytes over the cap accepted`);
          // What we decoded must encode back to a frame that decodes the same.
          const again = new TcrpDecoder({ maxPayloadBytes: CAP }).push(encodeFrame(f)).frames[0];
          assert(
            again !== undefined &&
              sameBytes(again.room, f.room) &&
              sameBytes(again.payload, f.payload) &&
              again.operation === f.operation &&
              again.state === f.state,
            'frame does not survive re-encoding',
          );
        }
        assert(
          decoder.pendingBytes <= TCRP_HEADER_BYTES + ROOM_NAME_MAX_BYTES + CAP,
          'decoder buffered past its bound',
        );
        at += n;
      }
    } catch (err) {
      if (!(err instanceof TcrpDecodeError)) throw err;
      assert(err.code === 'ROOM_NAME_SIZE' || err.code === 'PAYLOAD_TOO_LARGE', `unknown error code ${err.code}`);
      assert(err.header.length === TCRP_HEADER_BYTES, 'error header is not 32 bytes');
    }
    return decoded > 0;
  },
};

// ---- UDP client datagram ---------------------------------------------------------------------

function seedDatagram(rng: Rng): Uint8Array {
  const room = utf8Encode(rng.pick(['lobby', 'r', 'y'.repeat(28)]));
  const token = rng.bytes(1 + rng.int(64));
  const msgLen = Math.min(rng.length(4096), 4096 - 2 - room.length - token.length);
  return encodeClientDatagram(room, token, rng.bytes(Math.max(0, msgLen)));
}

export const udpDatagramTarget: FuzzTarget = {
  name: 'udp-datagram',
  generate(rng) {
    if (rng.chance(0.2)) return rng.bytes(rng.length(UDP_CLIENT_MAX_BYTES + 2));
    return mutate(rng, seedDatagram(rng), UDP_CLIENT_MAX_BYTES + 8);
  },
  check(input) {
    const view = parseClientDatagram(input);
    if (typeof view === 'string') {
      assert(
        ['too-short', 'too-large', 'room-size', 'token-size', 'truncated'].includes(view),
        `unknown problem ${view}`,
      );
      if (input.length > UDP_CLIENT_MAX_BYTES) assert(view === 'too-large', 'oversized datagram not named too-large');
      return false;
    }
    assert(input.length <= UDP_CLIENT_MAX_BYTES, 'oversized datagram accepted');
    const { roomStart, roomEnd, tokenStart, tokenEnd, messageStart } = view;
    assert(roomStart === 2 && roomStart < roomEnd && roomEnd === tokenStart, 'room offsets out of order');
    assert(
      tokenStart < tokenEnd && tokenEnd === messageStart && messageStart <= input.length,
      'offsets past the datagram',
    );
    assert(roomEnd - roomStart <= ROOM_NAME_MAX_BYTES, 'room too long accepted');
    const rebuilt = encodeClientDatagram(
      input.subarray(roomStart, roomEnd),
      input.subarray(tokenStart, tokenEnd),
      input.subarray(messageStart),
    );
    assert(sameBytes(rebuilt, input), 'datagram does not re-encode to the same bytes');
    return true;
  },
};

// ---- structured datagrams --------------------------------------------------------------------

function reencodeServerEvent(ev: ServerEvent): Uint8Array[] {
  switch (ev.kind) {
    case 'chat':
      return [encodeChatEvent(ev.seq, utf8Encode(ev.sender), utf8Encode(ev.text))];
    case 'joined':
      return [encodeJoinedEvent(ev.name, ev.host, ev.plain)];
    case 'left':
      return [encodeLeftEvent(ev.name, ev.reason)];
    case 'closed':
      return [encodeClosedEvent(ev.reason)];
    case 'pong':
      return [encodePongEvent(ev.nonce)];
    case 'ack':
      return [encodeAckEvent(ev.id, ev.seq)];
    case 'error':
      return [encodeErrorEvent(ev.code, ev.message)];
    case 'chat-error':
      return [encodeChatErrorEvent(ev.id, ev.code, ev.message)];
    case 'reconnected':
      return [encodeReconnectedEvent(ev.name, ev.plain === undefined ? undefined : { host: false, plain: ev.plain })];
    case 'members':
      return encodeMembersEvents(ev.members, 1 << 20);
    case 'history':
      return [encodeHistoryEntry(ev.seq, ev.at, utf8Encode(ev.sender), utf8Encode(ev.text))];
    case 'history-end':
      return [encodeHistoryEndEvent(ev.count)];
    case 'removed':
      return [encodeRemovedEvent()];
    case 'typing':
      return [encodeTypingEvent(ev.name)];
  }
}

function seedControl(rng: Rng): Uint8Array {
  switch (rng.int(12)) {
    case 0:
      return encodeClientControl({ kind: 'chat', id: rng.u32(), text: rng.bytes(rng.length(100)) });
    case 9:
      return encodeClientControl({ kind: 'kick', name: 'bob' });
    case 10:
      return encodeClientControl({ kind: 'set-password', id: rng.u32(), password: 'sésame' });
    case 11:
      return encodeTypingEvent('alice');
    case 1:
      return encodeClientControl({ kind: 'heartbeat', nonce: rng.u32() });
    case 2:
      return encodeChatEvent(rng.u32(), utf8Encode('alice'), utf8Encode('hi there'));
    case 3:
      return encodeMembersEvents(
        [
          { name: 'a', host: true },
          { name: 'bé', host: false, plain: true },
        ],
        4094,
      )[0] as Uint8Array;
    case 4:
      return encodeLeftEvent('bob', 1);
    case 5:
      return encodeAckEvent(rng.u32(), rng.u32());
    case 6:
      return encodeErrorEvent(rng.int(5), 'nope');
    case 7:
      return Uint8Array.of(0xff, rng.int(256));
    default:
      return encodeClosedEvent(rng.int(4) as 0 | 1 | 2 | 3);
  }
}

export const controlTarget: FuzzTarget = {
  name: 'control-decoders',
  generate(rng) {
    if (rng.chance(0.2)) {
      const b = rng.bytes(rng.length(200));
      if (b.length > 0 && rng.chance(0.8)) b[0] = 0xff;
      return b;
    }
    return mutate(rng, seedControl(rng), 4096);
  },
  check(input) {
    const client = decodeClientControl(input);
    if (client !== null) {
      assert(input[0] === 0xff, 'control accepted without the 0xFF marker');
      assert(
        sameBytes(encodeClientControl(client), input),
        `client ${client.kind} does not re-encode to the same bytes`,
      );
    }
    // Version 2 reads member bytes as host-only and RECONNECTED without one; version 3 with bits.
    let decoded = false;
    for (const version of [2, 3]) {
      const server = decodeServerEvent(input, version);
      if (server === null) continue;
      decoded = true;
      const first = reencodeServerEvent(server).map((b) => decodeServerEvent(b, version))[0] ?? null;
      if (first === null || first.kind !== server.kind)
        throw new Invariant(`${server.kind} does not survive re-encoding (version ${version})`);
      if (server.kind === 'members' && first.kind === 'members') {
        assert(JSON.stringify(first.members) === JSON.stringify(server.members), 'members differ after re-encoding');
      } else if (server.kind !== 'error') {
        // ERROR truncates long messages on encode; everything else must come back identical.
        assert(JSON.stringify(first) === JSON.stringify(server), `${server.kind} differs after re-encoding`);
      }
    }
    return client !== null || decoded;
  },
};

// ---- TCRP payloads ---------------------------------------------------------------------------

function seedRequest(rng: Rng): Uint8Array {
  switch (rng.int(7)) {
    case 0:
      return encodeRequestPayload({ username: 'alice', password: 'secret', dialect: 1, resume: 'A'.repeat(32) });
    case 1:
      return utf8Encode('"bob"');
    case 2:
      return utf8Encode('  carol\r\n');
    case 3:
      return utf8Encode('{"name":"d","pass":"p","tincan":1}');
    case 4:
      return utf8Encode(`{"username":"e","password":"${'p'.repeat(256)}"}`);
    case 5:
      return utf8Encode('{"username":"f","tincan":3,"ciphers":[2,1,255]}');
    default:
      return utf8Encode('{"user":null,"password":5}');
  }
}

export const requestPayloadTarget: FuzzTarget = {
  name: 'request-payload',
  generate(rng) {
    if (rng.chance(0.15)) return rng.bytes(rng.length(400));
    return mutate(rng, seedRequest(rng), 1024);
  },
  check(input) {
    const req = parseRequestPayload(input);
    if (typeof req === 'string') {
      assert((REQUEST_PROBLEMS as readonly string[]).includes(req), `unknown problem ${req}`);
    } else {
      assert(typeof req.username === 'string' && typeof req.password === 'string', 'non-string name or password');
      assert(utf8ByteLength(req.password) <= PASSWORD_MAX_BYTES, 'password over the limit accepted');
      assert(Number.isInteger(req.dialect) && req.dialect >= 0, 'bad dialect number');
      assert(req.resume === null || typeof req.resume === 'string', 'bad resume field');
      const offered = req.ciphers && 'ids' in req.ciphers ? req.ciphers.ids : null;
      if (req.ciphers && 'problem' in req.ciphers)
        assert(CIPHER_OFFER_PROBLEMS.includes(req.ciphers.problem), `unknown cipher problem ${req.ciphers.problem}`);
      if (offered !== null)
        assert(
          offered.length >= 1 &&
            offered.length <= CIPHER_OFFER_MAX &&
            new Set(offered).size === offered.length &&
            offered.every((id) => Number.isInteger(id) && id >= 1 && id <= 255),
          'malformed cipher offer accepted',
        );
      const again = parseRequestPayload(encodeRequestPayload({ ...req, ciphers: offered }));
      assert(
        typeof again !== 'string' &&
          again.username === req.username &&
          again.password === req.password &&
          again.dialect === req.dialect &&
          again.resume === (req.resume === '' ? null : req.resume) &&
          (offered === null ||
            (again.ciphers !== undefined && JSON.stringify(again.ciphers) === JSON.stringify({ ids: offered }))),
        'request does not survive our own encoding',
      );
    }
    return typeof req !== 'string';
  },
};

// ---- reply payloads, as the client reads them from any server -----------------------------------

function seedReply(rng: Rng): Uint8Array {
  switch (rng.int(6)) {
    case 0:
      return Uint8Array.of(rng.int(13));
    case 1:
      return utf8Encode(rng.pick(['7', '{"status":3}', '{"code":1}', '  12 ']));
    case 2:
      return rng.bytes(1 + rng.int(40)); // a raw token
    case 3:
      return utf8Encode(
        JSON.stringify({
          tincan: 1,
          token: 'A'.repeat(32),
          role: 'host',
          heartbeatMs: 10_000,
          inactivityMs: 60_000,
          maxTextBytes: 3800,
        }),
      );
    case 4:
      // Multi-byte characters: few characters, many bytes.
      return utf8Encode(JSON.stringify({ tincan: 1, token: 'é'.repeat(100 + rng.int(156)), role: 'member' }));
    default:
      return utf8Encode(JSON.stringify({ tincan: 1, token: 'x'.repeat(250 + rng.int(10)), heartbeatMs: -1 }));
  }
}

export const replyPayloadTarget: FuzzTarget = {
  name: 'reply-payloads',
  generate(rng) {
    if (rng.chance(0.15)) return rng.bytes(rng.length(400));
    return mutate(rng, seedReply(rng), 1024);
  },
  check(input) {
    const status = parseStatusPayload(input);
    assert(status === null || Number.isInteger(status), 'status is not an integer');
    const completion = parseCompletionPayload(input);
    if (completion === null) return false;
    // Whatever token the client adopts goes into every datagram behind a 1-byte TokenSize.
    assert(
      completion.token.length >= 1 && completion.token.length <= TOKEN_MAX_BYTES,
      `token of ${completion.token.length} bytes cannot fit the TokenSize byte`,
    );
    if (completion.kind === 'tincan') {
      const { heartbeatMs, inactivityMs, maxTextBytes } = completion.info;
      assert(
        [heartbeatMs, inactivityMs, maxTextBytes].every((v) => Number.isFinite(v) && v > 0),
        'non-positive session timing',
      );
    }
    return true;
  },
};

export const CODEC_TARGETS: readonly FuzzTarget[] = [
  tcrpDecoderTarget,
  udpDatagramTarget,
  controlTarget,
  requestPayloadTarget,
  replyPayloadTarget,
  nameRuleTarget,
  plainLineTarget,
  linkRuleTarget,
  sealedDatagramTarget,
  transportDetectTarget,
  fingerprintTarget,
  pcpAnswerTarget,
  stunAnswerTarget,
];

export interface TargetReport {
  name: string;
  inputs: number;
  /** Inputs the code under test accepted as valid (the rest it refused cleanly). */
  accepted: number;
  /** Every input that broke an invariant or threw. */
  findingCount: number;
  /** The first input of each distinct problem (numbers stripped), at most 10. */
  findings: { index: number; error: string; input: string }[];
  ms: number;
}

/** Runs `iterations` inputs through one target, seeded; keeps one sample (hex) per distinct problem. */
export function runTarget(target: FuzzTarget, rng: Rng, iterations: number, deadline = Infinity): TargetReport {
  const started = Date.now();
  const findings: TargetReport['findings'] = [];
  const seen = new Set<string>();
  let findingCount = 0;
  let i = 0;
  let accepted = 0;
  for (; i < iterations; i++) {
    if ((i & 1023) === 0 && Date.now() > deadline) break;
    const input = target.generate(rng);
    try {
      if (target.check(input, rng)) accepted++;
    } catch (err) {
      findingCount++;
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      const kind = error.replace(/\d+/g, 'N');
      if (!seen.has(kind) && findings.length < 10) {
        seen.add(kind);
        findings.push({ index: i, error, input: Buffer.from(input).toString('hex').slice(0, 160) });
      }
    }
  }
  return { name: target.name, inputs: i, accepted, findingCount, findings, ms: Date.now() - started };
}
