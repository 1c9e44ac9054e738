// The generator's native UDP (bench/native/gen_udp.c, built by `npm install` on Linux): connected
// sockets, sends without a JS callback per datagram, and one C thread that receives with recvmmsg and
// keeps the latency histogram, so the generator is not what a run measures.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Timeline } from '../late-spells.js';
import type { MachineHold } from './types.js';

export interface NativeGenStats {
  received: number;
  outside: number;
  notices: number;
  acks: number;
  unknown: number;
  /** Raw mode: datagrams dropped because the buffer was full (JS did not take them in time). */
  rawDropped: number;
  /** Raw mode: datagrams the thread opened under room keys (setRoomKey), and those it refused. */
  sealedOpened?: number;
  sealedRefused?: number;
  /** Pairs: latency µs, count. */
  latency: Float64Array;
  /** Per running canary (startCanaries), over the window. Missing from older binaries. */
  holds?: MachineHold[];
}

export interface NativeSendCounts {
  sent: number;
  sentInWindow: number;
  expected: number;
  skipped: number;
  skippedInWindow: number;
  errors: number;
  maxLagMicros: number;
  /** 1 when the sender thread got real-time priority (SCHED_FIFO), else 0. */
  realtime: number;
}

export interface NativeGenUdp {
  open(localIp: string, serverIp: string, serverPort: number, recvBufferBytes: number): [fd: number, port: number];
  send(fd: number, datagram: Buffer): number;
  closeSocket(fd: number): void;
  /**
   * rawBytes > 0: raw mode, for encrypted members — the thread keeps every datagram it cannot open
   * (up to that many bytes) for takeRaw(); it opens only what setRoomKey gave it the key for.
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
  /**
   * Raw mode: from now on the thread opens the datagrams on socket `fd` sealed under room key `epoch`
   * (replay window included) and counts them itself; the rest still goes to takeRaw. Missing from
   * binaries built before it.
   */
  setRoomKey?(fd: number, cipherId: number, epoch: number, key: Uint8Array, iv: Uint8Array): void;
  setWindow(startMicros: number, endMicros: number): void;
  takeStats(): NativeGenStats;
  /** The window's latency per millisecond of send stamps (late-spells.ts). Missing from older binaries. */
  takeTimeline?(): Timeline;
  /**
   * Starts a canary thread on each CPU (at most 2), waking every intervalMicros at the highest
   * real-time priority; returns how many got it. Missing from older binaries.
   */
  startCanaries?(cpus: number[], intervalMicros: number): number;
  stopCanaries?(): void;
  stopReceiver(): void;
  /**
   * Starts the paced sender thread. meta holds SENDER_META_INTS numbers per user in send order: fd,
   * offset and length of its datagram in blob, stamp offset, Tincan id offset (−1: none), room
   * members, the id before its first. With `sealing` (SEALING_RECORD_BYTES per user, see
   * sealingRecord) the blob holds each member's plaintext message, sealed at every send.
   */
  startSender(
    blob: Buffer,
    meta: Int32Array,
    totalRatePerSec: number,
    startAt: number,
    windowStart: number,
    windowEnd: number,
    stopAt: number,
    sealing?: Buffer,
  ): void;
  stopSender(): NativeSendCounts;
  /** CPU ns per 64-byte datagram sent and received over loopback (sendmmsg/recvmmsg); −1 if unusable. */
  calibrate(count: number): number;
}

export const RAW_RECORD_HEADER = 16;
/** Numbers per user in startSender's meta. */
export const SENDER_META_INTS = 7;
/** Bytes per member in startSender's `sealing` (bench/native/gen_sealed.h). */
export const SEALING_RECORD_BYTES = 76;

/** What the sender thread needs to seal one member's chat: its session's lent counters and key. */
export interface SealingRecordFields {
  cipher: number;
  /** Plaintext bytes per datagram: length prefix, message and padding (paddedLength). */
  padded: number;
  first: number;
  count: number;
  key: Uint8Array;
  iv: Uint8Array;
  sessionId: Uint8Array;
}

/** Writes one member's record at out[at…), in gen_sealed.h's layout. */
export function writeSealingRecord(out: Buffer, at: number, r: SealingRecordFields): void {
  out.fill(0, at, at + SEALING_RECORD_BYTES);
  out[at] = r.cipher;
  out.writeUInt32LE(r.padded, at + 4);
  out.writeDoubleLE(r.first, at + 8);
  out.writeDoubleLE(r.count, at + 16);
  out.set(r.key, at + 24);
  out.set(r.iv, at + 56);
  out.set(r.sessionId, at + 68);
}

/** True when this build's threads seal and open encrypted members' datagrams (setRoomKey is there). */
export function nativeGenSeals(native: NativeGenUdp | string): native is NativeGenUdp {
  return typeof native !== 'string' && typeof native.setRoomKey === 'function';
}

/** Whether encrypted members on `io` are sealed for by the C threads (else by JS, from its tick). */
export function encryptedSendsNative(io: 'native' | 'dgram'): boolean {
  return io === 'native' && nativeGenSeals(loadNativeGenUdp());
}

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
