// The native generator's sealed datagrams (bench/native/gen_sealed.c), on real loopback sockets
// against a stand-in server. Receiving: datagrams sealed by the engine's own Sealer; the C side must
// open the genuine one, refuse a tampered one and a replay, and leave what it holds no key for
// (another epoch, the member's own key) to JS, untouched. Sending: what the paced sender seals with
// a session's lent counters must open with the engine's Opener, and it must stop at the loan's end.
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { nowMicros } from '../../bench/clock.js';
import { writeStamp, STAMP_DIGITS } from '../../bench/gen/chat-text.js';
import {
  loadNativeGenUdp,
  RAW_RECORD_HEADER,
  SEALING_RECORD_BYTES,
  SENDER_META_INTS,
  writeSealingRecord,
  type NativeGenUdp,
} from '../../bench/gen/native-udp.js';
import { sealServerDatagram } from '../../src-main/engine/sealed/server-datagram.js';
import { Opener, Sealer } from '../../src-main/engine/sealed/sealer.js';
import {
  CHAT_EVENT_HEADER_BYTES,
  ClientKind,
  CONTROL_MARKER,
  SEALED_CLIENT_HEADER_BYTES,
  SEALED_CLIENT_MARKER,
  SEALED_CLIENT_PLAINTEXT_MAX,
  SEALED_LENGTH_BYTES,
  SEALED_SERVER_PLAINTEXT_MAX,
  SealedCipher,
  ServerKind,
  UDP_SERVER_MAX_BYTES,
  encodeChatEvent,
  paddedLength,
  type SealedCipherId,
} from '../../src-shared/protocol/index.js';
import { waitUntil } from '../support/wait.js';

const loaded = loadNativeGenUdp();
const native = typeof loaded === 'string' ? null : loaded;
const withSetRoomKey = native?.setRoomKey !== undefined;

let server: Socket | null = null;
let memberFd = -1;
afterEach(async () => {
  if (native && memberFd >= 0) native.closeSocket(memberFd);
  memberFd = -1;
  native?.stopReceiver();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

/** A server CHAT event whose text starts with a bench stamp taken now. */
function chatEvent(seq: number): Uint8Array {
  const text = Buffer.alloc(STAMP_DIGITS + 10, 0x2e);
  writeStamp(text, 0, nowMicros());
  text[STAMP_DIGITS] = 0x20;
  return encodeChatEvent(seq, Buffer.from('alice'), text);
}

function seal(sealer: Sealer, epoch: number, message: Uint8Array): Buffer {
  const out = Buffer.alloc(UDP_SERVER_MAX_BYTES);
  const length = sealServerDatagram(sealer, epoch, message, out);
  return Buffer.from(out.subarray(0, length));
}

/** The datagrams kept for JS, as [fd, bytes]. */
function takeRaw(gen: NativeGenUdp): Array<[number, Buffer]> {
  const blob = gen.takeRaw();
  const out: Array<[number, Buffer]> = [];
  for (let at = 0; at + RAW_RECORD_HEADER <= blob.length;) {
    const fd = blob.readInt32LE(at);
    const length = blob.readUInt32LE(at + 4);
    out.push([fd, Buffer.from(blob.subarray(at + RAW_RECORD_HEADER, at + RAW_RECORD_HEADER + length))]);
    at += RAW_RECORD_HEADER + length;
  }
  return out;
}

/** Starts the receiver in raw mode with an open window, and binds the stand-in server's socket. */
async function receiving(gen: NativeGenUdp): Promise<Socket> {
  gen.startReceiver(CONTROL_MARKER, ServerKind.CHAT, ServerKind.ACK, CHAT_EVENT_HEADER_BYTES, 0, 1 << 20);
  gen.setWindow(nowMicros() - 1_000_000, nowMicros() + 60_000_000);
  return standInServer();
}

async function standInServer(): Promise<Socket> {
  const srv = createSocket('udp4');
  server = srv;
  await new Promise<void>((resolve) => srv.bind(0, '127.0.0.1', resolve));
  return srv;
}

describe.skipIf(!withSetRoomKey)('native generator: sealed datagrams', () => {
  it.each([SealedCipher.AES_256_GCM, SealedCipher.CHACHA20_POLY1305] as SealedCipherId[])(
    'opens what its room key seals and refuses tampering and replays (cipher %i)',
    async (cipher) => {
      const gen = native as NativeGenUdp;
      const srv = await receiving(gen);
      const [fd, port] = gen.open('127.0.0.1', '127.0.0.1', srv.address().port, 1 << 20);
      memberFd = fd;
      const send = (bytes: Buffer): Promise<void> =>
        new Promise((resolve, reject) => srv.send(bytes, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));

      const roomKey = { key: randomBytes(32), iv: randomBytes(12) };
      const room = new Sealer(cipher, roomKey, SEALED_SERVER_PLAINTEXT_MAX);
      gen.setRoomKey?.(fd, cipher, 3, roomKey.key, roomKey.iv);

      const genuine = seal(room, 3, chatEvent(1));
      const tampered = seal(room, 3, chatEvent(2));
      tampered[tampered.length - 20] = (tampered[tampered.length - 20] as number) ^ 0x01;
      const nextEpoch = seal(
        new Sealer(cipher, { key: randomBytes(32), iv: randomBytes(12) }, SEALED_SERVER_PLAINTEXT_MAX),
        4,
        chatEvent(3),
      );
      const ownKey = seal(
        new Sealer(cipher, { key: randomBytes(32), iv: randomBytes(12) }, SEALED_SERVER_PLAINTEXT_MAX),
        0,
        chatEvent(4),
      );
      for (const d of [genuine, tampered, genuine, nextEpoch, ownKey]) await send(d);

      const raw: Array<[number, Buffer]> = [];
      await waitUntil(
        () => {
          raw.push(...takeRaw(gen));
          const s = gen.takeStats();
          return (s.sealedOpened ?? 0) + (s.sealedRefused ?? 0) === 3 && raw.length === 2;
        },
        { what: 'five datagrams opened, refused or kept' },
      );
      const stats = gen.takeStats();
      expect(stats.sealedOpened).toBe(1);
      expect(stats.sealedRefused).toBe(2); // the flipped bit, then the same counter again
      expect(stats.received).toBe(1); // the genuine CHAT, counted with its latency
      expect(stats.unknown).toBe(0);
      expect(stats.latency.length).toBe(2);
      // What it holds no key for reaches JS exactly as it arrived.
      expect(raw).toEqual([
        [fd, nextEpoch],
        [fd, ownKey],
      ]);
    },
  );

  it('opens every member’s copy of one room datagram, and still refuses a tampered copy and a replay', async () => {
    // Sockets that hold one room key share it: a copy byte-identical to a datagram already opened is
    // taken as opened. A copy that differs in one bit must still be refused, and each socket keeps
    // its own replay window.
    const gen = native as NativeGenUdp;
    const srv = await receiving(gen);
    const roomKey = { key: randomBytes(32), iv: randomBytes(12) };
    const members = [0, 1, 2].map(() => gen.open('127.0.0.1', '127.0.0.1', srv.address().port, 1 << 20));
    try {
      for (const [fd] of members) gen.setRoomKey?.(fd, SealedCipher.AES_256_GCM, 5, roomKey.key, roomKey.iv);
      const genuine = seal(new Sealer(SealedCipher.AES_256_GCM, roomKey, SEALED_SERVER_PLAINTEXT_MAX), 5, chatEvent(1));
      const tampered = Buffer.from(genuine);
      tampered[tampered.length - 20] = (tampered[tampered.length - 20] as number) ^ 0x01;
      const [a, b, c] = members.map(([, port]) => port) as [number, number, number];
      const send = (bytes: Buffer, port: number): Promise<void> =>
        new Promise((resolve, reject) => srv.send(bytes, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
      // One at a time, each handled before the next is sent: the order is the point. Each with what
      // it must come to.
      const sent: Array<[Buffer, number, 'opened' | 'refused']> = [
        [genuine, a, 'opened'],
        [genuine, b, 'opened'], // the same bytes as a's: shared
        [tampered, c, 'refused'], // one bit off the bytes the key opened
        [genuine, c, 'opened'],
        [genuine, a, 'refused'], // a's second copy: a replay for a
      ];
      const outcomes: string[] = [];
      let handled = 0;
      for (const [bytes, port] of sent) {
        await send(bytes, port);
        let now = { opened: 0, refused: 0 };
        await waitUntil(
          () => {
            const s = gen.takeStats();
            now = { opened: s.sealedOpened ?? 0, refused: s.sealedRefused ?? 0 };
            return now.opened + now.refused === handled + 1;
          },
          { what: `datagram ${handled + 1} handled` },
        );
        outcomes.push(now.opened > outcomes.filter((o) => o === 'opened').length ? 'opened' : 'refused');
        handled++;
      }
      expect(outcomes).toEqual(sent.map(([, , outcome]) => outcome));
      const stats = gen.takeStats();
      expect(stats.received).toBe(3); // three CHATs, each counted with its latency
      expect(stats.unknown).toBe(0);
      expect(takeRaw(gen)).toEqual([]);
    } finally {
      for (const [fd] of members) gen.closeSocket(fd);
    }
  });

  it('forgets a socket’s key when the socket closes, so a reused descriptor opens nothing', async () => {
    const gen = native as NativeGenUdp;
    const srv = await receiving(gen);
    const roomKey = { key: randomBytes(32), iv: randomBytes(12) };
    const [first] = gen.open('127.0.0.1', '127.0.0.1', srv.address().port, 1 << 20);
    gen.setRoomKey?.(first, SealedCipher.AES_256_GCM, 1, roomKey.key, roomKey.iv);
    gen.closeSocket(first);
    const [fd, port] = gen.open('127.0.0.1', '127.0.0.1', srv.address().port, 1 << 20);
    memberFd = fd;
    expect(fd).toBe(first); // the lowest free descriptor: the same number again
    const datagram = seal(new Sealer(SealedCipher.AES_256_GCM, roomKey, SEALED_SERVER_PLAINTEXT_MAX), 1, chatEvent(1));
    await new Promise<void>((resolve, reject) =>
      srv.send(datagram, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
    );
    const raw: Array<[number, Buffer]> = [];
    await waitUntil(() => raw.push(...takeRaw(gen)) > 0, { what: 'the datagram kept for JS' });
    expect(raw).toEqual([[fd, datagram]]);
    expect(gen.takeStats().sealedOpened).toBe(0);
  });

  it('seals chat with the counters a session lent, the engine opens it, and it stops when they run out', async () => {
    const gen = native as NativeGenUdp;
    const srv = await standInServer();
    const got: Buffer[] = [];
    srv.on('message', (m) => got.push(m));
    const [fd] = gen.open('127.0.0.1', '127.0.0.1', srv.address().port, 1 << 20);
    memberFd = fd;

    // A Tincan CHAT as an encrypted member's plaintext: FF 04, id (4), then the stamped text.
    const message = Buffer.concat([
      Buffer.from([CONTROL_MARKER, ClientKind.CHAT, 0, 0, 0, 0]),
      Buffer.alloc(STAMP_DIGITS + 9, 0x78),
    ]);
    message[6 + STAMP_DIGITS] = 0x20;
    const key = { key: randomBytes(32), iv: randomBytes(12) };
    const sessionId = randomBytes(8);
    const sealing = Buffer.alloc(SEALING_RECORD_BYTES);
    const padded = paddedLength(message.length, SEALED_CLIENT_PLAINTEXT_MAX);
    writeSealingRecord(sealing, 0, { cipher: SealedCipher.AES_256_GCM, padded, first: 7, count: 4, ...key, sessionId });
    const meta = new Int32Array(SENDER_META_INTS);
    meta.set([fd, 0, message.length, 6, 2, 2, 41]);
    const startAt = nowMicros() + 20_000;
    // 400 sends a second for 50 ms: ~20 due, but only 4 counters lent.
    gen.startSender(message, meta, 400, startAt, startAt, startAt + 50_000, startAt + 50_000, sealing);
    await waitUntil(() => got.length >= 4, { what: 'four sealed datagrams at the server' });
    const counts = gen.stopSender();
    expect(counts.errors).toBe(counts.sent - 4); // every send after the loan ran out was refused
    expect(got.length).toBe(4);

    const opener = new Opener(SealedCipher.AES_256_GCM, key);
    got.forEach((datagram, i) => {
      expect(datagram[0]).toBe(SEALED_CLIENT_MARKER);
      expect(datagram.subarray(2, 10)).toEqual(sessionId);
      expect(Number(datagram.readBigUInt64BE(10))).toBe(7 + i); // the lent counters, in order
      expect(datagram.length).toBe(SEALED_CLIENT_HEADER_BYTES + padded + 16);
      const length = opener.openInPlace(datagram, 0, SEALED_CLIENT_HEADER_BYTES, datagram.length);
      expect(length).toBe(message.length);
      const opened = datagram.subarray(
        SEALED_CLIENT_HEADER_BYTES + SEALED_LENGTH_BYTES,
        SEALED_CLIENT_HEADER_BYTES + SEALED_LENGTH_BYTES + message.length,
      );
      expect(opened.readUInt32BE(2)).toBe(42 + i); // CHAT ids go on from the one given
      expect(opened.subarray(6, 6 + STAMP_DIGITS).toString()).toMatch(/^\d{14}$/);
      expect(opened.subarray(6 + STAMP_DIGITS)).toEqual(message.subarray(6 + STAMP_DIGITS));
    });
  });
});
