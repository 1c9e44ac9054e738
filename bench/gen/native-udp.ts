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
  /** Pairs: latency µs, count. */
  latency: Float64Array;
}

export interface NativeGenUdp {
  open(localIp: string, serverIp: string, serverPort: number, recvBufferBytes: number): [fd: number, port: number];
  send(fd: number, datagram: Buffer): number;
  closeSocket(fd: number): void;
  startReceiver(control: number, chatKind: number, ackKind: number, chatHeaderBytes: number, pollMicros: number): void;
  setWindow(startMicros: number, endMicros: number): void;
  takeStats(): NativeGenStats;
  stopReceiver(): void;
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
