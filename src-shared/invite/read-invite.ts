// What a user pastes into the Join form: a bare link, the app's whole invite text (which carries the
// link), or an invite text from before links existed ("Host address: …" and "Room: …" lines).
import { DEFAULT_PORT, formatHostAddress, parseHostAddress } from '../address.js';
import { checkRoomName } from '../protocol/names.js';
import { LinkError, parseJoinLink, type JoinLink } from './join-link.js';

/** What the Join form fills in: the address as the form writes it, and the room. */
export interface JoinPrefill {
  address: string;
  room: string;
}

export type InviteReading =
  | { kind: 'prefill'; prefill: JoinPrefill }
  /** The text holds a Tincan link, but a malformed one: say why instead of pasting it as an address. */
  | { kind: 'bad-link'; message: string }
  | { kind: 'none' };

export function prefillFromLink(link: JoinLink): JoinPrefill {
  return { address: formatHostAddress({ host: link.host, port: link.port }), room: link.room };
}

const LINK_IN_TEXT = /tincan:\S*/i;

/** Finds an invite in pasted text; 'none' means "treat the paste as ordinary text". */
export function readInvite(text: string): InviteReading {
  const found = LINK_IN_TEXT.exec(text);
  if (found) {
    try {
      return { kind: 'prefill', prefill: prefillFromLink(parseJoinLink(found[0])) };
    } catch (err) {
      if (err instanceof LinkError)
        return { kind: 'bad-link', message: `That invite link can't be used: ${err.message}.` };
      throw err;
    }
  }
  return readLabelledLines(text);
}

function readLabelledLines(text: string): InviteReading {
  const line = (label: string) => new RegExp(`^\\s*${label}:[ \\t]*(.+?)\\s*$`, 'im').exec(text)?.[1];
  const address = line('Host address');
  const room = line('Room');
  if (address === undefined || room === undefined || checkRoomName(room) !== null) return { kind: 'none' };
  try {
    parseHostAddress(address, DEFAULT_PORT);
  } catch {
    return { kind: 'none' };
  }
  return { kind: 'prefill', prefill: { address, room } };
}
