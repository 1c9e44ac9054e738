// Drives a live server's sealed-datagram path (PROTOCOL.md §8) in a room of two sealed members and a
// plain one: random bodies sealed for real (so the fuzz reaches control decoding and relaying behind
// the AEAD), real datagrams with bytes mutated, replays, and random bytes behind the 0xFE marker, all
// from the right source address. Room keys may rotate meanwhile (the caller's messagesPerRoomKey).
// Invariants: the members stay; each sealed member opens everything the server sends it (a drop at
// the client means the server sent something unsealed, under a key it never gave, or twice); the
// plain member gets valid UTF-8 of at most 4094 bytes; a chat still goes round afterwards.
import {
  encodeClientDatagram,
  encodeKeyAck,
  SEALED_CLIENT_HEADER_BYTES,
  SEALED_CLIENT_MARKER,
  UDP_SERVER_MAX_BYTES,
  utf8Encode,
} from '../../src-shared/protocol/index.js';
import { RawMember } from '../support/raw-udp.js';
import { SealedPeer, type UdpSecrets } from '../support/sealed-peer.js';
import { letTimePass, waitUntil } from '../support/wait.js';
import { mutate, type Rng } from './random-bytes.js';
import { body, checkOutgoing } from './relay-fuzz.js';

/** sealed: sealed for real; mutated: sealed, then changed; replayed: the last sealed one again; random: 0xFE and noise; plain: from the plain member. */
export const SEALED_FUZZ_KINDS = ['sealed', 'mutated', 'replayed', 'random', 'plain'] as const;
export type SealedFuzzKind = (typeof SEALED_FUZZ_KINDS)[number];

export interface SealedRelayFuzzOptions {
  /** The server's TCP and UDP port (one number, as SealedPeer assumes). */
  port: number;
  /** The table the server was started with (`udpSecretForTests: secrets.lookup`). */
  secrets: UdpSecrets;
  datagrams: number;
  room: string;
  members: () => number;
}

export interface SealedRelayFuzzReport {
  /** Datagrams sent, per kind (a body too large to seal is skipped, not sent). */
  kinds: Record<SealedFuzzKind, number>;
  /** Datagrams the members received from the server. */
  received: number;
  findings: string[];
  ms: number;
}

/** A body for a sealed member: the relay fuzz's, or now and then a KEY_ACK (sealed members only). */
function sealedBody(rng: Rng, peer: SealedPeer): Uint8Array {
  if (!rng.chance(0.05)) return body(rng);
  // Only epochs the peer holds (or far beyond any): acknowledging the next one before its ROOM_KEY
  // arrived would make the server seal to a key the peer lacks, a fault of ours, not the server's.
  return encodeKeyAck(rng.pick([0, peer.channel.epoch, Math.max(0, peer.channel.epoch - 1), 0x80000000 + rng.int(9)]));
}

/** 0xFE and random bytes; half the time behind a real cipher id and session id, to reach the opener. */
function randomSealed(rng: Rng, peers: readonly SealedPeer[]): Uint8Array {
  const bytes = rng.bytes(Math.max(1, rng.length(4200)));
  bytes[0] = SEALED_CLIENT_MARKER;
  if (bytes.length >= SEALED_CLIENT_HEADER_BYTES && rng.chance(0.5)) {
    const peer = rng.pick(peers);
    bytes[1] = peer.channel.info.cipher;
    bytes.set(Buffer.from(peer.channel.info.session, 'hex'), 2);
  }
  return bytes;
}

export async function fuzzSealedRelay(opts: SealedRelayFuzzOptions, rng: Rng): Promise<SealedRelayFuzzReport> {
  const started = Date.now();
  const { port, secrets, room } = opts;
  const host = await SealedPeer.join(port, secrets, room, 'fz-host', true);
  const sealedMember = await SealedPeer.join(port, secrets, room, 'fz-sealed').catch((err: unknown) => {
    host.close();
    throw err;
  });
  const peers = [host, sealedMember];
  const plain = await RawMember.join({ tcpPort: port, udpPort: port, room, username: 'fz-plain', tincan: false }).catch(
    (err: unknown) => {
      for (const p of peers) p.close();
      throw err;
    },
  );
  const kinds: SealedRelayFuzzReport['kinds'] = { sealed: 0, mutated: 0, replayed: 0, random: 0, plain: 0 };
  const findings: string[] = [];
  const roomBytes = utf8Encode(room);
  const plainToken = Buffer.from(plain.token, 'latin1');
  try {
    await waitUntil(() => host.events.some((e) => e.kind === 'joined' && e.name === 'fz-plain'), {
      what: "fz-plain's endpoint is known",
    });
    let lastSealed: { from: SealedPeer; datagram: Buffer } | null = null;
    for (let i = 0; i < opts.datagrams; i++) {
      const from = rng.pick(peers);
      const r = rng.int(20);
      if (r < 8 || (r < 12 && lastSealed === null)) {
        // seal() says null when a body cannot fit: skipped, as a client would never send it.
        const datagram = from.channel.seal(sealedBody(rng, from));
        if (datagram === null) continue;
        await from.probe.sendRaw(datagram, port);
        lastSealed = { from, datagram };
        kinds.sealed++;
      } else if (r < 12) {
        const datagram = from.channel.seal(body(rng));
        if (datagram === null) continue;
        await from.probe.sendRaw(mutate(rng, datagram, 4200), port);
        kinds.mutated++;
      } else if (r < 14 && lastSealed !== null) {
        await lastSealed.from.probe.sendRaw(lastSealed.datagram, port);
        kinds.replayed++;
      } else if (r < 17) {
        const sender = rng.chance(0.2) ? plain.probe : from.probe;
        await sender.sendRaw(randomSealed(rng, peers), port);
        kinds.random++;
      } else {
        const message = body(rng);
        const fits = Math.min(message.length, 4096 - 2 - roomBytes.length - plainToken.length);
        await plain.probe.sendRaw(encodeClientDatagram(roomBytes, plainToken, message.subarray(0, fits)), port);
        kinds.plain++;
      }
      if (i % 200 === 199) await letTimePass(5, "let the members' receive buffers drain");
    }
    await letTimePass(200, 'let the last relays arrive before checking');

    // The relay must still carry a sealed chat to both kinds of member.
    try {
      await host.chat(0xfffffff0, 'after the fuzz');
      await waitUntil(
        () => sealedMember.chats().includes('after the fuzz') && plain.texts.includes('fz-host: after the fuzz'),
        { what: 'a chat after the fuzz to reach fz-sealed and fz-plain' },
      );
    } catch (err) {
      findings.push((err as Error).message);
    }

    let received = 0;
    for (const peer of peers) {
      received += peer.probe.received.length;
      const name = peer === host ? 'fz-host' : 'fz-sealed';
      for (const d of peer.probe.received)
        if (d.length > UDP_SERVER_MAX_BYTES && findings.length < 20)
          findings.push(`to ${name}: server sent ${d.length} bytes (> ${UDP_SERVER_MAX_BYTES})`);
      const drops = Object.entries(peer.channel.drops).filter(([, n]) => n > 0);
      if (drops.length > 0) findings.push(`${name} could not open what the server sent: ${JSON.stringify(drops)}`);
    }
    for (const d of plain.probe.received) {
      received++;
      const problem = checkOutgoing(d, false);
      if (problem && findings.length < 20) findings.push(`to fz-plain: ${problem}`);
    }
    if (opts.members() !== 3) findings.push(`members after the fuzz: ${opts.members()} (expected 3)`);
    return { kinds, received, findings, ms: Date.now() - started };
  } finally {
    for (const p of peers) {
      try {
        await p.leave();
      } catch {
        // a key too worn to seal LEAVE: closing the socket is enough for a test
      }
      p.close();
    }
    await plain.leave();
    plain.close();
  }
}
