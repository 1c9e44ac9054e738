// The relay's native UDP (native/udp-batch: sendmmsg out, recvmmsg in) against real loopback sockets:
// built and used on Linux, one refused recipient costs only its own datagram, a full send buffer
// (EAGAIN) hands the rest to libuv without reordering, the descriptor is never used after close, and
// the receiver delivers every datagram with its sender's address and frees the port on stop.
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { RoomRegistry, type Member } from '../../src-main/engine/server/room-registry.js';
import { loadUdpBatch, rawSocket, udpBatchUnavailable, type UdpBatch } from '../../src-main/engine/server/udp-batch.js';
import { NativeUdpIn } from '../../src-main/engine/server/udp-in.js';
import { UdpOut } from '../../src-main/engine/server/udp-out.js';
import { letTimePass, waitUntil } from '../support/wait.js';
import { must, mustAt } from '../support/must.js';

const linux = process.platform === 'linux';
const sockets: Socket[] = [];

afterEach(() => {
  for (const s of sockets.splice(0)) {
    try {
      s.close();
    } catch {
      // already closed by the test
    }
  }
});

async function bound(type: 'udp4' | 'udp6', host: string): Promise<Socket> {
  const s = createSocket(type);
  sockets.push(s);
  s.on('error', () => {}); // dgram-path send errors surface here; the counts are what is checked
  await new Promise<void>((resolve) => s.bind(0, host, () => resolve()));
  return s;
}

/** A receiving socket that records what arrives. */
async function listener(
  type: 'udp4' | 'udp6' = 'udp4',
  host = '127.0.0.1',
): Promise<{ socket: Socket; got: string[] }> {
  const socket = await bound(type, host);
  const got: string[] = [];
  socket.on('message', (m) => got.push(m.toString('utf8')));
  return { socket, got };
}

/** The registry of the last members() call, for endpoint changes. */
let registry = new RoomRegistry();

function members(endpoints: Array<{ address: string; port: number }>): Member[] {
  registry = new RoomRegistry();
  const room = registry.createRoom('r', null, 0);
  return endpoints.map((e, i) => {
    const m = registry.addMember(room, `m${i}`, i === 0, 0, '127.0.0.1', 0, 10);
    registry.setEndpoint(m, e.address, e.port);
    return m;
  });
}

/**
 * The real module, except that its first sendBatch call stops after `positions` slot positions as if
 * the send buffer were full: the kernel's EAGAIN cannot be provoked on loopback (it frees send
 * buffers on delivery).
 */
function fullAfter(positions: number): { batch: UdpBatch; calls: () => number } {
  const real = loadUdpBatch() as UdpBatch;
  let calls = 0;
  const batch: UdpBatch = {
    ...real,
    sendBatch: (fd, data, length, slots, count, skip) =>
      real.sendBatch(fd, data, length, slots, calls++ === 0 ? positions : count, skip),
  };
  return { batch, calls: () => calls };
}

describe.skipIf(!linux)('native batch sends (Linux)', () => {
  it('the accelerator is built by npm install and loads', () => {
    const batch = loadUdpBatch();
    expect(batch, udpBatchUnavailable()).not.toBeNull();
    expect(batch?.SLOT_BYTES).toBe(28);
  });

  it('packs IPv4, IPv6 and IPv4-mapped endpoints, and refuses what it cannot encode', () => {
    const batch = loadUdpBatch() as UdpBatch;
    expect(batch.packAddress('127.0.0.1', 0x1388, false)?.subarray(2, 8)).toEqual(
      Buffer.from([0x13, 0x88, 127, 0, 0, 1]),
    );
    const mapped = batch.packAddress('127.0.0.1', 80, true) as Buffer;
    expect(mapped.subarray(18, 24)).toEqual(Buffer.from([0xff, 0xff, 127, 0, 0, 1]));
    expect(batch.packAddress('::1', 80, true)?.[23]).toBe(1);
    expect(batch.packAddress('::1', 80, false)).toBeNull(); // an IPv4 socket cannot reach IPv6
    expect(batch.packAddress('fe80::1%eth0', 80, true)).toBeNull(); // scoped: left to dgram
    expect(batch.packAddress('not an ip', 80, false)).toBeNull();
    expect(() => batch.packAddress('127.0.0.1', 70_000, false)).toThrow(TypeError);
    expect(() => batch.sendBatch(0, new Uint8Array(1), 1, new Uint8Array(28), 2, -1)).toThrow(TypeError);
    expect(() => batch.sendBatch(0, new Uint8Array(1), 2, new Uint8Array(28), 1, -1)).toThrow(TypeError); // length > data
  });

  it('sends one message to every recipient of the batch, IPv4 and dual-stack', async () => {
    for (const [type, host, target] of [
      ['udp4', '127.0.0.1', '127.0.0.1'],
      ['udp6', '::', '127.0.0.1'],
      ['udp6', '::1', '::1'],
    ] as const) {
      const sender = await bound(type, host);
      const out = new UdpOut(sender, loadUdpBatch());
      expect(out.path).toBe('sendmmsg');
      const receivers = await Promise.all([1, 2, 3].map(() => listener(target === '::1' ? 'udp6' : 'udp4', target)));
      const to = members(
        receivers.map((r) => ({ address: r.socket.address().address, port: r.socket.address().port })),
      );
      out.sendToMany(Buffer.from(`hello over ${type} ${host}`), to, to.length);
      await waitUntil(() => receivers.every((r) => r.got.length === 1));
      for (const r of receivers) expect(r.got).toEqual([`hello over ${type} ${host}`]);
      expect(out.sent).toBe(3);
      expect(out.failed).toBe(0);
    }
  });

  it('a recipient the kernel refuses costs only its own datagram', async () => {
    const sender = await bound('udp4', '0.0.0.0');
    const out = new UdpOut(sender, loadUdpBatch());
    const a = await listener();
    const b = await listener();
    // Broadcast without SO_BROADCAST: the kernel answers EACCES for this one recipient.
    const to = members([
      { address: '127.0.0.1', port: a.socket.address().port },
      { address: '255.255.255.255', port: 9 },
      { address: '127.0.0.1', port: b.socket.address().port },
    ]);
    out.sendToMany(Buffer.from('still delivered'), to, 3);
    out.sendToMany(Buffer.from('and again'), to, 3);
    await waitUntil(() => a.got.length === 2 && b.got.length === 2);
    expect(a.got).toEqual(['still delivered', 'and again']);
    expect(b.got).toEqual(['still delivered', 'and again']);
    expect(out.sent).toBe(4);
    expect(out.failed).toBe(2);
  });

  it('when the send buffer is full, the rest waits in libuv and later sends do not overtake it', async () => {
    const { batch, calls } = fullAfter(1);
    const sender = await bound('udp4', '127.0.0.1');
    const out = new UdpOut(sender, batch);
    const receivers = await Promise.all([1, 2, 3].map(() => listener()));
    const to = members(receivers.map((r) => ({ address: '127.0.0.1', port: r.socket.address().port })));
    out.sendToMany(Buffer.from('one'), to, 3); // native sends 1, libuv queues 2
    out.sendToMany(Buffer.from('two'), to, 3); // queued sends pending → dgram, in order
    expect(calls()).toBe(1);
    await waitUntil(() => receivers.every((r) => r.got.length === 2));
    out.sendToMany(Buffer.from('three'), to, 3); // queue drained → native again
    expect(calls()).toBe(2);
    await waitUntil(() => receivers.every((r) => r.got.length === 3));
    for (const r of receivers) expect(r.got).toEqual(['one', 'two', 'three']);
    expect(out.sent).toBe(9);
  });

  it('a room table sends to everyone but the sender, and is rebuilt when an endpoint moves', async () => {
    const sender = await bound('udp4', '127.0.0.1');
    const out = new UdpOut(sender, loadUdpBatch());
    const receivers = await Promise.all([1, 2, 3, 4].map(() => listener()));
    const to = members(receivers.map((r) => ({ address: '127.0.0.1', port: r.socket.address().port })));
    const room = (to[0] as Member).room;
    const table = out.tableFor(room);
    expect(table?.plain.members).toEqual(to);
    // Member 2 sends: it is skipped by position, the other three get the message.
    // Only the first `length` bytes of the (scratch) buffer go out.
    out.sendToTable(
      Buffer.from('from m2 and scratch left over'),
      7,
      must(table, 'the room table').plain,
      (to[2] as Member).tableIndex,
    );
    await waitUntil(() => receivers.filter((r) => r.got.length === 1).length === 3);
    expect(receivers.map((r) => r.got)).toEqual([['from m2'], ['from m2'], [], ['from m2']]);
    expect(out.tableFor(room)).toBe(table); // cached while nothing changed
    // Member 0 moves to a new port: the table is rebuilt with the new address.
    const moved = await listener();
    registry.setEndpoint(to[0] as Member, '127.0.0.1', moved.socket.address().port);
    const rebuilt = out.tableFor(room);
    expect(rebuilt).not.toBe(table);
    out.sendToTable(Buffer.from('to the new port'), 15, must(rebuilt, 'the rebuilt table').plain, -1);
    await waitUntil(() => moved.got.length === 1);
    expect(moved.got).toEqual(['to the new port']);
    expect(receivers[0]?.got).toEqual(['from m2']);
  });

  it('a room with an address the native side cannot pack goes through dgram, decided once per change', async () => {
    const sender = await bound('udp4', '127.0.0.1');
    const out = new UdpOut(sender, loadUdpBatch());
    const r = await listener();
    // An IPv6 endpoint on an IPv4 socket cannot be packed (and cannot be reached either).
    const to = members([
      { address: '127.0.0.1', port: r.socket.address().port },
      { address: '::1', port: 9 },
    ]);
    const room = (to[0] as Member).room;
    expect(out.tableFor(room)).toBeNull();
    const cached = room.sendTable;
    expect(cached?.complete).toBe(false);
    expect(out.tableFor(room)).toBeNull();
    expect(room.sendTable).toBe(cached); // not rebuilt for every message
    out.sendToMany(Buffer.from('still delivered'), to, 1); // the packable member alone
    await waitUntil(() => r.got.length === 1);
    expect(r.got).toEqual(['still delivered']);
  });

  it('a room larger than one native call (1,100 recipients) is sent in parts, the sender skipped once', async () => {
    const sender = await bound('udp4', '127.0.0.1');
    const out = new UdpOut(sender, loadUdpBatch());
    const sinks = await Promise.all([1, 2].map(() => listener()));
    for (const sink of sinks) sink.socket.setRecvBufferSize(4 * 1024 * 1024);
    // Members may share an endpoint here: each still gets its own copy.
    const to = members(
      Array.from({ length: 1_100 }, (_, i) => ({
        address: '127.0.0.1',
        port: mustAt(sinks, i % 2, 'sink').socket.address().port,
      })),
    );
    const table = must(out.tableFor((to[0] as Member).room), 'the room table');
    out.sendToTable(Buffer.from('to everyone'), 11, table.plain, 1_051); // in the second part
    await waitUntil(() => mustAt(sinks, 0, 'sink').got.length + mustAt(sinks, 1, 'sink').got.length >= 1_099, {
      timeoutMs: 5_000,
    });
    expect(sinks[0]?.got.length).toBe(550);
    expect(sinks[1]?.got.length).toBe(549); // position 1,051 is odd: its copy is the one skipped
    expect(out.sent).toBe(1_099);
  });

  it('a skipped sender and a full send buffer together: the rest still arrives once, in order', async () => {
    const { batch } = fullAfter(2);
    const sender = await bound('udp4', '127.0.0.1');
    const out = new UdpOut(sender, batch);
    const receivers = await Promise.all([1, 2, 3, 4].map(() => listener()));
    const to = members(receivers.map((r) => ({ address: '127.0.0.1', port: r.socket.address().port })));
    const table = must(out.tableFor((to[0] as Member).room), 'the room table');
    // A scratch buffer, reused by the caller right after the call: what libuv sends later must be
    // the message as it was.
    const scratch = Buffer.from('a-then-reused');
    out.sendToTable(scratch, 1, table.plain, 1); // native: slot 0 (1 skipped); dgram: 2, 3
    scratch.fill('z');
    expect(out.tableFor((to[0] as Member).room)).toBeNull(); // queued sends pending: dgram until drained
    await waitUntil(() => receivers.filter((r) => r.got.length === 1).length === 3);
    await letTimePass(50, 'prove the skipped receiver gets nothing');
    expect(receivers.map((r) => r.got)).toEqual([['a'], [], ['a'], ['a']]);
    expect(out.sent).toBe(3);
  });

  it('never touches the descriptor once the socket is closed', async () => {
    const sender = await bound('udp4', '127.0.0.1');
    expect(rawSocket(sender)?.fd).toBeGreaterThanOrEqual(0);
    const out = new UdpOut(sender, loadUdpBatch());
    const r = await listener();
    const to = members([{ address: '127.0.0.1', port: r.socket.address().port }]);
    sender.close();
    expect(out.path).toBe('dgram');
    out.sendToMany(Buffer.from('after close'), to, 1);
    expect(out.failed).toBe(1);
    expect(rawSocket(sender)).toBeNull();
  });
});

describe.skipIf(!linux)('native batch receive (Linux)', () => {
  it('delivers every datagram of a burst from several senders, with their addresses, IPv4 and IPv6', async () => {
    for (const [type, host] of [
      ['udp4', '127.0.0.1'],
      ['udp6', '::1'],
    ] as const) {
      const server = await bound(type, host);
      const got: string[] = [];
      const input = NativeUdpIn.start(server, loadUdpBatch() as UdpBatch, (buf, start, end, rinfo) => {
        got.push(`${rinfo.address}:${rinfo.port} ${buf.toString('utf8', start, end)}`);
      });
      expect(input?.active).toBe(true);
      server.on('message', () => got.push('dgram also read it')); // must stay silent
      const senders = await Promise.all([1, 2, 3].map(() => bound(type, host)));
      const expected: string[] = [];
      // Bursts of 3 × 40: more than one recvmmsg batch of 64 waiting at once, yet within the
      // socket's default receive buffer.
      for (let i = 0; i < 100; i++) {
        if (i % 40 === 0) await letTimePass(20, 'pace the sender under the socket buffers');
        for (const [k, s] of senders.entries()) {
          s.send(`m${k}-${i}`, server.address().port, host);
          expected.push(`${host}:${s.address().port} m${k}-${i}`);
        }
      }
      await waitUntil(() => got.length >= expected.length);
      expect(got.sort()).toEqual(expected.sort());
      input?.stop();
    }
  });

  it('shows a datagram over 4096 bytes as longer than 4096, so the relay refuses it', async () => {
    const server = await bound('udp4', '127.0.0.1');
    const lengths: number[] = [];
    const input = NativeUdpIn.start(server, loadUdpBatch() as UdpBatch, (_buf, start, end) =>
      lengths.push(end - start),
    );
    const sender = await bound('udp4', '127.0.0.1');
    sender.send(Buffer.alloc(4096, 1), server.address().port, '127.0.0.1');
    sender.send(Buffer.alloc(9000, 2), server.address().port, '127.0.0.1');
    await waitUntil(() => lengths.length === 2);
    expect(lengths).toEqual([4096, 4097]);
    input?.stop();
  });

  it('frees the port as soon as the socket is closed (a restart can bind it again at once)', async () => {
    const server = await bound('udp4', '127.0.0.1');
    const port = server.address().port;
    const input = NativeUdpIn.start(server, loadUdpBatch() as UdpBatch, () => {});
    input?.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const again = createSocket('udp4');
    sockets.push(again);
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.bind(port, '127.0.0.1', () => resolve());
    });
    expect(again.address().port).toBe(port);
  });
});

describe('without the accelerator', () => {
  it('falls back to dgram when disabled, and says why it did', async () => {
    const sender = await bound('udp4', '127.0.0.1');
    const out = new UdpOut(sender, null);
    expect(out.path).toBe('dgram');
    const r = await listener();
    out.sendToMany(Buffer.from('by dgram'), members([{ address: '127.0.0.1', port: r.socket.address().port }]), 1);
    await waitUntil(() => r.got.length === 1);
    expect(r.got).toEqual(['by dgram']);
    if (!linux) expect(udpBatchUnavailable()).toMatch(/Linux only/);
  });

  it('sendCopy copies a scratch buffer before dgram queues it (the relay reuses it for the next ACK)', async () => {
    const sender = await bound('udp4', '127.0.0.1');
    const out = new UdpOut(sender, null);
    const r = await listener();
    const [member] = members([{ address: '127.0.0.1', port: r.socket.address().port }]);
    const scratch = Buffer.alloc(16);
    // Two sends in one tick from the same buffer, as two ACKs would be: dgram sends both later.
    scratch.write('first-ack', 'latin1');
    out.sendCopy(scratch, 9, member as Member);
    scratch.write('second-ak', 'latin1');
    out.sendCopy(scratch, 9, member as Member);
    scratch.fill('z');
    await waitUntil(() => r.got.length === 2);
    expect(r.got).toEqual(['first-ack', 'second-ak']);
  });
});
