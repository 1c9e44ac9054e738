// What a hosted room says about itself on the local network (DNS-SD over mDNS, RFC 6763): the
// service instance label and the TXT record, encoded here and decoded here. Everything decoded comes
// from anyone on the LAN, so the decoder is strict and bounded: the version must come first, the
// room name passes the one name rule, and anything malformed is refused with a reason.
import { checkRoomName } from '../protocol/names.js';
import { utf8ByteLength, utf8DecodeStrict, utf8Encode } from '../protocol/utf8.js';

/** The DNS-SD service type (RFC 6763 §7: at most 15 characters). */
export const NEARBY_SERVICE_TYPE = '_tincan._tcp';
/** The TXT version this build writes and reads (the `v` key). */
export const NEARBY_TXT_VERSION = '1';
/** RFC 6763 §4.1.1: an instance label is at most 63 bytes of UTF-8. */
export const INSTANCE_LABEL_MAX_BYTES = 63;
/** RFC 6763 §6.2: keep the whole TXT record small enough for one packet. */
export const TXT_MAX_BYTES = 200;
/** Entries a decoder looks at; a longer record is refused rather than walked. */
export const TXT_MAX_ENTRIES = 16;
/** The most rooms a browser holds (and the UI accepts): a flood of announcements cannot grow it. */
export const NEARBY_ROOMS_MAX = 64;
/** The longest host id a label carries, so a long host name cannot crowd out the room name. */
export const HOST_ID_MAX_BYTES = 24;

export interface NearbyAdvert {
  room: string;
  passwordRequired: boolean;
  /** SHA-256 of the host certificate, 64 lowercase hex digits; null until the host has one. */
  fingerprint: string | null;
}

export type TxtProblem = 'too-big' | 'no-version' | 'other-version' | 'bad-entry' | 'bad-room' | 'bad-flag' | 'bad-fp';

export const FINGERPRINT = /^[0-9a-f]{64}$/;

/** The TXT strings, version first (RFC 6763 §6.7); never the password itself. */
export function encodeAdvertTxt(advert: NearbyAdvert): string[] {
  if (advert.fingerprint !== null && !FINGERPRINT.test(advert.fingerprint))
    throw new RangeError('fingerprint must be 64 lowercase hex digits');
  const entries = [`v=${NEARBY_TXT_VERSION}`, `room=${advert.room}`, `pw=${advert.passwordRequired ? '1' : '0'}`];
  if (advert.fingerprint !== null) entries.push(`fp=${advert.fingerprint}`);
  // Each string is preceded by its length byte on the wire.
  const size = entries.reduce((sum, entry) => sum + 1 + utf8ByteLength(entry), 0);
  if (size > TXT_MAX_BYTES) throw new RangeError(`TXT record of ${size} bytes exceeds ${TXT_MAX_BYTES}`);
  return entries;
}

/** Reads a received TXT record (its strings as bytes); a problem name when it is not one of ours. */
export function decodeAdvertTxt(strings: readonly Uint8Array[]): NearbyAdvert | TxtProblem {
  if (strings.length > TXT_MAX_ENTRIES) return 'too-big';
  let size = 0;
  for (const s of strings) size += 1 + s.length;
  if (size > TXT_MAX_BYTES) return 'too-big';

  const values = new Map<string, string>();
  for (const bytes of strings) {
    const entry = utf8DecodeStrict(bytes);
    if (entry === null) return 'bad-entry';
    const eq = entry.indexOf('=');
    // RFC 6763 §6.4: keys are case-insensitive and only the first occurrence of a key counts.
    const key = (eq === -1 ? entry : entry.slice(0, eq)).toLowerCase();
    if (key.length === 0) return 'bad-entry';
    if (values.size === 0 && key !== 'v') return 'no-version';
    if (!values.has(key)) values.set(key, eq === -1 ? '' : entry.slice(eq + 1));
  }
  const version = values.get('v');
  if (version === undefined) return 'no-version';
  if (version !== NEARBY_TXT_VERSION) return 'other-version';
  const room = values.get('room');
  if (room === undefined || checkRoomName(room) !== null) return 'bad-room';
  const pw = values.get('pw');
  if (pw !== '0' && pw !== '1') return 'bad-flag';
  const fp = values.get('fp');
  if (fp !== undefined && !FINGERPRINT.test(fp)) return 'bad-fp';
  return { room, passwordRequired: pw === '1', fingerprint: fp ?? null };
}

/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes that ends on a code point. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8ByteLength(text) <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const n = utf8Encode(ch).length;
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/**
 * The instance label "room (host-id)", with " #n" from the second attempt on (a name conflict on the
 * network, RFC 6762 §9). The host id is shortened to fit 63 bytes; dots become hyphens because a dot
 * would split the label (the room name itself travels intact in TXT).
 */
export function instanceLabel(room: string, hostId: string, attempt = 1): string {
  const suffix = attempt > 1 ? ` #${attempt}` : '';
  const fixed = utf8ByteLength(room) + utf8ByteLength(' ()') + utf8ByteLength(suffix);
  const host = truncateUtf8(hostId, Math.min(HOST_ID_MAX_BYTES, INSTANCE_LABEL_MAX_BYTES - fixed));
  return truncateUtf8(`${room} (${host})${suffix}`, INSTANCE_LABEL_MAX_BYTES).replaceAll('.', '-');
}
