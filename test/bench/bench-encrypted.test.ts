// The bench's encrypted mode on a tiny workload: real TLS handshakes with the relay's fingerprint
// pinned, sealed datagrams both ways, and nothing counted that did not open. No timing assertions.
import { afterEach, describe, expect, it } from 'vitest';
import { nowMicros } from '../../bench/clock.js';
import { LoadGenerator } from '../../bench/gen/load-generator.js';
import type { GenIo, GeneratorConfig } from '../../bench/gen/types.js';
import { roomSpecs, Workload } from '../../bench/workload.js';
import { ChatServer, generateHostIdentity, silentLogger } from '../../src-main/engine/index.js';
import { SEALED_SERVER_MARKER } from '../../src-shared/protocol/index.js';
import { LIFTED_LIMITS } from '../support/server.js';
import { letTimePass } from '../support/wait.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

// Native: the C thread only receives and JS opens (the bench's default on Linux); dgram elsewhere.
const IO_MODES: GenIo[] = process.platform === 'linux' ? ['native', 'dgram'] : ['dgram'];

describe('bench encrypted mode', () => {
  it('runs encrypted members against the real relay process: everything opens, nothing is lost', async () => {
    const w = await Workload.start(
      {
        label: 'encrypted test',
        impl: 'real',
        rooms: 2,
        usersPerRoom: 3,
        messageBytes: 32,
        password: true,
        dialect: 'tincan',
        genProcs: 1,
        socketPool: 0,
        sourceIps: 1,
        handshakeConcurrency: 4,
        pin: false,
        genIo: IO_MODES[0] as GenIo,
        rxPollMicros: 200,
        cpuProfDir: null,
        encrypted: true,
        serverOptions: {},
      },
      () => undefined,
    );
    cleanups.push(() => w.stop());
    expect(w.join.failures).toEqual({});
    expect(w.join.joined).toBe(6);
    const report = w.summary([], null);
    expect(report.encrypted).toBe(true);
    expect(report.join.handshakesPerSec).toBeGreaterThan(0);
    const p = await w.runPhase({
      ratePerUser: 4,
      warmupMs: 200,
      durationMs: 1_000,
      drainMs: 1_000,
      rssSampleEveryMs: 0,
    });
    expect(p.expectedDeliveries).toBeGreaterThan(0);
    expect(p.receivedDeliveries).toBe(p.expectedDeliveries);
    expect(p.lossPct).toBe(0);
    expect(p.latencyMs.count).toBe(p.receivedDeliveries);
    // Every chat delivery and every ACK came in sealed and opened; nothing was refused or clear.
    expect(p.sealed).not.toBeNull();
    expect(p.sealed?.refused).toBe(0);
    expect(p.sealed?.notSealed).toBe(0);
    expect(p.sealed?.opened).toBeGreaterThanOrEqual(p.receivedDeliveries + p.acks);
    // The relay sealed all six members' sessions and handed out room keys that were acknowledged.
    const sealedStats = (p.relayServerStats as { sealed?: { sessions: number; keyAcks: number } }).sealed;
    expect(sealedStats?.sessions).toBe(6);
    expect(sealedStats?.keyAcks).toBeGreaterThan(0);
  }, 30_000);

  it.each(IO_MODES)(
    'receives only sealed datagrams and refuses a tampered or replayed one (%s UDP)',
    async (io) => {
      const identity = await generateHostIdentity();
      const server = new ChatServer({ host: '127.0.0.1', port: 0, ...LIFTED_LIMITS, identity, logger: silentLogger });
      const address = await server.listen();
      cleanups.push(() => server.close());
      const config: GeneratorConfig = {
        tcpHost: address.host,
        tcpPort: address.tcpPort,
        udpHost: address.host,
        udpPort: address.udpPort,
        localAddresses: ['127.0.0.1'],
        rooms: roomSpecs(2, 3, false),
        dialect: 'tincan',
        messageBytes: 40,
        handshakeConcurrency: 4,
        handshakeTimeoutMs: 5_000,
        socketPool: 0,
        io,
        rxPollMicros: 200,
        encryption: { fingerprint: identity.fingerprint },
      };
      const gen = new LoadGenerator(config);
      gen.keepLastSealed = true;
      cleanups.push(() => gen.close());
      const join = await gen.join();
      expect(join.failures).toEqual({});
      expect(join.joined).toBe(6);
      await letTimePass(200, 'keep the join announcements and room keys out of the measured window');
      const startAt = nowMicros() + 50_000;
      const phase = await gen.runPhase({
        ratePerUser: 5,
        startAt,
        measureStart: startAt + 200_000,
        measureEnd: startAt + 1_200_000,
        drainUntil: startAt + 2_200_000,
      });
      expect(phase.sentInWindow).toBeGreaterThan(0);
      expect(phase.received).toBe(phase.expected);
      expect(phase.sealed).toEqual({
        opened: expect.any(Number),
        refused: 0,
        notSealed: 0,
        bufferDropped: 0,
        roomKeys: expect.any(Number),
      });
      expect(phase.sealed?.opened).toBeGreaterThanOrEqual(phase.received + phase.acks);

      // What the members got off the wire is sealed: the marker, and no message text in clear.
      const last = gen.lastSealedIn;
      expect(last).not.toBeNull();
      const { user, bytes } = last as { user: number; bytes: Buffer };
      expect(bytes[0]).toBe(SEALED_SERVER_MARKER);
      expect(bytes.includes(Buffer.from('u1-r0'))).toBe(false);
      const before = { ...gen.sealedSoFar };
      // One flipped ciphertext bit: the tag no longer verifies.
      const tampered = Buffer.from(bytes);
      tampered[tampered.length - 20] = (tampered[tampered.length - 20] as number) ^ 0x01;
      gen.receiveSealed(user, tampered);
      // The same datagram again: already accepted, so the replay window refuses it.
      gen.receiveSealed(user, Buffer.from(bytes));
      expect(gen.sealedSoFar.refused).toBe(before.refused + 2);
      expect(gen.sealedSoFar.opened).toBe(before.opened);
    },
    30_000,
  );

  it('refuses a relay whose certificate is not the pinned one', async () => {
    const identity = await generateHostIdentity();
    const other = await generateHostIdentity();
    const server = new ChatServer({ host: '127.0.0.1', port: 0, ...LIFTED_LIMITS, identity, logger: silentLogger });
    const address = await server.listen();
    cleanups.push(() => server.close());
    const gen = new LoadGenerator({
      tcpHost: address.host,
      tcpPort: address.tcpPort,
      udpHost: address.host,
      udpPort: address.udpPort,
      localAddresses: ['127.0.0.1'],
      rooms: roomSpecs(1, 2, false),
      dialect: 'tincan',
      messageBytes: 40,
      handshakeConcurrency: 2,
      handshakeTimeoutMs: 5_000,
      socketPool: 0,
      io: 'dgram',
      encryption: { fingerprint: other.fingerprint },
    });
    cleanups.push(() => gen.close());
    const join = await gen.join();
    expect(join.joined).toBe(0);
    // Refused once, not retried: the creator on the certificate, its joiner for want of a room.
    expect(join.failures).toEqual({ CERTIFICATE_MISMATCH: 1, 'creator failed': 1 });
    expect(join.retries).toBe(0);
  }, 30_000);
});
