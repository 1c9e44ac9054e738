// Which shard owns a room when the relay runs as several sockets on one port (docs/MULTICORE.md):
// the number the kernel's steering program computes for each datagram
// (native/udp-batch/reuseport_group.c), so the TCRP side can hand a room's admissions to the shard
// whose socket receives that room's datagrams. Keep the two in step: a test checks they agree.

/** Room-name bytes that take part in the hash (room names are at most 28 bytes). */
export const ROOM_HASH_BYTES = 8;

/** 32-bit FNV-1a over the first ROOM_HASH_BYTES bytes of the room name, modulo the shard count. */
export function roomShard(room: Uint8Array, count: number): number {
  let h = 0x811c9dc5;
  const n = Math.min(room.length, ROOM_HASH_BYTES);
  for (let i = 0; i < n; i++) h = Math.imul(h ^ (room[i] as number), 0x01000193);
  return (h >>> 0) % count;
}
