// The generator's native UDP (bench/native/gen_udp.c, built by `npm install` on Linux): connected
// sockets, sends without a JS callback per datagram, and one C thread that receives with recvmmsg and
// keeps the latency histogram, so the generator is not what a run measures.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeGenStats {
  received: number;
  outside: number;
  notices: number;
  acks: number;
  unknown: number;
  /** Raw mode: datagrams dropped because the buffer was full (JS did not take them in time). */
  rawDropped: number;
  /** Pairs: latency µs, count. */
  latency: Float64Array;
}

export interface NativeSendCounts {
  sent: number;
  sentInWindow: number;
  expected: number;
  skipped: number;
  skippedInWindow: number;
  errors: number;
  maxLagMicros: number;
}

export interface NativeGenUdp {
  open(localIp: string, serverIp: string, serverPort: number, recvBufferBytes: number): [fd: number, port: number];
  send(fd: number, datagram: Buffer): number;
  closeSocket(fd: number): void;
  /**
   * rawBytes > 0: raw mode — the thread classifies nothing and keeps every datagram (up to that many
   * bytes) for takeRaw(), for encrypted members whose keys only JS holds.
   */
  startReceiver(
    control: number,
    chatKind: number,
    ackKind: number,
    chatHeaderBytes: number,
    pollMicros: number,
    rawBytes?: number,
  ): void;
  /**
   * Raw mode: the datagrams received since the last call, as records of RAW_RECORD_HEADER bytes —
   * socket fd (int32), length (uint32), kernel arrival time on the nowMicros() clock (float64), all
   * little-endian on the hosts this runs on — each followed by the datagram.
   */
  takeRaw(): Buffer;
  /**
   * takeRaw into `buffer` (at least rawBytes long, reused across calls); returns the bytes written.
   * Missing from binaries built before it.
   */
  takeRawInto?(buffer: Buffer): number;
  setWindow(startMicros: number, endMicros: number): void;
  takeStats(): NativeGenStats;
  stopReceiver(): void;
  /**
   * Starts the paced sender thread. meta holds 6 numbers per user in send order: fd, offset and
   * length of its datagram in blob, stamp offset, Tincan id offset (−1: none), room members.
   */
  startSender(
    blob: Buffer,
    meta: Int32Array,
    totalRatePerSec: number,
    startAt: number,
    windowStart: number,
    windowEnd: number,
    stopAt: number,
  ): void;
  stopSender(): NativeSendCounts;
  /** CPU ns per 64-byte datagram sent and received over loopback (sendmmsg/recvmmsg); −1 if unusable. */
  calibrate(count: number): number;
}

export const RAW_RECORD_HEADER = 16;

const binary = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'native', 'build', 'gen_udp.node');

/** The module, or a reason it is not there. */
export function loadNativeGenUdp(): NativeGenUdp | string {
  if (process.platform !== 'linux') return 'the native generator is Linux only';
  if (!existsSync(binary)) return `${path.relative(process.cwd(), binary)} is not built (npm run build:native)`;
  try {
    return createRequire(import.meta.url)(binary) as NativeGenUdp;
  } catch (err) {
    return `could not load ${binary}: ${(err as Error).message}`;
  }
}
