// `tincan join` takes a server and a room, or one invite link that carries both.
import { formatHostAddress } from '../../src-shared/address.js';
import { LinkError, looksLikeLink, parseJoinLink } from '../../src-shared/invite/join-link.js';
import { UsageError } from '../errors.js';

export interface JoinTarget {
  server: string;
  room: string;
  /** The host certificate's fingerprint an invite link carries: the client pins it. */
  fingerprint?: string;
}

/** Resolves the positional arguments; `missingRoom` reports a server given without a room (it throws). */
export function joinTarget(server: string, room: string | undefined, missingRoom: () => never): JoinTarget {
  if (!looksLikeLink(server)) return { server, room: room ?? missingRoom() };
  if (room !== undefined) throw new UsageError('give either an invite link or a server and a room, not both');
  try {
    const link = parseJoinLink(server);
    const address = formatHostAddress({ host: link.host, port: link.port });
    return link.fingerprint === null
      ? { server: address, room: link.room }
      : { server: address, room: link.room, fingerprint: link.fingerprint };
  } catch (err) {
    if (err instanceof LinkError) throw new UsageError(`bad invite link: ${err.message}`);
    throw err;
  }
}
