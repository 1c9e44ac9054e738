// The native receive path (native/udp-batch): recvmmsg reads up to 64 datagrams per wake-up into one
// reused buffer and hands them to the relay in a single call, instead of one libuv read, one new
// ArrayBuffer, one address string and one 'message' event per datagram. Each datagram is handed
// over as the shared buffer and its offsets (a view per datagram would be an object per datagram);
// handlers never keep the buffer past the call, so it can be reused at once.
import type { RemoteInfo, Socket } from 'node:dgram';
import { rawSocket, type UdpBatch } from './udp-batch.js';

/** One datagram: buf[start, end), from rinfo. Neither may be kept after the call. */
export type DatagramHandler = (buf: Buffer, start: number, end: number, rinfo: RemoteInfo) => void;

/** IPv4 address strings by address, so a busy sender costs no string per datagram. */
const ADDRESS_CACHE_MAX = 65_536;

export class NativeUdpIn {
  private receiver: object | null;
  private readonly v4Text = new Map<number, string>();

  private constructor(
    private readonly batch: UdpBatch,
    fd: number,
    private readonly buffer: Buffer,
    private readonly meta: Int32Array,
    private readonly handler: DatagramHandler,
  ) {
    this.receiver = batch.startReceiver(fd, buffer, meta, this.onBatch);
  }

  /** Takes the socket's reads over from dgram; null (and dgram keeps reading) when that is not possible. */
  static start(socket: Socket, batch: UdpBatch, handler: DatagramHandler): NativeUdpIn | null {
    const raw = rawSocket(socket);
    if (raw === null || typeof batch.startReceiver !== 'function') return null;
    if (!raw.stopDgramReads()) return null;
    const input = new NativeUdpIn(
      batch,
      raw.fd,
      Buffer.alloc(batch.RX_BATCH * batch.RX_SLOT),
      new Int32Array(batch.RX_BATCH * batch.RX_META),
      handler,
    );
    // Our reader holds a duplicate descriptor: without this the port would stay bound after close().
    socket.once('close', () => input.stop());
    return input;
  }

  get active(): boolean {
    return this.receiver !== null;
  }

  stop(): void {
    if (this.receiver === null) return;
    this.batch.stopReceiver(this.receiver);
    this.receiver = null;
  }

  /** One object for every datagram of a batch: handlers read it and must not keep it. */
  private readonly rinfo: RemoteInfo = { address: '', family: 'IPv4', port: 0, size: 0 };

  private readonly onBatch = (count: number): void => {
    const { RX_SLOT, RX_META, RX_TEXT_AT } = this.batch;
    const meta = this.meta;
    const rinfo = this.rinfo;
    for (let i = 0; i < count && this.receiver !== null; i++) {
      const m = i * RX_META;
      const start = i * RX_SLOT;
      const length = meta[m] as number;
      if ((meta[m + 2] as number) === 4) {
        // Signed 32-bit: a small integer in Node's usual V8 build (31-bit small integers, as with
        // pointer compression, would still box the upper half of the address space).
        const key = (meta[m + 4] as number) | 0;
        let text = this.v4Text.get(key);
        if (text === undefined) {
          if (this.v4Text.size >= ADDRESS_CACHE_MAX) this.v4Text.clear();
          text = this.buffer.toString('latin1', start + RX_TEXT_AT, start + RX_TEXT_AT + (meta[m + 8] as number));
          this.v4Text.set(key, text);
        }
        rinfo.address = text;
        rinfo.family = 'IPv4';
      } else {
        rinfo.address = this.buffer.toString(
          'latin1',
          start + RX_TEXT_AT,
          start + RX_TEXT_AT + (meta[m + 8] as number),
        );
        rinfo.family = 'IPv6';
      }
      rinfo.port = meta[m + 3] as number;
      rinfo.size = length;
      this.handler(this.buffer, start, start + length, rinfo);
    }
  };
}
