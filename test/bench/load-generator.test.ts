// Smoke test of the bench's load generator: a tiny workload through real sockets, checking that the
// join storm, the delivery accounting and the latency stamps add up. No timing assertions.
import { afterEach, describe, expect, it } from 'vitest';
import hdr from 'hdr-histogram-js';
import { nowMicros } from '../../bench/clock.js';
import { LoadGenerator } from '../../bench/gen/load-generator.js';
import type { GenIo, GeneratorConfig, PhaseResult } from '../../bench/gen/types.js';
import { CRelay } from '../../bench/c-relay.js';
import { MinimalRelay } from '../../bench/minimal-relay.js';
import { NaiveRelay } from '../../bench/naive-relay.js';
import { roomSpecs } from '../../bench/workload.js';
import { letTimePass } from '../support/wait.js';

interface Listening {
  listen(): Promise<{ host: string; tcpPort: number; udpPort: number }>;
  close(): Promise<void> | void;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function startRealServer(): Promise<Listening> {
  const { ChatServer } = await import('../../src-main/engine/server/chat-server.js');
  const { silentLogger } = await import('../../src-main/engine/log.js');
  // The generator sets up every room from one IP: lift the per-IP abuse limits.
  const { LIFTED_LIMITS } = await import('../support/server.js');
  return new ChatServer({ host: '127.0.0.1', port: 0, ...LIFTED_LIMITS, logger: silentLogger });
}

async function runTiny(
  server: Listening,
  dialect: 'plain' | 'tincan',
  password: boolean,
  io: GenIo,
  extra: Partial<GeneratorConfig> = {},
): Promise<{ joined: number; phase: PhaseResult }> {
  const address = await server.listen();
  cleanups.push(() => server.close());
  const config: GeneratorConfig = {
    tcpHost: address.host,
    tcpPort: address.tcpPort,
    udpHost: address.host,
    udpPort: address.udpPort,
    localAddresses: ['127.0.0.1'],
    rooms: roomSpecs(2, 3, password),
    dialect,
    messageBytes: 40,
    handshakeConcurrency: 4,
    handshakeTimeoutMs: 5_000,
    socketPool: 0,
    io,
    ...extra,
  };
  const gen = new LoadGenerator(config);
  cleanups.push(() => gen.close());
  const join = await gen.join();
  expect(join.failures).toEqual({});
  expect(join.joined).toBe(6);
  // Give the join announcements a moment so they do not mix with the window.
  await letTimePass(200, 'keep the join announcements out of the measured window');
  const startAt = nowMicros() + 50_000;
  const phase = await gen.runPhase({
    ratePerUser: 5,
    startAt,
    measureStart: startAt + 200_000,
    measureEnd: startAt + 1_200_000,
    drainUntil: startAt + 2_200_000,
  });
  return { joined: join.joined, phase };
}

function expectAllDelivered(phase: PhaseResult): void {
  expect(phase.sentInWindow).toBeGreaterThan(0);
  // Every room has 3 members, so each message in the window must reach the 2 others.
  expect(phase.expected).toBe(phase.sentInWindow * 2);
  expect(phase.received).toBe(phase.expected);
  expect(phase.unknown).toBe(0);
  expect(phase.sendErrors).toBe(0);
  const latency = hdr.decodeFromCompressedBase64(phase.histogram);
  expect(latency.totalCount).toBe(phase.received);
}

// The native generator UDP (recvmmsg thread) is built on Linux; elsewhere only dgram runs.
const IO_MODES: GenIo[] = process.platform === 'linux' ? ['native', 'dgram'] : ['dgram'];

describe.each(IO_MODES)('bench load generator (%s UDP)', (io) => {
  it('counts every delivery through the naive reference relay', async () => {
    const { phase } = await runTiny(new NaiveRelay({ host: '127.0.0.1', port: 0 }), 'plain', true, io);
    expectAllDelivered(phase);
  });

  it('counts every delivery through the tuned minimal reference relay', async () => {
    const { phase } = await runTiny(new MinimalRelay({ host: '127.0.0.1', port: 0 }), 'plain', true, io);
    expectAllDelivered(phase);
  });

  // Built by npm install on Linux (scripts/build-native.mjs); a missing build fails here.
  it.runIf(process.platform === 'linux')('counts every delivery through the C reference relay', async () => {
    const relay = new CRelay({ host: '127.0.0.1', port: 0 });
    const { phase } = await runTiny(relay, 'plain', true, io);
    expectAllDelivered(phase);
    const counts = relay.stats();
    expect(counts['members']).toBe(6);
    expect(counts['sendFailures']).toBe(0);
    // Each of the 6 members' join notice reached those already there, and every message 2 others.
    expect(counts['datagramsOut']).toBeGreaterThanOrEqual(phase.sentTotal * 2);
  });

  it('counts every delivery through the real server, plain dialect with passwords', async () => {
    const { phase } = await runTiny(await startRealServer(), 'plain', true, io);
    expectAllDelivered(phase);
  });

  it('counts every delivery through the real server when chat is sent from the JS tick', async () => {
    // How the plain half of the encrypted comparison runs (encrypted members cannot use the C sender).
    const { phase } = await runTiny(await startRealServer(), 'plain', false, io, { sendFromJs: true });
    expectAllDelivered(phase);
  });

  it('counts every delivery through the real server, tincan dialect', async () => {
    const { phase } = await runTiny(await startRealServer(), 'tincan', false, io);
    expectAllDelivered(phase);
    // Tincan senders get an ACK for each relayed message instead of their own copy.
    expect(phase.acks).toBe(phase.sentTotal);
  });
});
