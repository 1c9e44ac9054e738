// What a user pastes into the Join form: a bare link, the app's whole invite text (which carries the
// link), an invite text from before links existed ("Host address: …" and "Room: …" lines), or an
// address written the way browsers show them (with a scheme, or a trailing slash).
import { AddressError, DEFAULT_PORT, formatHostAddress, parseHostAddress } from '../address.js';
import { parseFingerprint } from '../protocol/encrypted-transport.js';
import { checkRoomName } from '../protocol/names.js';
import { LinkError, parseJoinLink, type JoinLink } from './join-link.js';

/** What the Join form fills in: the address as the form writes it, the room, and the host's certificate to pin. */
export interface JoinPrefill {
  address: string;
  room: string;
  /** 64 lowercase hex digits, or null when the invite names none (a plain host, or an older invite). */
  fingerprint: string | null;
}

export type InviteReading =
  | { kind: 'prefill'; prefill: JoinPrefill }
  /** Only a host address (the room field keeps what it has). */
  | { kind: 'address'; address: string }
  /** The text holds a Tincan link or a URL, but one that cannot be used: say why instead of pasting it. */
  | { kind: 'bad-link'; message: string }
  | { kind: 'none' };

/** What the user reads about a link the parser refused (pasted, or opened by the operating system). */
export function linkRefusal(reason: string): string {
  return `That invite link can't be used: ${reason}.`;
}

export function prefillFromLink(link: JoinLink): JoinPrefill {
  return {
    address: formatHostAddress({ host: link.host, port: link.port }),
    room: link.room,
    fingerprint: link.fingerprint,
  };
}

const LINK_IN_TEXT = /tincan:\S*/i;

/** Finds an invite in pasted text; 'none' means "treat the paste as ordinary text". */
export function readInvite(text: string): InviteReading {
  const found = LINK_IN_TEXT.exec(text);
  if (found) {
    try {
      return { kind: 'prefill', prefill: prefillFromLink(parseJoinLink(found[0])) };
    } catch (err) {
      if (!(err instanceof LinkError)) throw err;
      // "tincan://192.168.1.5:7777" names a server, not a join: it fills the address.
      const address = err.problem === 'action' ? readAddressUrl(found[0]) : null;
      return address ?? { kind: 'bad-link', message: linkRefusal(err.message) };
    }
  }
  return readAddressUrl(text) ?? readLabelledLines(text);
}

// A whole paste that is one address in URL dress: an optional scheme, the authority, an optional
// slash. Web schemes are accepted because people copy addresses from a browser's bar out of habit;
// a web page's path, query or fragment means it is not a chat server. Text that is only maybe an
// address is left to the ordinary paste.
const ADDRESS_URL = /^(?:(tincan|https?):\/\/)?([^\s/?#]+)(\/?)(\S*)$/i;

function readAddressUrl(text: string): InviteReading | null {
  const match = ADDRESS_URL.exec(text.trim());
  if (!match) return null;
  const [, scheme, authority = '', slash, rest] = match;
  // Without a scheme only "host:port/" is an address for sure ("lobby/" may be a room name).
  if (scheme === undefined && (slash === '' || rest !== '' || !/:\d+$/.test(authority))) return null;
  if (rest !== '' || authority.includes('@'))
    return {
      kind: 'bad-link',
      message: `That is a web page address, not a Tincan host. A host address is the computer and port only, e.g. 192.168.1.5:${DEFAULT_PORT}.`,
    };
  try {
    parseHostAddress(authority, DEFAULT_PORT);
  } catch (err) {
    if (!(err instanceof AddressError)) throw err;
    return { kind: 'bad-link', message: `That address can't be used: ${err.message}.` };
  }
  return { kind: 'address', address: authority };
}

function readLabelledLines(text: string): InviteReading {
  const line = (label: string) => new RegExp(`^\\s*${label}:[ \\t]*(.+?)\\s*$`, 'im').exec(text)?.[1];
  const address = line('Host address');
  const room = line('Room');
  const fingerprintLine = line('Host fingerprint');
  if (address === undefined || room === undefined || checkRoomName(room) !== null) return { kind: 'none' };
  try {
    parseHostAddress(address, DEFAULT_PORT);
  } catch {
    return { kind: 'none' };
  }
  // A fingerprint line that does not parse pins nothing: the join then trusts on first use.
  const fingerprint = fingerprintLine === undefined ? null : parseFingerprint(fingerprintLine);
  return { kind: 'prefill', prefill: { address, room, fingerprint } };
}
