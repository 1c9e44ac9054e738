// Fuzz target for the sealed datagram decoders (PROTOCOL.md §8): the server's header check and
// opener, the client's SealedChannel and the ROOM_KEY parser. Inputs are genuine sealed datagrams,
// mutations of them, and noise. Nothing may throw, and nothing but an unmodified genuine datagram
// may ever open: a mutation that authenticates would be a forgery.
import {
  encodeRoomKeyMessage,
  parseRoomKeyMessage,
  SEALED_CLIENT_HEADER_BYTES,
  SEALED_CLIENT_PLAINTEXT_MAX,
  SEALED_SERVER_PLAINTEXT_MAX,
  SealedCipher,
  UDP_CLIENT_MAX_BYTES,
  UDP_SERVER_MAX_BYTES,
} from '../../src-shared/protocol/index.js';
import { SealedChannel } from '../../src-main/engine/client/sealed-channel.js';
import { checkClientHeader, sealClientDatagram } from '../../src-main/engine/sealed/client-datagram.js';
import { nodeCryptoBackend } from '../../src-main/engine/sealed/aead.js';
import { deriveMemberKeys } from '../../src-main/engine/sealed/direction-keys.js';
import { Opener, Sealer } from '../../src-main/engine/sealed/sealer.js';
import { sealServerDatagram } from '../../src-main/engine/sealed/server-datagram.js';
import type { FuzzTarget } from './codec-targets.js';
import { mutate, type Rng } from './random-bytes.js';

const SECRET = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff));
const SESSION = '00112233aabbccdd';
const keys = deriveMemberKeys(SECRET);

class Invariant extends Error {
  override name = 'InvariantViolation';
}

function assert(cond: boolean, what: string): void {
  if (!cond) throw new Invariant(what);
}

let clientSealer = new Sealer(SealedCipher.AES_256_GCM, keys.clientToServer, SEALED_CLIENT_PLAINTEXT_MAX);
let serverSealer = new Sealer(SealedCipher.AES_256_GCM, keys.serverToClient, SEALED_SERVER_PLAINTEXT_MAX);
/** The genuine datagram the last generate() sealed (returned as is, mutated, or replaced by noise). */
let genuine: Buffer | null = null;
let genuineMessage: Buffer | null = null;
const scratch = Buffer.alloc(UDP_SERVER_MAX_BYTES);

function message(rng: Rng): Buffer {
  if (rng.chance(0.2)) {
    return Buffer.from(
      encodeRoomKeyMessage({
        cipher: SealedCipher.AES_256_GCM,
        epoch: 1 + rng.int(9),
        key: rng.bytes(32),
        iv: rng.bytes(12),
      }),
    );
  }
  return Buffer.from(rng.bytes(rng.int(rng.chance(0.1) ? 4000 : 80)));
}

export const sealedDatagramTarget: FuzzTarget = {
  name: 'sealed-datagram',
  generate(rng) {
    if (clientSealer.used > 1_000_000) {
      clientSealer = new Sealer(SealedCipher.AES_256_GCM, keys.clientToServer, SEALED_CLIENT_PLAINTEXT_MAX);
      serverSealer = new Sealer(SealedCipher.AES_256_GCM, keys.serverToClient, SEALED_SERVER_PLAINTEXT_MAX);
    }
    const body = message(rng);
    const toServer = rng.chance(0.5);
    let sealed: Buffer | null;
    if (toServer) sealed = sealClientDatagram(clientSealer, Buffer.from(SESSION, 'hex'), body);
    else {
      const length = sealServerDatagram(serverSealer, 0, body, scratch);
      sealed = length < 0 ? null : Buffer.from(scratch.subarray(0, length));
    }
    genuine = sealed;
    genuineMessage = body;
    if (sealed !== null && rng.chance(0.3)) return sealed;
    if (sealed === null || rng.chance(0.1)) return rng.bytes(rng.int(200));
    return mutate(rng, sealed, UDP_CLIENT_MAX_BYTES);
  },
  check(input) {
    const bytes = Buffer.from(input);
    // A mutation may give back the very bytes it started from: those are genuine too.
    const isGenuine = genuine !== null && genuine.equals(bytes);
    let opened = false;
    // The server's side: header check, then a fresh opener (nothing seen yet) on the default AEAD
    // (the native one where it is built), and one on node:crypto that must decide the same.
    if (checkClientHeader(bytes, 0, bytes.length) === null) {
      const result = new Opener(SealedCipher.AES_256_GCM, keys.clientToServer).open(
        bytes,
        0,
        SEALED_CLIENT_HEADER_BYTES,
        bytes.length,
      );
      const reference = new Opener(SealedCipher.AES_256_GCM, keys.clientToServer, nodeCryptoBackend).open(
        bytes,
        0,
        SEALED_CLIENT_HEADER_BYTES,
        bytes.length,
      );
      assert(
        typeof result === 'string' ? result === reference : typeof reference !== 'string' && result.equals(reference),
        'the AEAD backends disagree',
      );
      if (typeof result !== 'string') {
        assert(isGenuine, 'a modified client datagram opened');
        assert(result.equals(genuineMessage as Buffer), 'a client datagram opened to other bytes');
        opened = true;
      }
    }
    // The client's side: a fresh channel holding no room key yet.
    const channel = new SealedChannel(SECRET, { session: SESSION, cipher: SealedCipher.AES_256_GCM, epoch: 0 });
    const result = channel.open(bytes);
    if (result !== null) {
      assert(isGenuine, 'a modified server datagram opened');
      if (result.kind === 'message') assert(result.message.equals(genuineMessage as Buffer), 'opened to other bytes');
      else assert(channel.epoch > 0, 'a ROOM_KEY answered without being taken');
      opened = true;
    }
    // The ROOM_KEY parser on the raw bytes too: what it accepts re-encodes to itself.
    const key = parseRoomKeyMessage(bytes);
    if (key !== null) assert(Buffer.from(encodeRoomKeyMessage(key)).equals(bytes), 'ROOM_KEY does not round-trip');
    assert(!isGenuine || opened, 'a genuine datagram did not open');
    return opened;
  },
};
