// Plain-dialect clients read one datagram as one line, so a line break inside relayed text would let
// a member print lines that look like someone else's chat or a server notice. Text for them has every
// line break (CR LF, CR, LF, U+2028, U+2029) replaced by a visible "↵" — except CR/LF at the very
// end, which netcat and friends send as a terminator and which are dropped. Tincan members get the
// text as sent. Byte-level, for the relay (input is valid UTF-8), plus a string form for everyone else.

/** U+21B5 DOWNWARDS ARROW WITH CORNER LEFTWARDS, in UTF-8. */
export const LINE_BREAK_SUBSTITUTE = '\u21b5';
const SUB0 = 0xe2;
const SUB1 = 0x86;
const SUB2 = 0xb5;

const CR = 0x0d;
const LF = 0x0a;

/** Length in bytes of the line break starting at bytes[i] (< end), or 0 if there is none there. */
function breakAt(bytes: Uint8Array, i: number, end: number): number {
  const b = bytes[i];
  if (b === LF) return 1;
  if (b === CR) return i + 1 < end && bytes[i + 1] === LF ? 2 : 1;
  // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
  if (b === 0xe2 && i + 2 < end && bytes[i + 1] === 0x80) {
    const c = bytes[i + 2];
    if (c === 0xa8 || c === 0xa9) return 3;
  }
  return 0;
}

/** Whether bytes[start, end) holds any line break; a plain loop, no allocation. */
export function hasLineBreak(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = bytes[i] as number;
    if ((b === LF || b === CR || b === 0xe2) && breakAt(bytes, i, end) > 0) return true;
  }
  return false;
}

function charLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead < 0xe0) return 2;
  if (lead < 0xf0) return 3;
  return 4;
}

/**
 * Copies the valid UTF-8 in src[start, end) to dst from dstStart without trailing CR/LF and with each
 * other line break replaced by LINE_BREAK_SUBSTITUTE, stopping before the first character that would pass dstEnd (so the cut is
 * on a character boundary). Returns the offset in dst after the last byte written.
 */
export function writeWithoutLineBreaks(
  src: Uint8Array,
  start: number,
  end: number,
  dst: Uint8Array,
  dstStart: number,
  dstEnd: number,
): number {
  while (end > start && (src[end - 1] === LF || src[end - 1] === CR)) end--;
  let o = dstStart;
  let i = start;
  while (i < end) {
    const brk = breakAt(src, i, end);
    if (brk > 0) {
      if (o + 3 > dstEnd) break;
      dst[o] = SUB0;
      dst[o + 1] = SUB1;
      dst[o + 2] = SUB2;
      o += 3;
      i += brk;
      continue;
    }
    const n = charLength(src[i] as number);
    if (o + n > dstEnd || i + n > end) break;
    for (let k = 0; k < n; k++) dst[o + k] = src[i + k] as number;
    o += n;
    i += n;
  }
  return o;
}

/** The string form: trailing CR/LF dropped, every other line break (CR LF is one) substituted. */
export function withoutLineBreaks(text: string): string {
  return text.replace(/[\r\n]+$/u, '').replace(/\r\n|[\r\n\u2028\u2029]/gu, LINE_BREAK_SUBSTITUTE);
}
