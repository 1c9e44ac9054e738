// Packet loss and delay: at 5 % loss heartbeats must not produce false disconnects and chat keeps
// flowing; at 20 % chat still flows and every client ends up connected, without duplicates.
// Two impairments: kernel netem between network namespaces (skipped where the kernel has no
// sch_netem), and a user-space lossy relay that runs everywhere.
import { afterAll, describe, expect, it } from 'vitest';
import { ChatClient } from '../../src-main/engine/client/index.js';
import { Rng } from '../fuzz/random-bytes.js';
import { becomesTrue } from '../support/wait.js';
import { FAST_OPTIONS, startServer } from '../support/server.js';
import { chatUnderLoss, type LossOutcome } from './chat-under-loss.js';
import { fixturePath, startChild, type Child } from './child.js';
import { LossyUdpRelay } from './lossy-udp-relay.js';
import { createNetnsPair, netemUnavailableReason, type NetnsPair } from './netns.js';

const SERVER = { heartbeatIntervalMs: 250, inactivityTimeoutMs: 2500, sweepIntervalMs: 100, maxMessagesPerSecond: 200 };
const DURATION_MS = 2500;
/** Expected delivery is (1 - loss)² (sender → server → receiver); the floors leave room for chance. */
const CASES = [
  { lossPercent: 5, minRatio: 0.8 },
  { lossPercent: 20, minRatio: 0.45 },
];

function expectHealthy(out: LossOutcome, minRatio: number): void {
  expect(out.sent).toBeGreaterThan(40);
  expect(out.deliveredRatio).toBeGreaterThan(minRatio);
  expect(out.connectedAtEnd).toBe(4);
  // No duplicates and no strangers. (Whether a lost JOINED is ever repaired is the separate test below.)
  for (const list of out.memberListsAtEnd) {
    expect(new Set(list).size).toBe(list.length);
    for (const name of list) expect(['ann', 'ben', 'cid', 'host']).toContain(name);
  }
}

describe('user-space lossy relay (runs everywhere)', () => {
  it.each(CASES)(
    'at $lossPercent percent loss and 50±20 ms delay each way, chat flows',
    { timeout: 20_000 },
    async ({ lossPercent, minRatio }) => {
      const srv = await startServer({ ...FAST_OPTIONS, ...SERVER });
      const relay = await LossyUdpRelay.start(
        srv.udpPort,
        { loss: lossPercent / 100, delayMs: 50, jitterMs: 20 },
        new Rng(lossPercent),
      );
      try {
        const out = await chatUnderLoss({
          host: '127.0.0.1',
          tcpPort: srv.tcpPort,
          udpPort: relay.port,
          room: `loss${lossPercent}`,
          durationMs: DURATION_MS,
          messageEveryMs: 100,
        });
        expect(relay.counts.dropped).toBeGreaterThan(0); // the impairment really happened
        expectHealthy(out, minRatio);
        if (lossPercent <= 5) {
          expect(out.timedOutNotices).toEqual([]);
          expect(out.reconnects).toEqual([]);
        }
        expect(srv.stats().members).toBeLessThanOrEqual(4);
      } finally {
        relay.close();
        await srv.close();
      }
    },
  );

  // A lost JOINED must be repaired: chat from an unknown sender makes the client ask for MEMBERS.
  it(
    'repairs a member list after the one JOINED datagram announcing a member was lost',
    { timeout: 15_000 },
    async () => {
      const srv = await startServer({ ...FAST_OPTIONS, ...SERVER });
      // Lose every JOINED event (FF 83) on its way to the host, nothing else.
      const relay = await LossyUdpRelay.start(
        srv.udpPort,
        { loss: 0, delayMs: 0, jitterMs: 0, dropIf: (dir, b) => dir === 'down' && b[0] === 0xff && b[1] === 0x83 },
        new Rng(1),
      );
      const host = new ChatClient({
        host: '127.0.0.1',
        port: srv.tcpPort,
        udpPort: relay.port,
        room: 'lost',
        username: 'host',
        mode: 'create',
        reconnect: false,
      });
      const ann = new ChatClient({
        host: '127.0.0.1',
        port: srv.tcpPort,
        room: 'lost',
        username: 'ann',
        mode: 'join',
        reconnect: false,
      });
      for (const c of [host, ann]) c.on('error', () => undefined);
      const heard: string[] = [];
      host.on('message', (m) => heard.push(m.from));
      try {
        await host.connect();
        await ann.connect();
        ann.send('hello, I am here');
        expect(await becomesTrue(() => heard.includes('ann'), { timeoutMs: 2000 })).toBe(true);
        // The host has heard ann speak; within a few heartbeats its list should show her.
        const repaired = await becomesTrue(() => host.members.some((m) => m.name === 'ann'), { timeoutMs: 1500 });
        expect(host.members.map((m) => m.name).sort(), 'host member list after a lost JOINED').toEqual(['ann', 'host']);
        expect(repaired).toBe(true);
      } finally {
        await host.leave().catch(() => undefined);
        await ann.leave().catch(() => undefined);
        relay.close();
        await srv.close();
      }
    },
  );
});

const netemSkip = netemUnavailableReason();

describe.skipIf(netemSkip !== null)(
  `netem between network namespaces${netemSkip ? ` (skipped: ${netemSkip})` : ''}`,
  () => {
    let pair: NetnsPair | null = null;
    let server: Child | null = null;
    afterAll(() => {
      server?.kill();
      pair?.destroy();
    });

    it.each(CASES)(
      'at $lossPercent percent loss and 50±20 ms delay each way, chat flows',
      { timeout: 30_000 },
      async ({ lossPercent, minRatio }) => {
        pair ??= createNetnsPair();
        pair.impair(lossPercent, 50, 20);
        server?.kill();
        server = await startChild(
          fixturePath('server-process.ts'),
          [JSON.stringify({ ...SERVER, host: pair.serverIp, port: 0, udpPort: null })],
          {
            prefix: pair.prefix,
          },
        );
        const [, tcp, udp] = server.line.split(' ');
        const out = await chatUnderLoss({
          host: pair.serverIp,
          tcpPort: Number(tcp),
          udpPort: Number(udp),
          room: `netem${lossPercent}`,
          durationMs: DURATION_MS,
          messageEveryMs: 100,
        });
        expectHealthy(out, minRatio);
        if (lossPercent <= 5) {
          expect(out.timedOutNotices).toEqual([]);
          expect(out.reconnects).toEqual([]);
        }
      },
    );
  },
);
