// The client's SealedChannel against datagrams sealed as the server seals them: room keys taken only
// under the member's own key, old epochs honoured for a while and then refused.
import { describe, expect, it } from 'vitest';
import {
  encodeRoomKeyMessage,
  SEALED_SERVER_PLAINTEXT_MAX,
  SealedCipher,
  UDP_SERVER_MAX_BYTES,
} from '../../src-shared/protocol/index.js';
import { OLD_EPOCH_GRACE_MS, OPENED_REPLY, SealedChannel } from '../../src-main/engine/client/sealed-channel.js';
import { deriveMemberKeys } from '../../src-main/engine/sealed/direction-keys.js';
import { RoomKey } from '../../src-main/engine/sealed/room-key.js';
import { Sealer } from '../../src-main/engine/sealed/sealer.js';
import { sealServerDatagram } from '../../src-main/engine/sealed/server-datagram.js';

const secret = Buffer.alloc(64, 3);
const own = new Sealer(SealedCipher.AES_256_GCM, deriveMemberKeys(secret).serverToClient, SEALED_SERVER_PLAINTEXT_MAX);

function seal(sealer: Sealer, epoch: number, message: Uint8Array): Buffer {
  const out = Buffer.alloc(UDP_SERVER_MAX_BYTES);
  return out.subarray(0, sealServerDatagram(sealer, epoch, message, out));
}

describe('SealedChannel (client)', () => {
  it('takes room keys under its own key, acks each, and honours a replaced one only for the grace period', () => {
    let now = 1_000;
    const channel = new SealedChannel(
      secret,
      { session: '0011223344556677', cipher: SealedCipher.AES_256_GCM, epoch: 0 },
      () => now,
    );
    const one = new RoomKey(1, SealedCipher.AES_256_GCM);
    const two = new RoomKey(2, SealedCipher.AES_256_GCM);
    expect(channel.open(seal(one.sealer, 1, Buffer.from('early')))).toBeNull(); // no key yet
    expect(channel.open(seal(own, 0, one.message))?.kind).toBe('reply');
    expect(channel.epoch).toBe(1);
    const inFlight = seal(one.sealer, 1, Buffer.from('in flight'));
    const late = seal(one.sealer, 1, Buffer.from('too late'));
    expect(channel.open(seal(own, 0, two.message))?.kind).toBe('reply');
    expect(channel.epoch).toBe(2);
    now += OLD_EPOCH_GRACE_MS - 1;
    expect(channel.open(inFlight)).toEqual({ kind: 'message', message: Buffer.from('in flight') });
    now += 1;
    expect(channel.open(late)).toBeNull();
    expect(channel.drops['unknown-epoch']).toBe(2);
    expect(channel.open(seal(two.sealer, 2, Buffer.from('current')))).toEqual({
      kind: 'message',
      message: Buffer.from('current'),
    });
  });

  it('refuses a ROOM_KEY sealed under a room key: a fellow member cannot hand out keys', () => {
    const channel = new SealedChannel(secret, {
      session: '0011223344556677',
      cipher: SealedCipher.AES_256_GCM,
      epoch: 0,
    });
    const one = new RoomKey(1, SealedCipher.AES_256_GCM);
    expect(channel.open(seal(own, 0, one.message))?.kind).toBe('reply');
    const planted = encodeRoomKeyMessage({
      cipher: SealedCipher.AES_256_GCM,
      epoch: 9,
      key: Buffer.alloc(32, 1),
      iv: Buffer.alloc(12, 2),
    });
    const opened = channel.open(seal(one.sealer, 1, planted));
    expect(opened?.kind).toBe('message'); // just bytes, which the event decoder ignores
    expect(channel.epoch).toBe(1);
  });

  it('opens in place within a larger buffer, as the bench receiver does, and refuses a replay', () => {
    const channel = new SealedChannel(secret, {
      session: '0011223344556677',
      cipher: SealedCipher.AES_256_GCM,
      epoch: 0,
    });
    const one = new RoomKey(1, SealedCipher.AES_256_GCM);
    const keyDatagram = seal(own, 0, one.message);
    const chat = seal(one.sealer, 1, Buffer.from('hello there'));
    // Two records back to back after a 5-byte prefix, like the native receiver's blob.
    const blob = Buffer.concat([Buffer.alloc(5, 0xee), keyDatagram, chat, Buffer.alloc(3, 0xee)]);
    const keyAt = 5;
    const chatAt = keyAt + keyDatagram.length;
    expect(channel.openInPlace(blob, keyAt, chatAt)).toBe(OPENED_REPLY);
    expect(channel.reply?.[0]).toBe(0xfe); // the sealed KEY_ACK to send
    const at = channel.openInPlace(blob, chatAt, chatAt + chat.length);
    expect(at).toBeGreaterThan(chatAt);
    expect(blob.subarray(at, at + channel.openedLength).toString()).toBe('hello there');
    expect(blob.subarray(0, 5)).toEqual(Buffer.alloc(5, 0xee)); // nothing outside the record touched
    expect(blob.subarray(-3)).toEqual(Buffer.alloc(3, 0xee));
    // The same datagram again (as it arrived): the replay window refuses it, and counts it.
    expect(channel.openInPlace(Buffer.from(chat), 0, chat.length)).toBe(-1);
    expect(channel.drops.replayed).toBe(1);
    // A record cut short is malformed, not read past its end.
    expect(channel.openInPlace(blob, chatAt, chatAt + 20)).toBe(-1);
    expect(channel.drops.malformed).toBe(1);
  });

  it('lends counters it then never uses itself, and refuses a loan the key cannot cover', () => {
    const channel = new SealedChannel(secret, {
      session: '0011223344556677',
      cipher: SealedCipher.AES_256_GCM,
      epoch: 0,
    });
    const counterOf = (datagram: Buffer | null): number => Number((datagram as Buffer).readBigUInt64BE(10));
    expect(counterOf(channel.seal(Buffer.from('a')))).toBe(0);
    const loan = channel.lendCounters(100);
    expect(loan).toMatchObject({ first: 1, count: 100, cipher: SealedCipher.AES_256_GCM });
    expect(loan?.key).toEqual(deriveMemberKeys(secret).clientToServer.key);
    expect(loan?.iv).toEqual(deriveMemberKeys(secret).clientToServer.iv);
    expect(loan?.sessionId).toEqual(Buffer.from('0011223344556677', 'hex'));
    // The channel's own next datagram comes after the lent range: no counter twice under one key.
    expect(counterOf(channel.seal(Buffer.from('b')))).toBe(101);
    expect(channel.lendCounters(2 ** 23)).toBeNull(); // more than AES-GCM's cap leaves
    expect(counterOf(channel.seal(Buffer.from('c')))).toBe(102);
  });
});
