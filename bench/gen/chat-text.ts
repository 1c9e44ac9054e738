// The text of every bench message starts with the send time: 14 decimal digits of nowMicros(), then a
// space, then padding to the configured size. Receivers read the digits straight from the datagram
// bytes, so measuring latency allocates nothing.

export const STAMP_DIGITS = 14;
/** Shortest message text the bench can send: the stamp and one separator. */
export const MIN_TEXT_BYTES = STAMP_DIGITS + 1;

const DIGIT_0 = 0x30;

/** Writes the stamp into buf[at .. at + 14). */
export function writeStamp(buf: Uint8Array, at: number, micros: number): void {
  let rest = micros;
  for (let i = at + STAMP_DIGITS - 1; i >= at; i--) {
    buf[i] = DIGIT_0 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
}

/** Reads a stamp at buf[at ..], or returns -1 if the bytes there are not 14 digits. */
export function readStamp(buf: Uint8Array, at: number): number {
  if (at + STAMP_DIGITS > buf.length) return -1;
  let value = 0;
  for (let i = at; i < at + STAMP_DIGITS; i++) {
    const d = (buf[i] as number) - DIGIT_0;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** The text template: a zeroed stamp, a space, and ASCII padding up to `bytes`. */
export function textTemplate(bytes: number, tag: string): Uint8Array {
  const size = Math.max(MIN_TEXT_BYTES, bytes);
  const out = new Uint8Array(size).fill(0x78 /* x */);
  out.fill(DIGIT_0, 0, STAMP_DIGITS);
  out[STAMP_DIGITS] = 0x20;
  const tagBytes = new TextEncoder().encode(tag);
  out.set(tagBytes.subarray(0, size - MIN_TEXT_BYTES), MIN_TEXT_BYTES);
  return out;
}

const COLON = 0x3a;
const SPACE = 0x20;

/**
 * Offset of the text in a plain-dialect chat line `name: text`: right after the first ": ".
 * Returns -1 for anything else (notices start with "* " and have no stamp).
 */
export function plainTextOffset(buf: Uint8Array): number {
  const limit = Math.min(buf.length - 1, 64);
  for (let i = 1; i < limit; i++) {
    if (buf[i] === COLON && buf[i + 1] === SPACE) return i + 2;
  }
  return -1;
}
