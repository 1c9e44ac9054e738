// The encrypted transport (PROTOCOL.md, "Encrypted transport (v1)"): how a server tells a TLS
// ClientHello from a TCRP request, the exporter labels both ends derive secrets with, and the one
// fingerprint form hosts show, invites carry and clients pin.

/** First two bytes of a TLS handshake record (content type 22, major version 3). */
export const TLS_RECORD_START = [0x16, 0x03] as const;

/** Exporter label for the 64-byte UDP secret (RFC 8446 §7.5; private labels start EXPERIMENTAL). */
export const UDP_SECRET_LABEL = 'EXPERIMENTAL-tincan-udp-v1';
export const UDP_SECRET_BYTES = 64;
/** Exporter label for the seat's resume proof: presented inside TLS to take the seat over later. */
export const RESUME_PROOF_LABEL = 'EXPERIMENTAL-tincan-resume-v1';
export const RESUME_PROOF_BYTES = 32;

/**
 * Whether a connection's first bytes open a TLS record. TCRP cannot start so: byte 0 (room-name
 * size) 0x16 is legal, but byte 1 would be operation 3, which does not exist. With fewer than two
 * bytes the answer is 'undecided'.
 */
export function detectTransport(first: Uint8Array): 'tls' | 'tcrp' | 'undecided' {
  if (first.length === 0) return 'undecided';
  if (first[0] !== TLS_RECORD_START[0]) return 'tcrp';
  if (first.length === 1) return 'undecided';
  return first[1] === TLS_RECORD_START[1] ? 'tls' : 'tcrp';
}

/** Exporter context: the room name's UTF-8 bytes followed by the token's bytes, so keys are bound to the seat. */
export function exporterContext(room: Uint8Array, token: Uint8Array): Uint8Array {
  const out = new Uint8Array(room.length + token.length);
  out.set(room, 0);
  out.set(token, room.length);
  return out;
}

/**
 * A certificate fingerprint in its one canonical form: the SHA-256 of the DER certificate as 64
 * lowercase hex digits. Accepts that form or colon-separated pairs in either case (as Node's
 * `fingerprint256` and most tools print it); null for anything else.
 */
export function parseFingerprint(text: string): string | null {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return trimmed.toLowerCase();
  if (/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){31}$/.test(trimmed)) return trimmed.replace(/:/g, '').toLowerCase();
  return null;
}

/** A fingerprint in groups of four hex digits, so people can compare it with the host's a piece at a time. */
export function groupFingerprint(fingerprint: string): string {
  return fingerprint.match(/.{1,4}/g)?.join(' ') ?? fingerprint;
}
