// The server's half of one member's sealed session: the id its datagrams carry, the key that opens
// them (with its replay window), the member's own key for unicast replies, and where the member
// stands with the room key.
import { SEALED_SERVER_PLAINTEXT_MAX, type SealedCipherId } from '../../../src-shared/protocol/index.js';
import { deriveMemberKeys } from './direction-keys.js';
import { Opener, Sealer } from './sealer.js';

export class ServerSession {
  readonly opener: Opener;
  /** Seals under the member's own key: epoch 0 datagrams. */
  readonly sealer: Sealer;
  /** The newest room key epoch this member acknowledged; 0 before the first. */
  ackedEpoch = 0;
  /** ROOM_KEY sends of the current epoch to this member not acknowledged yet. */
  keySends = 0;

  constructor(
    readonly sessionId: Buffer,
    readonly cipher: SealedCipherId,
    secret: Uint8Array,
  ) {
    const keys = deriveMemberKeys(secret);
    this.opener = new Opener(cipher, keys.clientToServer);
    this.sealer = new Sealer(cipher, keys.serverToClient, SEALED_SERVER_PLAINTEXT_MAX);
  }
}
