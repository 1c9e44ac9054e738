// Step one of docs/MULTICORE.md: a SO_REUSEPORT group whose steering program sends every datagram of
// a room to the same socket. Real sockets on loopback: the kernel's choice is compared with
// roomShard(), the number the TCRP side would use to pick the owning shard.
import { createSocket, type Socket } from 'node:dgram';
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { roomShard } from '../../src-main/engine/server/room-shard.js';
import { loadUdpBatch, type UdpBatch } from '../../src-main/engine/server/udp-batch.js';
import { letTimePass, waitUntil } from '../support/wait.js';
import { mustAt } from '../support/must.js';

const batch = process.platform === 'linux' ? loadUdpBatch() : null;
const opened: Socket[] = [];

afterEach(() => {
  for (const s of opened.splice(0)) {
    try {
      s.close();
    } catch {
      // closed by the test
    }
  }
});

interface Arrival {
  socket: number;
  room: string;
  from: number;
}

/** Adopts each descriptor of a group with node:dgram and records which socket gets what. */
async function adopt(fds: number[], type: 'udp4' | 'udp6'): Promise<{ sockets: Socket[]; arrivals: Arrival[] }> {
  const arrivals: Arrival[] = [];
  const sockets = await Promise.all(
    fds.map(
      (fd, index) =>
        new Promise<Socket>((resolve) => {
          const s = createSocket(type);
          opened.push(s);
          s.on('message', (msg, rinfo) => {
            const roomLen = msg.length > 0 ? (msg[0] as number) : 0;
            arrivals.push({ socket: index, room: msg.subarray(2, 2 + roomLen).toString('utf8'), from: rinfo.port });
          });
          s.bind({ fd }, () => resolve(s));
        }),
    ),
  );
  return { sockets, arrivals };
}

async function client(type: 'udp4' | 'udp6', host: string): Promise<Socket> {
  const s = createSocket(type);
  opened.push(s);
  await new Promise<void>((resolve) => s.bind(0, host, () => resolve()));
  return s;
}

/** A spec client datagram: [roomLen][tokenLen][room][token][message]. */
function datagram(room: string): Buffer {
  const roomBytes = Buffer.from(room, 'utf8');
  const token = Buffer.from('t0k3n-of-thirty-two-bytes-padded');
  return Buffer.concat([Buffer.from([roomBytes.length, token.length]), roomBytes, token, Buffer.from('hello')]);
}

describe.skipIf(batch === null)('SO_REUSEPORT group steered by room name', () => {
  const native = batch as UdpBatch;

  it('roomShard is FNV-1a over the first 8 bytes of the name', () => {
    // Reference values of 32-bit FNV-1a: "" → 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
    expect(roomShard(new Uint8Array(0), 2 ** 31)).toBe(0x811c9dc5 % 2 ** 31);
    expect(roomShard(Buffer.from('a'), 0x100000000)).toBe(0xe40c292c);
    expect(roomShard(Buffer.from('foobar'), 0x100000000)).toBe(0xbf9cf968);
    expect(roomShard(Buffer.from('lobby-one-and-more'), 7)).toBe(roomShard(Buffer.from('lobby-on'), 7)); // only 8 bytes count
  });

  it('binds every socket to one port and delivers each room to socket roomShard(room, n), from any sender', async () => {
    const fds = native.openReusePortGroup('127.0.0.1', 0, 4, false);
    expect(fds).toHaveLength(4);
    const { sockets, arrivals } = await adopt(fds, 'udp4');
    const port = mustAt(sockets, 0, 'group socket').address().port;
    for (const s of sockets) expect(s.address()).toEqual({ address: '127.0.0.1', family: 'IPv4', port });
    // Names of every length up to the 28-byte limit, multi-byte UTF-8, names sharing 8-byte prefixes.
    const rooms = fc.sample(
      fc.string({ minLength: 1, maxLength: 28 }).filter((r) => Buffer.byteLength(r) <= 28),
      { numRuns: 150, seed: 7 },
    );
    rooms.push('é', '部屋', 'lobby', 'lobby-eight', 'lobby-eighteen', '🎉🎉🎉🎉🎉🎉🎉');
    const senders = await Promise.all([1, 2, 3].map(() => client('udp4', '127.0.0.1')));
    for (const [k, room] of rooms.entries()) {
      for (const sender of senders) sender.send(datagram(room), port, '127.0.0.1');
      if (k % 40 === 39) await letTimePass(10, 'stay within the socket buffers');
    }
    await waitUntil(() => arrivals.length === rooms.length * senders.length);
    for (const a of arrivals)
      expect({ room: a.room, socket: a.socket }).toEqual({
        room: a.room,
        socket: roomShard(Buffer.from(a.room, 'utf8'), 4),
      });
    // Every socket gets some rooms: the steering spreads them.
    expect(new Set(arrivals.map((a) => a.socket)).size).toBe(4);
  });

  it('sends datagrams too short for the hash to socket 0 instead of losing them, from any sender', async () => {
    const { sockets, arrivals } = await adopt(native.openReusePortGroup('127.0.0.1', 0, 3, false), 'udp4');
    const port = mustAt(sockets, 0, 'group socket').address().port;
    // Several source ports: without the program the kernel would spread them by address hash.
    const senders = await Promise.all([1, 2, 3, 4, 5, 6].map(() => client('udp4', '127.0.0.1')));
    for (const sender of senders) {
      sender.send(Buffer.alloc(0), port, '127.0.0.1'); // empty
      sender.send(Buffer.from([20]), port, '127.0.0.1'); // claims a 20-byte room that is not there
      sender.send(Buffer.from([9, 1, 0x61]), port, '127.0.0.1'); // cut inside the hashed bytes
    }
    await waitUntil(() => arrivals.length === 18);
    expect(arrivals.map((a) => a.socket)).toEqual(Array(18).fill(0));
  });

  it('replies leave from the shared port, whichever socket sends them', async () => {
    const { sockets } = await adopt(native.openReusePortGroup('127.0.0.1', 0, 2, false), 'udp4');
    const receiver = await client('udp4', '127.0.0.1');
    const seen: number[] = [];
    receiver.on('message', (_m, rinfo) => seen.push(rinfo.port));
    mustAt(sockets, 1, 'group socket').send('from socket 1', receiver.address().port, '127.0.0.1');
    await waitUntil(() => seen.length === 1);
    expect(seen).toEqual([mustAt(sockets, 0, 'group socket').address().port]);
  });

  it('works for IPv6 too', async () => {
    try {
      await client('udp6', '::1');
    } catch {
      return; // no IPv6 loopback on this machine: nothing to check
    }
    const { sockets, arrivals } = await adopt(native.openReusePortGroup('::1', 0, 2, true), 'udp6');
    const sender = await client('udp6', '::1');
    for (const room of ['alpha', 'beta', 'gamma', 'delta', 'epsilon'])
      sender.send(datagram(room), mustAt(sockets, 0, 'group socket').address().port, '::1');
    await waitUntil(() => arrivals.length === 5);
    for (const a of arrivals) expect(a.socket).toBe(roomShard(Buffer.from(a.room), 2));
  });

  it('refuses bad arguments and a port another socket holds without SO_REUSEPORT', async () => {
    expect(() => native.openReusePortGroup('127.0.0.1', 0, 0, false)).toThrow(TypeError);
    expect(() => native.openReusePortGroup('127.0.0.1', 0, 65, false)).toThrow(TypeError);
    expect(() => native.openReusePortGroup('localhost', 0, 2, false)).toThrow(TypeError);
    const taken = await client('udp4', '127.0.0.1');
    expect(() => native.openReusePortGroup('127.0.0.1', taken.address().port, 2, false)).toThrow(
      /bind: Address already in use/,
    );
  });

  it('never joins sockets already on the port, not even another group of the same user', async () => {
    const { sockets } = await adopt(native.openReusePortGroup('127.0.0.1', 0, 2, false), 'udp4');
    const fdsBefore = readdirSync('/proc/self/fd').length;
    // Joining would silently take rooms from the first group and replace its steering program.
    expect(() =>
      native.openReusePortGroup('127.0.0.1', mustAt(sockets, 0, 'group socket').address().port, 2, false),
    ).toThrow(/bind: Address already in use/);
    expect(readdirSync('/proc/self/fd').length).toBe(fdsBefore); // nothing left open by the failure
  });
});
