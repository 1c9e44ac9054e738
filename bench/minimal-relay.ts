// A second reference: the tuned minimal Node relay issue #5 quotes ("4 MiB recvBufferSize, no
// per-datagram strings or JSON"). Same TCRP handshake as the naive relay (it extends it), but each
// datagram is parsed by offsets, the member found by a numeric key of its token bytes and checked
// byte for byte, and each message encoded once and sent with node:dgram, one send per recipient —
// what a careful Node relay does without native code. The bench can run it beside the real server
// (--compare-minimal) so the gain of our native path is a ratio measured on the same machine.
// Not hardened: for loopback benchmarking only.
import type dgram from 'node:dgram';
import { NaiveRelay, type NaiveMember, type NaiveRoom } from './naive-relay.js';

interface Entry {
  member: NaiveMember;
  token: Buffer;
  roomBytes: Buffer;
  /** `name: ` as bytes, the start of every line this member sends. */
  prefix: Buffer;
  /** Everyone in the room (shared by its entries). */
  peers: Entry[];
}

/** A 30-bit key of the first 6 token bytes: a small integer, so looking it up allocates nothing. */
function keyOf(bytes: Uint8Array, start: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < 6; i++) h = Math.imul(h ^ (bytes[start + i] as number), 0x01000193);
  return h & 0x3fffffff;
}

function equalAt(a: Uint8Array, b: Uint8Array, at: number): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[at + i]) return false;
  return true;
}

export class MinimalRelay extends NaiveRelay {
  private readonly byKey = new Map<number, Entry[]>();
  private readonly peersOf = new Map<NaiveRoom, Entry[]>();

  protected override memberAdded(roomName: string, room: NaiveRoom, token: string, member: NaiveMember): boolean {
    let peers = this.peersOf.get(room);
    if (peers === undefined) {
      peers = [];
      this.peersOf.set(room, peers);
    }
    const tokenBytes = Buffer.from(token, 'latin1');
    const entry: Entry = {
      member,
      token: tokenBytes,
      roomBytes: Buffer.from(roomName),
      prefix: Buffer.from(`${member.name}: `),
      peers,
    };
    peers.push(entry);
    const key = keyOf(tokenBytes, 0);
    const bucket = this.byKey.get(key);
    if (bucket) bucket.push(entry);
    else this.byKey.set(key, [entry]);
    return true;
  }

  protected override onDatagram(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    this.datagramsIn++;
    if (msg.length < 2) return;
    const roomSize = msg[0] as number;
    const tokenSize = msg[1] as number;
    const tokenStart = 2 + roomSize;
    const textStart = tokenStart + tokenSize;
    if (tokenSize < 6 || textStart > msg.length) return;
    const entry = this.find(msg, tokenStart, tokenSize);
    if (entry === undefined || entry.roomBytes.length !== roomSize || !equalAt(entry.roomBytes, msg, 2)) return;
    const member = entry.member;
    if (member.ip !== rinfo.address) return;
    if (member.port !== rinfo.port || member.address !== rinfo.address) {
      const isNew = member.address === null;
      member.address = rinfo.address;
      member.port = rinfo.port;
      if (isNew) this.announce(entry, `* ${member.name} joined the room`);
    }
    if (textStart === msg.length) return;
    const line = Buffer.allocUnsafe(entry.prefix.length + msg.length - textStart);
    entry.prefix.copy(line, 0);
    msg.copy(line, entry.prefix.length, textStart);
    this.sendToPeers(entry, line);
  }

  private find(msg: Buffer, start: number, size: number): Entry | undefined {
    const bucket = this.byKey.get(keyOf(msg, start));
    if (bucket === undefined) return undefined;
    for (const e of bucket) if (e.token.length === size && equalAt(e.token, msg, start)) return e;
    return undefined;
  }

  private announce(from: Entry, text: string): void {
    this.sendToPeers(from, Buffer.from(text));
  }

  private sendToPeers(from: Entry, line: Buffer): void {
    const udp = this.udp as dgram.Socket;
    const peers = from.peers;
    for (let i = 0; i < peers.length; i++) {
      const other = (peers[i] as Entry).member;
      if (other === from.member || other.address === null) continue;
      udp.send(line, other.port, other.address);
      this.datagramsOut++;
    }
  }
}
