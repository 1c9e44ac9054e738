// Byte comparison for the relay's per-datagram checks: a plain loop beats Buffer#compare's argument
// checks and native call for the short spans compared here (a 32-byte token, a room name).

/** Whether `a` equals b[bStart, bStart + a.length). The caller ensures b is long enough. */
export function bytesEqualAt(a: Uint8Array, b: Uint8Array, bStart: number): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[bStart + i]) return false;
  }
  return true;
}
