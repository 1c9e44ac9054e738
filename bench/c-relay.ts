// A third reference: the relay's UDP half in C (bench/native/c_relay.c: one thread, recvmmsg, a token
// table, each line built once, sendmmsg per receive batch) — the compiled relay issue #5 quotes at
// ~30,000 datagrams/s in. The TCRP handshake is the naive relay's; each admitted member is registered
// with the C side, which learns its endpoint from its first datagram. Run beside the real server
// (--compare-c) it says what fraction of compiled code's ceiling ours reaches on the same machine.
// Not hardened: for loopback benchmarking only.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { normaliseIp } from '../src-main/engine/index.js';
import { NaiveRelay, type NaiveMember, type NaiveRelayOptions, type NaiveRoom } from './naive-relay.js';

/** The name of the C relay's own thread (at most 15 bytes), by which a pinned run finds and raises it. */
export const C_RELAY_THREAD = 'c-relay-loop';

interface NativeCRelay {
  /**
   * Binds and starts the relay thread, named `threadName`; each member may send
   * `messagesPerSecond` (bursts of 4×).
   */
  start(host: string, port: number, messagesPerSecond: number, threadName: string): void;
  /** Index of a new room, for addMember. */
  addRoom(name: Buffer): number;
  addMember(token: Buffer, room: number, name: Buffer, ip: string): void;
  stats(): { datagramsIn: number; datagramsOut: number; sendFailures: number; rooms: number; members: number };
  stop(): void;
}

const here = path.dirname(fileURLToPath(import.meta.url));
// From the source (bench/) and from the bundle the bench runs (out/bench/).
const candidates = [
  path.join(here, 'native', 'build', 'c_relay.node'),
  path.join(here, '..', '..', 'bench', 'native', 'build', 'c_relay.node'),
];

/** The addon, or why it cannot be used. */
export function loadCRelay(): NativeCRelay | string {
  if (process.platform !== 'linux') return 'the C reference relay is Linux only';
  const file = candidates.find((f) => existsSync(f));
  if (file === undefined) return 'bench/native/build/c_relay.node is not built (npm run build:native)';
  try {
    return createRequire(import.meta.url)(file) as NativeCRelay;
  } catch (err) {
    return `could not load ${file}: ${(err as Error).message}`;
  }
}

export interface CRelayOptions extends NaiveRelayOptions {
  /** The per-member rate limit, as the real server's maxMessagesPerSecond (50). */
  messagesPerSecond?: number;
}

export class CRelay extends NaiveRelay {
  private native: NativeCRelay | null = null;
  private readonly roomIndex = new Map<NaiveRoom, number>();
  private readonly messagesPerSecond: number;

  constructor(options: CRelayOptions) {
    super(options);
    this.messagesPerSecond = options.messagesPerSecond ?? 50;
  }

  protected override async openUdp(host: string, port: number): Promise<void> {
    const loaded = loadCRelay();
    if (typeof loaded === 'string') throw new Error(loaded);
    loaded.start(host, port, this.messagesPerSecond, C_RELAY_THREAD);
    this.native = loaded;
  }

  protected override async closeUdp(): Promise<void> {
    this.native?.stop();
    this.native = null;
  }

  protected override memberAdded(roomName: string, room: NaiveRoom, token: string, member: NaiveMember): boolean {
    const native = this.native;
    if (native === null) return false;
    try {
      let index = this.roomIndex.get(room);
      if (index === undefined) {
        index = native.addRoom(Buffer.from(roomName));
        this.roomIndex.set(room, index);
      }
      native.addMember(Buffer.from(token, 'latin1'), index, Buffer.from(member.name), normaliseIp(member.ip));
      return true;
    } catch {
      return false; // over its table's size, a name over 64 bytes, not IPv4: refused, not a crash
    }
  }

  override stats(): Record<string, number> {
    return this.native?.stats() ?? {};
  }
}
