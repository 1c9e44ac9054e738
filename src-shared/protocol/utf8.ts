// UTF-8 helpers on Uint8Array only (this folder must run in a browser too).

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes valid UTF-8, or returns null for any invalid sequence (never throws). */
export function utf8DecodeStrict(bytes: Uint8Array): string | null {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return null;
  }
}

/** Decodes with U+FFFD for invalid sequences; for display of foreign text only. */
export function utf8DecodeLenient(bytes: Uint8Array): string {
  return lenientDecoder.decode(bytes);
}

/** Byte length of a string's UTF-8 encoding, without allocating it. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3; // lone high surrogate encodes as U+FFFD
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Largest n ≤ max such that bytes[0..n) ends on a UTF-8 character boundary
 * (never splits a multi-byte sequence).
 */
export function utf8BoundaryAtOrBefore(bytes: Uint8Array, max: number): number {
  if (bytes.length <= max) return bytes.length;
  let n = max;
  // Step back over continuation bytes (10xxxxxx) so bytes[n] starts a character.
  while (n > 0 && ((bytes[n] ?? 0) & 0xc0) === 0x80) n--;
  return n;
}

/** Truncates a string so that its UTF-8 form is at most maxBytes, on a character boundary. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8ByteLength(text) <= maxBytes) return text;
  const bytes = utf8Encode(text);
  return strictDecoder.decode(bytes.subarray(0, utf8BoundaryAtOrBefore(bytes, maxBytes)));
}
