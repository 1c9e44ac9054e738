// The fast version of `npm run fuzz`, run with every test run: a few thousand inputs per codec target,
// a few hundred random byte streams against a live server's handshake (in clear, and on a server
// with a host identity as ClientHellos and inside TLS), and a relay fuzz each for plain and sealed
// members. Seeded, so a failure names the seed to replay with `npm run fuzz -- --seed N`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHostIdentity } from '../../src-main/engine/index.js';
import { Operation, Status } from '../../src-shared/protocol/index.js';
import { request } from '../support/raw-tcrp.js';
import { UdpSecrets } from '../support/sealed-peer.js';
import { FAST_OPTIONS, startServer, type TestServer } from '../support/server.js';
import { CODEC_TARGETS, replyPayloadTarget, runTarget, type FuzzTarget } from './codec-targets.js';
import { fuzzHandshakes } from './handshake-fuzz.js';
import { fuzzRelay } from './relay-fuzz.js';
import { fuzzSealedRelay } from './sealed-relay-fuzz.js';
import { Rng } from './random-bytes.js';

const SEED = 20261125;

function quickRun(target: FuzzTarget): void {
  const report = runTarget(target, new Rng(SEED), 4000);
  expect(report.inputs).toBe(4000);
  // Both paths are reached: some inputs are valid, some are refused.
  expect(report.accepted).toBeGreaterThan(50);
  expect(report.accepted).toBeLessThan(4000);
  expect(report.findings, `seed ${SEED}`).toEqual([]);
  expect(report.findingCount).toBe(0);
}

describe('quick fuzz: codecs', () => {
  const clean = CODEC_TARGETS.filter((t) => t !== replyPayloadTarget);
  it.each(clean.map((t) => [t.name, t] as const))('%s: 4000 inputs, no finding', (_name, target) => quickRun(target));

  // Includes Tincan session-info JSON whose token is ≤ 255 characters but > 255 bytes: must be refused.
  it('reply-payloads: 4000 inputs, no finding', () => quickRun(replyPayloadTarget));
});

describe('quick fuzz: live handshake', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer({
      ...FAST_OPTIONS,
      handshakeTimeoutMs: 300,
      maxConnectionsPerIp: 1000,
      maxPendingHandshakes: 1000,
    });
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('400 random byte streams: well-formed replies, prompt closes, server still serves', async () => {
    const report = await fuzzHandshakes(
      { tcpPort: srv.tcpPort, connections: 400, concurrency: 24, handshakeTimeoutMs: 300 },
      new Rng(SEED),
    );
    expect(report.connections).toBe(400);
    expect(report.findings, `seed ${SEED}`).toEqual([]);
    // The generator reaches refusals of several kinds and some successes.
    expect(report.kinds.plain).toBe(400);
    const statuses = report.replies.plain;
    expect(Object.keys(statuses).length).toBeGreaterThanOrEqual(4);
    expect(statuses[String(Status.BAD_REQUEST)]).toBeGreaterThan(0);
    expect(statuses[String(Status.TOO_LARGE)]).toBeGreaterThan(0);
    const created = await request(srv.tcpPort, { room: 'after-quick-fuzz', operation: Operation.CREATE });
    expect(created.status).toBe(Status.OK);
  });

  it('1500 random message bodies behind valid headers: members stay, every reply well-formed', async () => {
    const relaySrv = await startServer({ ...FAST_OPTIONS, maxMessagesPerSecond: 100_000, inactivityTimeoutMs: 10_000 });
    try {
      const report = await fuzzRelay(
        {
          tcpPort: relaySrv.tcpPort,
          udpPort: relaySrv.udpPort,
          datagrams: 1500,
          room: 'relay-fuzz',
          members: () => relaySrv.stats().members,
        },
        new Rng(SEED),
      );
      expect(report.findings, `seed ${SEED}`).toEqual([]);
      expect(report.received).toBeGreaterThan(300); // relays, ACKs, PONGs, members lists, errors
      expect(relaySrv.stats().datagramsRelayed).toBeGreaterThan(100);
    } finally {
      await relaySrv.close();
    }
  });
});

describe('quick fuzz: live encrypted paths', () => {
  it('200 connections to a server with a host identity: ClientHellos, TCRP inside TLS, plain', async () => {
    const srv = await startServer({
      ...FAST_OPTIONS,
      handshakeTimeoutMs: 300,
      maxConnectionsPerIp: 1000,
      maxPendingHandshakes: 1000,
      identity: await generateHostIdentity(),
    });
    try {
      const report = await fuzzHandshakes(
        { tcpPort: srv.tcpPort, connections: 200, concurrency: 24, handshakeTimeoutMs: 300, tls: true },
        new Rng(SEED),
      );
      expect(report.connections).toBe(200);
      expect(report.findings, `seed ${SEED}`).toEqual([]);
      // Every kind was reached: hellos answered in TLS, TLS sessions answered with TCRP statuses.
      for (const kind of ['plain', 'tls-hello', 'tls-tcrp'] as const) expect(report.kinds[kind]).toBeGreaterThan(20);
      expect(report.replies['tls-hello']['tls']).toBeGreaterThan(10);
      const tlsStatuses = Object.keys(report.replies['tls-tcrp']).filter((k) => /^\d+$/.test(k));
      expect(tlsStatuses.length).toBeGreaterThanOrEqual(2);
      expect(report.replies['tls-tcrp'][String(Status.BAD_REQUEST)]).toBeGreaterThan(0);
      const created = await request(srv.tcpPort, { room: 'after-tls-quick-fuzz', operation: Operation.CREATE });
      expect(created.status).toBe(Status.OK);
    } finally {
      await srv.close();
    }
  });

  it('1000 sealed, mutated, replayed and random 0xFE datagrams: members stay, every reply opens', async () => {
    const secrets = new UdpSecrets();
    const srv = await startServer({
      ...FAST_OPTIONS,
      maxMessagesPerSecond: 100_000,
      inactivityTimeoutMs: 10_000,
      udpSecretForTests: secrets.lookup,
      messagesPerRoomKeyForTests: 50, // a few key rotations within the run
    });
    try {
      const report = await fuzzSealedRelay(
        { port: srv.tcpPort, secrets, datagrams: 1000, room: 'sealed-fuzz', members: () => srv.stats().members },
        new Rng(SEED),
      );
      expect(report.findings, `seed ${SEED}`).toEqual([]);
      for (const n of Object.values(report.kinds)) expect(n).toBeGreaterThan(20);
      expect(srv.stats().datagramsRelayed).toBeGreaterThan(100);
      for (const reason of ['sealed-bad-tag', 'sealed-replayed', 'sealed-malformed'])
        expect(srv.dropped(reason), reason).toBeGreaterThan(0);
      expect(srv.stats().sealed?.rotations).toBeGreaterThan(2);
    } finally {
      await srv.close();
    }
  });
});
