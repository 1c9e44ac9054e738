// Plain-dialect clients read one datagram as one line, and most print it to a terminal as it comes.
// A line break inside relayed text would let a member print lines that look like someone else's chat
// or a server notice, and a terminal control would do the same on one line (backspaces or an escape
// sequence that move back over "name: " and overwrite it). Text for them has every line break (CR LF,
// CR, LF, VT, FF, NEL, U+2028, U+2029) replaced by a visible "↵" — except CR/LF at the very end, which
// netcat and friends send as a terminator and which are dropped — and every other control character
// (C0 but TAB, DEL, C1) by U+FFFD. Tincan members get the text as sent. Byte-level, for the relay
// (input is valid UTF-8), plus a string form for everyone else.

/** U+21B5 DOWNWARDS ARROW WITH CORNER LEFTWARDS, in UTF-8. */
export const LINE_BREAK_SUBSTITUTE = '\u21b5';
const SUB0 = 0xe2;
const SUB1 = 0x86;
const SUB2 = 0xb5;
/** U+FFFD REPLACEMENT CHARACTER: what a terminal control becomes. */
export const CONTROL_SUBSTITUTE = '\ufffd';
const REP0 = 0xef;
const REP1 = 0xbf;
const REP2 = 0xbd;

const TAB = 0x09;
const LF = 0x0a;
const VT = 0x0b;
const FF = 0x0c;
const CR = 0x0d;
const DEL = 0x7f;
/** Lead byte of U+0080–U+00BF, where the C1 controls (U+0080–U+009F) are. */
const C1_LEAD = 0xc2;
const NEL_TRAIL = 0x85;

/** Length in bytes of the line break starting at bytes[i] (< end), or 0 if there is none there. */
function breakAt(bytes: Uint8Array, i: number, end: number): number {
  const b = bytes[i];
  if (b === LF || b === VT || b === FF) return 1;
  if (b === CR) return i + 1 < end && bytes[i + 1] === LF ? 2 : 1;
  if (b === C1_LEAD && i + 1 < end && bytes[i + 1] === NEL_TRAIL) return 2;
  // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
  if (b === 0xe2 && i + 2 < end && bytes[i + 1] === 0x80) {
    const c = bytes[i + 2];
    if (c === 0xa8 || c === 0xa9) return 3;
  }
  return 0;
}

/** Length in bytes of the control character (not a line break, not TAB) at bytes[i], or 0. */
function controlAt(bytes: Uint8Array, i: number, end: number): number {
  const b = bytes[i] as number;
  if ((b < 0x20 && b !== TAB) || b === DEL) return 1;
  if (b === C1_LEAD && i + 1 < end && (bytes[i + 1] as number) < 0xa0) return 2;
  return 0;
}

/** Whether bytes[start, end) holds any line break or control character but TAB; a plain loop, no allocation. */
export function needsPlainRewrite(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = bytes[i] as number;
    if (b < 0x20 || b === DEL || b === C1_LEAD || b === 0xe2) {
      if (b === TAB) continue;
      if (breakAt(bytes, i, end) > 0 || controlAt(bytes, i, end) > 0) return true;
    }
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
 * Copies the valid UTF-8 in src[start, end) to dst from dstStart without trailing CR/LF, each other
 * line break replaced by LINE_BREAK_SUBSTITUTE and each other control but TAB by CONTROL_SUBSTITUTE,
 * stopping before the first character that would pass dstEnd (so the cut is on a character
 * boundary). Returns the offset in dst after the last byte written.
 */
export function writeForPlainMembers(
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
    const ctl = brk > 0 ? 0 : controlAt(src, i, end);
    if (brk > 0 || ctl > 0) {
      if (o + 3 > dstEnd) break;
      dst[o] = brk > 0 ? SUB0 : REP0;
      dst[o + 1] = brk > 0 ? SUB1 : REP1;
      dst[o + 2] = brk > 0 ? SUB2 : REP2;
      o += 3;
      i += brk + ctl;
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

/** The string form: trailing CR/LF dropped, every other line break (CR LF is one) and control substituted. */
export function forPlainMembers(text: string): string {
  return (
    text
      .replace(/[\r\n]+$/u, '')
      .replace(/\r\n|[\n\v\f\r\u0085\u2028\u2029]/gu, LINE_BREAK_SUBSTITUTE)
      // eslint-disable-next-line no-control-regex -- replacing control characters is the point
      .replace(/[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/gu, CONTROL_SUBSTITUTE)
  );
}
