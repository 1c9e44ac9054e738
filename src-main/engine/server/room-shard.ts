// Which shard owns a room when the relay runs as several sockets on one port (docs/MULTICORE.md):
// the number the kernel's steering program computes for each datagram
// (native/udp-batch/reuseport_group.c), so the TCP side can hand a room's connections to the shard
// whose socket receives that room's datagrams. Keep the two in step: a test checks they agree.
import { fnv1a32 } from './bytes.js';

/** Room-name bytes that take part in the hash (room names are at most 28 bytes). */
export const ROOM_HASH_BYTES = 8;

/** 32-bit FNV-1a over the first ROOM_HASH_BYTES bytes of the room name, modulo the shard count. */
export function roomShard(room: Uint8Array, count: number): number {
  // Unsigned, as the BPF program's arithmetic is.
  return (fnv1a32(room, 0, Math.min(room.length, ROOM_HASH_BYTES)) >>> 0) % count;
}
