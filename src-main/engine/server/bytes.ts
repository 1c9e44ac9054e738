// Byte helpers for the relay's per-datagram work. They take offsets instead of views because every
// `subarray` is a new object: at tens of thousands of datagrams a second those objects are what
// keeps V8's young generation at its largest (see BENCHMARKS.md, "allocation per datagram").
import { isUtf8 } from 'node:buffer';

/** Whether `a` equals b[bStart, bStart + a.length). The caller ensures b is long enough. */
export function bytesEqualAt(a: Uint8Array, b: Uint8Array, bStart: number): boolean {
  // A plain loop beats Buffer#compare's argument checks and native call for the short spans compared
  // here (a 32-byte token, a room name).
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[bStart + i]) return false;
  }
  return true;
}

/** Whether bytes[start, end) is valid UTF-8. ASCII (most chat) is checked here without a view. */
export function isUtf8Span(bytes: Buffer, start: number, end: number): boolean {
  let i = start;
  while (i < end && (bytes[i] as number) < 0x80) i++;
  // Everything before i is whole ASCII characters, so validating from i on is the same question.
  return i === end || isUtf8(bytes.subarray(i, end));
}

/**
 * 32-bit FNV-1a of bytes[start, start + count), as a signed int32 (a small integer in V8, so the
 * per-datagram token lookup allocates nothing; `>>> 0` gives the unsigned value). The caller ensures
 * the bytes exist.
 */
export function fnv1a32(bytes: Uint8Array, start: number, count: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < count; i++) h = Math.imul(h ^ (bytes[start + i] as number), 0x01000193);
  return h;
}

/** Spans up to this long are copied by a loop; longer ones by Buffer#copy (which makes a view). */
const LOOP_COPY_MAX = 512;

/** Copies src[srcStart, srcEnd) to dst at dstStart; the caller ensures it fits. */
export function copyBytes(src: Buffer, srcStart: number, srcEnd: number, dst: Buffer, dstStart: number): void {
  if (srcEnd - srcStart > LOOP_COPY_MAX) {
    src.copy(dst, dstStart, srcStart, srcEnd);
    return;
  }
  for (let i = srcStart, j = dstStart; i < srcEnd; i++, j++) dst[j] = src[i] as number;
}
