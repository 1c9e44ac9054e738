import { describe, expect, it } from 'vitest';
import {
  SEALED_CLIENT_PLAINTEXT_MAX,
  SEALED_SERVER_HEADER_BYTES,
  SEALED_SERVER_PLAINTEXT_MAX,
  SEALED_TAG_BYTES,
  SealedCipher,
  UDP_SERVER_MAX_BYTES,
  type SealedCipherId,
} from '../../src-shared/protocol/index.js';
import { deriveMemberKeys } from '../../src-main/engine/sealed/direction-keys.js';
import { Opener, Sealer } from '../../src-main/engine/sealed/sealer.js';
import { checkClientHeader, sealClientDatagram } from '../../src-main/engine/sealed/client-datagram.js';
import { sealServerDatagram, serverDatagramEpoch } from '../../src-main/engine/sealed/server-datagram.js';
import { SEALED_CLIENT_HEADER_BYTES } from '../../src-shared/protocol/index.js';

const secret = Buffer.alloc(64, 7);
const keys = deriveMemberKeys(secret);
const session = Buffer.from('0123456789abcdef', 'hex');
const text = Buffer.from('hello, sealed world');

function pair(cipher: SealedCipherId): { sealer: Sealer; opener: Opener } {
  return {
    sealer: new Sealer(cipher, keys.clientToServer, SEALED_CLIENT_PLAINTEXT_MAX),
    opener: new Opener(cipher, keys.clientToServer),
  };
}

function open(opener: Opener, datagram: Buffer): Buffer | string {
  return opener.open(datagram, 0, SEALED_CLIENT_HEADER_BYTES, datagram.length);
}

describe('sealed datagram codec', () => {
  for (const cipher of [SealedCipher.AES_256_GCM, SealedCipher.CHACHA20_POLY1305]) {
    it(`round-trips a client datagram with cipher ${cipher}, padded to 64-byte blocks`, () => {
      const { sealer, opener } = pair(cipher);
      const datagram = sealClientDatagram(sealer, session, text) as Buffer;
      expect(checkClientHeader(datagram, 0, datagram.length)).toBeNull();
      expect(datagram[1]).toBe(cipher);
      expect(datagram.subarray(2, 10)).toEqual(session);
      expect(datagram.length - SEALED_CLIENT_HEADER_BYTES - SEALED_TAG_BYTES).toBe(64);
      expect(datagram.includes(text)).toBe(false);
      expect(open(opener, datagram)).toEqual(text);
    });
  }

  it('counts up from 0 and never repeats a nonce: the same message seals differently', () => {
    const { sealer } = pair(SealedCipher.AES_256_GCM);
    const a = sealClientDatagram(sealer, session, text) as Buffer;
    const b = sealClientDatagram(sealer, session, text) as Buffer;
    expect(a.readBigUInt64BE(10)).toBe(0n);
    expect(b.readBigUInt64BE(10)).toBe(1n);
    expect(a.subarray(18).equals(b.subarray(18))).toBe(false);
  });

  it('drops a datagram with any single byte changed (header or body), and a truncated one', () => {
    const { sealer } = pair(SealedCipher.AES_256_GCM);
    const datagram = sealClientDatagram(sealer, session, text) as Buffer;
    for (let i = 1; i < datagram.length; i++) {
      const opener = new Opener(SealedCipher.AES_256_GCM, keys.clientToServer);
      const bad = Buffer.from(datagram);
      bad[i] = (bad[i] as number) ^ 0x01;
      expect(typeof open(opener, bad)).toBe('string');
    }
    const opener = new Opener(SealedCipher.AES_256_GCM, keys.clientToServer);
    expect(open(opener, datagram.subarray(0, datagram.length - 1))).toBe('bad-tag');
    expect(open(opener, datagram)).toEqual(text); // the failures did not spend its counter
  });

  it('drops a replay, and a datagram opened with the other direction or another secret', () => {
    const { sealer, opener } = pair(SealedCipher.AES_256_GCM);
    const datagram = sealClientDatagram(sealer, session, text) as Buffer;
    expect(open(opener, datagram)).toEqual(text);
    expect(open(opener, datagram)).toBe('replayed');
    expect(open(new Opener(SealedCipher.AES_256_GCM, keys.serverToClient), datagram)).toBe('bad-tag');
    const other = deriveMemberKeys(Buffer.alloc(64, 8));
    expect(open(new Opener(SealedCipher.AES_256_GCM, other.clientToServer), datagram)).toBe('bad-tag');
  });

  it('refuses once the key has sealed its limit (AES-GCM rotates before 2^23)', () => {
    const sealer = new Sealer(SealedCipher.AES_256_GCM, keys.clientToServer, SEALED_CLIENT_PLAINTEXT_MAX, 2);
    expect(sealClientDatagram(sealer, session, text)).not.toBeNull();
    expect(sealClientDatagram(sealer, session, text)).not.toBeNull();
    expect(sealer.exhausted).toBe(true);
    expect(sealClientDatagram(sealer, session, text)).toBeNull();
    expect(new Sealer(SealedCipher.AES_256_GCM, keys.clientToServer, 64).exhausted).toBe(false);
  });

  it('fills server datagrams up to the spec size and refuses a message that cannot fit', () => {
    const sealer = new Sealer(SealedCipher.AES_256_GCM, keys.serverToClient, SEALED_SERVER_PLAINTEXT_MAX);
    const opener = new Opener(SealedCipher.AES_256_GCM, keys.serverToClient);
    const out = Buffer.alloc(UDP_SERVER_MAX_BYTES);
    const biggest = Buffer.alloc(SEALED_SERVER_PLAINTEXT_MAX - 2, 0x61);
    const length = sealServerDatagram(sealer, 3, biggest, out);
    expect(length).toBe(UDP_SERVER_MAX_BYTES);
    const datagram = out.subarray(0, length);
    expect(serverDatagramEpoch(datagram)).toBe(3);
    expect(opener.open(datagram, 0, SEALED_SERVER_HEADER_BYTES, length)).toEqual(biggest);
    expect(sealServerDatagram(sealer, 3, Buffer.alloc(biggest.length + 1), out)).toBe(-1);
  });

  it('rejects malformed headers without throwing', () => {
    expect(checkClientHeader(Buffer.alloc(10), 0, 10)).toBe('sealed-malformed');
    const wrongCipher = Buffer.alloc(40);
    wrongCipher[0] = 0xfe;
    wrongCipher[1] = 9;
    expect(checkClientHeader(wrongCipher, 0, 40)).toBe('sealed-malformed');
    expect(serverDatagramEpoch(Buffer.alloc(5))).toBe(-1);
    expect(() => deriveMemberKeys(Buffer.alloc(63))).toThrow(RangeError);
  });
});
