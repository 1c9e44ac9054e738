// PROTOCOL.md §8's examples (a client datagram, the ACK, a ROOM_KEY and a room datagram under that
// key) are what the code produces from the same fixed secret, and its tables name the bytes the code uses.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  encodeChatEvent,
  encodeRoomKeyMessage,
  utf8Encode,
  SEALED_CLIENT_HEADER_BYTES,
  SEALED_CLIENT_PLAINTEXT_MAX,
  SEALED_SERVER_HEADER_BYTES,
  SEALED_SERVER_PLAINTEXT_MAX,
  SealedCipher,
  SealedClientKind,
  SealedServerKind,
  UDP_SERVER_MAX_BYTES,
} from '../../src-shared/protocol/index.js';
import {
  deriveMemberKeys,
  IV_LABEL_CLIENT_TO_SERVER,
  IV_LABEL_SERVER_TO_CLIENT,
} from '../../src-main/engine/sealed/direction-keys.js';
import { Opener, Sealer } from '../../src-main/engine/sealed/sealer.js';
import { sealClientDatagram } from '../../src-main/engine/sealed/client-datagram.js';
import { sealServerDatagram } from '../../src-main/engine/sealed/server-datagram.js';

const doc = readFileSync(new URL('../../PROTOCOL.md', import.meta.url), 'utf8');
const section = doc.slice(doc.indexOf('## 8. Sealed datagrams (v1)'));

/** The hex of the example block that starts with `label`, every non-hex word left out. */
function exampleHex(label: string): Buffer {
  const start = section.indexOf(label);
  expect(start, label).toBeGreaterThan(0);
  const block = section.slice(start + label.length, section.indexOf('```', start));
  const words = block.split(/\s+/).filter((w) => /^[0-9a-f]+$/.test(w) && w.length % 2 === 0);
  return Buffer.from(words.join(''), 'hex');
}

const secret = Buffer.from(Array.from({ length: 64 }, (_, i) => i));
const keys = deriveMemberKeys(secret);

describe('PROTOCOL.md sealed datagrams (v1)', () => {
  it('shows the IVs the labels derive', () => {
    expect(section).toContain(`info \`${IV_LABEL_CLIENT_TO_SERVER}\``);
    expect(section).toContain(`info \`${IV_LABEL_SERVER_TO_CLIENT}\``);
    expect(section).toContain(`client → server IV  ${keys.clientToServer.iv.toString('hex')}`);
    expect(section).toContain(`server → client IV  ${keys.serverToClient.iv.toString('hex')}`);
  });

  it('gives the exact client datagram the code seals, and it opens to the CHAT shown', () => {
    const sealer = new Sealer(SealedCipher.AES_256_GCM, keys.clientToServer, SEALED_CLIENT_PLAINTEXT_MAX);
    const session = Buffer.from('0123456789abcdef', 'hex');
    const datagram = sealClientDatagram(sealer, session, Buffer.from('ff05000000016869', 'hex')) as Buffer;
    const documented = exampleHex('datagram (98 B)');
    expect(documented.toString('hex')).toBe(datagram.toString('hex'));
    const opener = new Opener(SealedCipher.AES_256_GCM, keys.clientToServer);
    expect(opener.open(documented, 0, SEALED_CLIENT_HEADER_BYTES, documented.length)).toEqual(
      Buffer.from('ff05000000016869', 'hex'),
    );
  });

  it('gives the exact server datagram the code seals', () => {
    const sealer = new Sealer(SealedCipher.AES_256_GCM, keys.serverToClient, SEALED_SERVER_PLAINTEXT_MAX);
    const out = Buffer.alloc(UDP_SERVER_MAX_BYTES);
    const length = sealServerDatagram(sealer, 0, Buffer.from('ff870000000100000001', 'hex'), out);
    const documented = exampleHex('datagram (94 B)');
    expect(documented.toString('hex')).toBe(out.subarray(0, length).toString('hex'));
    expect(documented.length).toBe(SEALED_SERVER_HEADER_BYTES + 64 + 16);
  });

  it('gives the exact ROOM_KEY the code seals, and the room datagram sealed under that key', () => {
    const own = new Sealer(SealedCipher.AES_256_GCM, keys.serverToClient, SEALED_SERVER_PLAINTEXT_MAX);
    const out = Buffer.alloc(UDP_SERVER_MAX_BYTES);
    sealServerDatagram(own, 0, Buffer.from('ff870000000100000001', 'hex'), out); // counter 0: the ACK above
    const key = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x40 + i));
    const iv = Buffer.from(Array.from({ length: 12 }, (_, i) => 0x60 + i));
    const roomKey = encodeRoomKeyMessage({ cipher: SealedCipher.AES_256_GCM, epoch: 1, key, iv });
    expect(roomKey).toHaveLength(51);
    let length = sealServerDatagram(own, 0, roomKey, out);
    expect(exampleHex('room key (94 B)').toString('hex')).toBe(out.subarray(0, length).toString('hex'));

    const room = new Sealer(SealedCipher.AES_256_GCM, { key, iv }, SEALED_SERVER_PLAINTEXT_MAX);
    const chat = encodeChatEvent(1, utf8Encode('alice'), utf8Encode('hi'));
    expect(Buffer.from(chat).toString('hex')).toBe('ff820000000105616c6963656869');
    length = sealServerDatagram(room, 1, chat, out);
    expect(exampleHex('room chat (94 B)').toString('hex')).toBe(out.subarray(0, length).toString('hex'));
  });

  it('lists the key management kinds with their bytes', () => {
    const hex = (n: number) => n.toString(16).padStart(2, '0');
    for (const [name, code] of Object.entries(SealedClientKind))
      expect(section).toContain(`| ${hex(code)} | ${name} |`);
    for (const [name, code] of Object.entries(SealedServerKind))
      expect(section).toContain(`| ${hex(code)} | ${name} |`);
  });
});
