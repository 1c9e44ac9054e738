// Junk on the UDP port while a real room chats: random bytes, unknown rooms, forged tokens, a stolen
// token sent from another IP. None of it may be relayed or answered (the attacker's sockets receive
// nothing, so the server cannot be used to reflect or amplify), every piece is counted as dropped,
// and the legitimate members lose no message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { encodeClientControl, encodeClientDatagram, utf8Encode } from '../../src-shared/protocol/index.js';
import { RawMember, UdpPeer } from '../support/raw-udp.js';
import { becomesTrue, letTimePass } from '../support/wait.js';
import { FAST_OPTIONS, startServer, type TestServer } from '../support/server.js';
import { mutate, Rng } from '../fuzz/random-bytes.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer({ ...FAST_OPTIONS, maxMessagesPerSecond: 2000, inactivityTimeoutMs: 5000, tokenTtlMs: 5000 });
});
afterAll(async () => {
  await srv?.close();
});

const MEMBERS = 4;
const MESSAGES_EACH = 60;

describe('UDP junk while a room chats', () => {
  it('drops and never answers junk, forged and stolen tokens; the room loses nothing', async () => {
    const room = 'busy';
    const members: RawMember[] = [];
    members.push(
      await RawMember.join({ tcpPort: srv.tcpPort, udpPort: srv.udpPort, room, username: 'm0', create: true }),
    );
    for (let i = 1; i < MEMBERS; i++) {
      members.push(await RawMember.join({ tcpPort: srv.tcpPort, udpPort: srv.udpPort, room, username: `m${i}` }));
    }
    // Attackers: one on another address, one on the members' own address (127.0.0.1).
    const far = await UdpPeer.open('127.0.0.2');
    const near = await UdpPeer.open('127.0.0.1');
    try {
      const relayedBefore = srv.stats().datagramsRelayed;
      const stolen = members[1] as RawMember;
      const roomBytes = utf8Encode(room);
      const rng = new Rng(4242);
      const template = stolen.datagram(encodeClientControl({ kind: 'chat', id: 1, text: utf8Encode('EVIL') }));

      // Each kind of junk, with the drop reason it must be counted under.
      const junk: { bytes: Uint8Array; from: UdpPeer }[] = [];
      for (let i = 0; i < 400; i++) junk.push({ bytes: rng.bytes(rng.length(4200)), from: i % 2 ? far : near });
      for (let i = 0; i < 300; i++) {
        const token = Buffer.from(randomBytes(24).toString('base64url'));
        junk.push({ bytes: encodeClientDatagram(utf8Encode(`nope${i}`), token, utf8Encode('EVIL')), from: near });
        junk.push({ bytes: encodeClientDatagram(roomBytes, token, utf8Encode('EVIL forged')), from: far });
      }
      const stolenFromFar = 300;
      for (let i = 0; i < stolenFromFar; i++) {
        junk.push({
          bytes: stolen.datagram(encodeClientControl({ kind: 'chat', id: i, text: utf8Encode('EVIL stolen') })),
          from: far,
        });
      }
      junk.push({ bytes: stolen.datagram(encodeClientControl({ kind: 'heartbeat', nonce: 7 })), from: far });
      junk.push({ bytes: stolen.datagram(encodeClientControl({ kind: 'leave' })), from: far });
      for (let i = 0; i < 400; i++) junk.push({ bytes: mutate(rng, template, 4096), from: far });

      const wrongIpBefore = srv.dropped('wrong-ip');
      const droppedBefore = srv.droppedTotal();

      // Interleave: every member sends its messages while the junk streams in.
      const sendLegit = async (m: RawMember, idx: number): Promise<void> => {
        for (let n = 0; n < MESSAGES_EACH; n++) {
          await m.chat(n, `legit ${idx}/${n}`);
          if (n % 10 === 9) await letTimePass(5, 'pace each sender under the socket buffers');
        }
      };
      const sendJunk = async (): Promise<void> => {
        for (let i = 0; i < junk.length; i++) {
          const j = junk[i] as { bytes: Uint8Array; from: UdpPeer };
          await j.from.sendRaw(j.bytes, srv.udpPort);
          if (i % 50 === 49) await letTimePass(2, 'pace the junk under the socket buffers');
        }
      };
      await Promise.all([sendJunk(), ...members.map((m, i) => sendLegit(m, i))]);

      const expectedEach = (MEMBERS - 1) * MESSAGES_EACH;
      const allArrived = await becomesTrue(() => members.every((m) => m.chats().length >= expectedEach), {
        timeoutMs: 5000,
      });
      await letTimePass(200, 'prove no junk turns up after the legitimate messages');
      for (const m of members) {
        const texts = m.chats().map((c) => c.text);
        expect(texts.filter((t) => t.startsWith('legit')).length, `${m.opts.username} received`).toBe(expectedEach);
        expect(texts.some((t) => t.includes('EVIL'))).toBe(false);
        // The stolen token's LEAVE did nothing: nobody was told m1 left.
        expect(m.events.some((e) => e.kind === 'left')).toBe(false);
      }
      expect(allArrived).toBe(true);

      // The attackers got nothing back: no PONG to the stolen heartbeat, no error, no echo.
      expect(far.received).toEqual([]);
      expect(near.received).toEqual([]);
      expect(srv.dropped('wrong-ip') - wrongIpBefore).toBeGreaterThanOrEqual(stolenFromFar + 2);
      expect(srv.droppedTotal() - droppedBefore).toBeGreaterThanOrEqual(400 + 600 + stolenFromFar + 2);
      // Only the legitimate messages were relayed: each to the other members.
      expect(srv.stats().datagramsRelayed - relayedBefore).toBe(MEMBERS * MESSAGES_EACH * (MEMBERS - 1));
      expect(srv.stats().members).toBe(MEMBERS);
    } finally {
      far.close();
      near.close();
      for (const m of members) m.close();
    }
  });

  it('answers nothing to a datagram for a room that does not exist, even with a real token', async () => {
    const m = await RawMember.join({
      tcpPort: srv.tcpPort,
      udpPort: srv.udpPort,
      room: 'solo',
      username: 'solo',
      create: true,
    });
    const probe = await UdpPeer.open('127.0.0.1');
    try {
      const before = srv.dropped('wrong-room');
      const forged = encodeClientDatagram(
        utf8Encode('other'),
        Buffer.from(m.token),
        encodeClientControl({ kind: 'heartbeat', nonce: 1 }),
      );
      await probe.sendRaw(forged, srv.udpPort);
      await m.probe.sendRaw(forged, srv.udpPort);
      expect(await becomesTrue(() => srv.dropped('wrong-room') >= before + 2, { timeoutMs: 2000 })).toBe(true);
      await letTimePass(100, 'prove the forged datagrams get no answer');
      expect(probe.received).toEqual([]);
      expect(m.events.filter((e) => e.kind === 'pong')).toEqual([]);
    } finally {
      probe.close();
      m.close();
    }
  });

  it('rate-limits a flooding member: the room gets at most the burst, the flooder a few errors', async () => {
    const limited = await startServer({ ...FAST_OPTIONS, maxMessagesPerSecond: 20 }); // burst 80
    const flooder = await RawMember.join({
      tcpPort: limited.tcpPort,
      udpPort: limited.udpPort,
      room: 'flood',
      username: 'fl',
      create: true,
    });
    const victim = await RawMember.join({
      tcpPort: limited.tcpPort,
      udpPort: limited.udpPort,
      room: 'flood',
      username: 'vi',
    });
    try {
      for (let i = 0; i < 500; i++) {
        await flooder.chat(i, `spam ${i}`);
        if (i % 100 === 99) await letTimePass(1, 'pace the flood under the socket buffers');
      }
      expect(await becomesTrue(() => limited.dropped('rate-limited') >= 350, { timeoutMs: 2000 })).toBe(true);
      await letTimePass(200, 'let datagrams still in flight arrive before counting');
      const got = victim.chats().length;
      expect(got).toBeGreaterThanOrEqual(60);
      expect(got).toBeLessThanOrEqual(80 + 20); // the burst, plus what refilled during the flood
      // Errors about the limit are themselves limited: a handful, not one per dropped message.
      const errors = flooder.events.filter((e) => e.kind === 'error');
      expect(errors.length).toBeGreaterThanOrEqual(1);
      expect(errors.length).toBeLessThan(10);
    } finally {
      flooder.close();
      victim.close();
      await limited.close();
    }
  });
});
