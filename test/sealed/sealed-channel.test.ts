// The client's SealedChannel against datagrams sealed as the server seals them: room keys taken only
// under the member's own key, old epochs honoured for a while and then refused.
import { describe, expect, it } from 'vitest';
import {
  encodeRoomKeyMessage,
  SEALED_SERVER_PLAINTEXT_MAX,
  SealedCipher,
  UDP_SERVER_MAX_BYTES,
} from '../../src-shared/protocol/index.js';
import { OLD_EPOCH_GRACE_MS, SealedChannel } from '../../src-main/engine/client/sealed-channel.js';
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
});
