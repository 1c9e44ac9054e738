// One epoch of a room's key: what the server seals everything the room hears with, once per
// message. Random per epoch (never derived from a password); a member learns it only by ROOM_KEY,
// sealed under its own key, so a member that left never learns a later one.
import { randomBytes } from 'node:crypto';
import {
  encodeRoomKeyMessage,
  SEALED_IV_BYTES,
  SEALED_KEY_BYTES,
  SEALED_SERVER_PLAINTEXT_MAX,
  type SealedCipherId,
} from '../../../src-shared/protocol/index.js';
import { Sealer } from './sealer.js';

export class RoomKey {
  readonly sealer: Sealer;
  /** The ROOM_KEY message that hands this key to a member (sealed per member before sending). */
  readonly message: Uint8Array;

  constructor(
    readonly epoch: number,
    cipher: SealedCipherId,
    messagesPerKey?: number,
  ) {
    const key = randomBytes(SEALED_KEY_BYTES);
    const iv = randomBytes(SEALED_IV_BYTES);
    this.sealer = new Sealer(cipher, { key, iv }, SEALED_SERVER_PLAINTEXT_MAX, messagesPerKey);
    this.message = encodeRoomKeyMessage({ cipher, epoch, key, iv });
  }
}
