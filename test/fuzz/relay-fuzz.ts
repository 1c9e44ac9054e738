// Drives a live server's UDP relay with random message bodies behind *valid* headers (real room, real
// token, right source address), so the fuzz reaches the code after authentication: control decoding,
// UTF-8 checks, relaying. Invariants: the members stay (nothing but LEAVE/CLOSE may remove them, and
// the generator never sends those), and every datagram the server sends back is well-formed: a
// decodable structured event for Tincan members, valid UTF-8 for plain ones, never over 4094 bytes.
// `body` and `checkOutgoing` are shared with the sealed relay fuzz (sealed-relay-fuzz.ts).
import {
  CONTROL_MARKER,
  decodeServerEvent,
  encodeClientControl,
  encodeClientDatagram,
  UDP_SERVER_MAX_BYTES,
  utf8DecodeStrict,
  utf8Encode,
} from '../../src-shared/protocol/index.js';
import { RawMember } from '../support/raw-udp.js';
import { letTimePass, waitUntil } from '../support/wait.js';
import { mutate, type Rng } from './random-bytes.js';

export interface RelayFuzzReport {
  datagrams: number;
  /** Datagrams the members received from the server. */
  received: number;
  findings: string[];
  ms: number;
}

const LEAVE_OR_CLOSE = new Set([0x03, 0x04]);

/** A random message body that never leaves or closes the room. */
export function body(rng: Rng): Uint8Array {
  let msg: Uint8Array;
  switch (rng.int(6)) {
    case 0:
      msg = rng.bytes(rng.length(3000));
      break;
    case 1:
      msg = utf8Encode(rng.pick(['hi', 'ünïcödé ✓', '🙂'.repeat(rng.int(300)), ' ', '\u0000\u0007']));
      break;
    case 2:
      msg = encodeClientControl({ kind: 'chat', id: rng.u32(), text: rng.bytes(rng.length(200)) });
      break;
    case 3:
      msg = encodeClientControl(rng.pick([{ kind: 'hello' }, { kind: 'heartbeat', nonce: rng.u32() }] as const));
      break;
    default:
      msg = mutate(rng, encodeClientControl({ kind: 'chat', id: 7, text: utf8Encode('mutant') }), 3500);
  }
  // Never the ways out of the room: those would end the run rather than test it.
  if (msg[0] === CONTROL_MARKER && msg.length >= 2 && LEAVE_OR_CLOSE.has(msg[1] as number)) msg[1] = 0x7e;
  if (msg[0] === 0x2f /* / */) msg[0] = 0x3f;
  return msg;
}

/** Checks one datagram the server sent to a member; returns a problem or null. */
export function checkOutgoing(bytes: Buffer, tincan: boolean): string | null {
  if (bytes.length > UDP_SERVER_MAX_BYTES) return `server sent ${bytes.length} bytes (> ${UDP_SERVER_MAX_BYTES})`;
  if (tincan && bytes[0] === CONTROL_MARKER) {
    return decodeServerEvent(bytes, 1) === null // its members offer version 1 (RawMember)
      ? `malformed structured datagram ${bytes.subarray(0, 16).toString('hex')}`
      : null;
  }
  return utf8DecodeStrict(bytes) === null ? `invalid UTF-8 sent to a ${tincan ? 'Tincan' : 'plain'} member` : null;
}

export async function fuzzRelay(
  opts: { tcpPort: number; udpPort: number; datagrams: number; room: string; members: () => number },
  rng: Rng,
): Promise<RelayFuzzReport> {
  const started = Date.now();
  const base = { tcpPort: opts.tcpPort, udpPort: opts.udpPort, room: opts.room };
  const members = [
    await RawMember.join({ ...base, username: 'fz-host', create: true }),
    await RawMember.join({ ...base, username: 'fz-tin' }),
    await RawMember.join({ ...base, username: 'fz-plain', tincan: false }),
  ];
  const findings: string[] = [];
  try {
    await waitUntil(() => members.some((m) => m.events.some((e) => e.kind === 'joined' && e.name === 'fz-plain')), {
      what: "fz-plain's endpoint is known",
    });
    const roomBytes = utf8Encode(opts.room);
    for (let i = 0; i < opts.datagrams; i++) {
      const from = rng.pick(members);
      const message = body(rng);
      const room = rng.chance(0.05) ? mutate(rng, roomBytes, 28) : roomBytes;
      const token = Buffer.from(from.token, 'latin1');
      const fits = Math.min(message.length, 4096 - 2 - room.length - token.length);
      if (room.length === 0) continue;
      await from.probe.sendRaw(encodeClientDatagram(room, token, message.subarray(0, fits)), opts.udpPort);
      if (i % 200 === 199) await letTimePass(5, "let the members' receive buffers drain");
    }
    await letTimePass(200, 'let the last relays arrive before counting');
    let received = 0;
    for (const m of members) {
      const tincan = (m.opts.tincan ?? true) !== false;
      for (const d of m.probe.received) {
        received++;
        const problem = checkOutgoing(d, tincan);
        if (problem && findings.length < 20) findings.push(`to ${m.opts.username}: ${problem}`);
      }
    }
    if (opts.members() !== 3) findings.push(`members after the fuzz: ${opts.members()} (expected 3)`);
    return { datagrams: opts.datagrams, received, findings, ms: Date.now() - started };
  } finally {
    for (const m of members) {
      await m.leave();
      m.close();
    }
  }
}
