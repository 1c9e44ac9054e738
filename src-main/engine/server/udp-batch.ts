// Optional native accelerator for the relay's sends (native/udp-batch): one sendmmsg(2) per chat
// message instead of one node:dgram send per recipient. Linux only, built by `npm install`; when it
// is missing, disabled (TINCAN_UDP_BATCH=off) or cannot reach the socket, the server uses dgram.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'node:dgram';

export interface UdpBatch {
  /** Bytes per recipient slot in the `slots` buffer given to sendBatch. */
  readonly SLOT_BYTES: number;
  /**
   * Sends data[0, length) to the first `count` slots except slot `skip` (−1: none). Returns consumed +
   * 65536 × refused: slot positions done (sent, refused or skipped; fewer than count = EAGAIN) and how
   * many of them the kernel refused.
   */
  sendBatch(fd: number, data: Uint8Array, length: number, slots: Uint8Array, count: number, skip: number): number;
  /**
   * sendBatch, then extra[0, extraLength) to `extraSlot` as position `count`, in the same system
   * calls; the result counts over count + 1 positions. Missing from binaries built before it.
   */
  sendBatchThen?(
    fd: number,
    data: Uint8Array,
    length: number,
    slots: Uint8Array,
    count: number,
    skip: number,
    extra: Uint8Array,
    extraLength: number,
    extraSlot: Uint8Array,
  ): number;
  /** A slot for an IP literal and port, in the socket's family; null for what it cannot encode. */
  packAddress(ip: string, port: number, v6socket: boolean): Buffer | null;
  /** Datagrams the kernel refused since the module loaded. */
  refusedCount(): number;
  /** Receive layout: RX_BATCH slots of RX_SLOT bytes in the buffer, RX_META ints per slot in meta. */
  readonly RX_BATCH: number;
  readonly RX_SLOT: number;
  readonly RX_META: number;
  readonly RX_TEXT_AT: number;
  /**
   * Reads a dup of `fd` on the event loop with recvmmsg and calls `onBatch(count)` per batch; each
   * slot's meta is [length, truncated, family 4|6, port, address words ×4, text length, 0].
   */
  startReceiver(fd: number, buffer: Uint8Array, meta: Int32Array, onBatch: (count: number) => void): object;
  stopReceiver(receiver: object): void;
  /**
   * `count` (1–64) UDP sockets bound to ip:port with SO_REUSEPORT (port 0: chosen by the first), and a
   * steering program that sends each datagram to socket roomShard(room, count). Returns their
   * descriptors in group order; node:dgram adopts one with bind({ fd }). Throws, leaving nothing open.
   */
  openReusePortGroup(ip: string, port: number, count: number, v6only: boolean): number[];
}

/** Where the build script puts the binary, relative to the package root. */
export const UDP_BATCH_BINARY = join('native', 'udp-batch', 'build', 'udp_batch.node');

let cached: UdpBatch | null | undefined;

/** The loaded module, or null (with the reason in `udpBatchUnavailable`). Loads once. */
export function loadUdpBatch(): UdpBatch | null {
  if (cached !== undefined) return cached;
  cached = null;
  const setting = process.env['TINCAN_UDP_BATCH'];
  if (setting === 'off' || setting === '0') {
    unavailable = 'disabled by TINCAN_UDP_BATCH';
    return null;
  }
  if (process.platform !== 'linux') {
    unavailable = 'sendmmsg is Linux only';
    return null;
  }
  const path = setting && setting !== 'on' ? setting : findBinary();
  if (path === null) {
    unavailable = `${UDP_BATCH_BINARY} not built`;
    return null;
  }
  try {
    const mod = createRequire(import.meta.url)(path) as UdpBatch;
    if (typeof mod.sendBatch !== 'function' || typeof mod.packAddress !== 'function')
      throw new Error('unexpected exports');
    cached = mod;
  } catch (err) {
    unavailable = `could not load ${path}: ${(err as Error).message}`;
  }
  return cached;
}

let unavailable = '';
/** Why loadUdpBatch returned null ('' when it loaded or was not tried). */
export function udpBatchUnavailable(): string {
  return unavailable;
}

/** Walks up from this file to the package root (sources run from src-main/, the CLI from out/node/). */
function findBinary(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, UDP_BATCH_BINARY);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

export interface RawSocket {
  readonly fd: number;
  /** False from the moment close() is called (the 'close' event only comes a tick later). */
  open(): boolean;
  /** Stops dgram's own reads (libuv's recv) so another reader owns the socket; false if it could not. */
  stopDgramReads(): boolean;
}

/**
 * The file descriptor behind a bound dgram socket. Node has no public accessor: the handle sits
 * under the socket's internal state symbol (reading the deprecated `_handle` would print a warning).
 * Returns null when the internals differ, and the caller keeps using dgram.
 */
export function rawSocket(socket: Socket): RawSocket | null {
  for (const symbol of Object.getOwnPropertySymbols(socket)) {
    if (symbol.description !== 'state symbol') continue;
    type Handle = { fd?: unknown; recvStop?: () => number };
    // eslint-disable-next-line no-restricted-syntax -- reads Node's internal socket state (see above); no public API exposes the fd
    const state = (socket as unknown as Record<symbol, { handle?: Handle | null } | undefined>)[symbol];
    const handle = state?.handle;
    const fd = handle?.fd;
    if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 0) return null;
    return {
      fd,
      // dgram's close() drops the handle synchronously; after that the number may belong to another file.
      open: () => state?.handle === handle,
      stopDgramReads: () => typeof handle?.recvStop === 'function' && handle.recvStop() === 0,
    };
  }
  return null;
}
