// Slowloris: connections that open and say nothing, or trickle one byte at a time, must be cut at the
// handshake timeout (a deadline for the whole request, not an idle timer a trickle could reset), and
// while hundreds of them hang on, a real join still goes through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Operation, Status } from '../../src-shared/protocol/index.js';
import { rawExchange, request, requestFrame } from '../support/raw-tcrp.js';
import { FAST_OPTIONS, startServer, type TestServer } from '../support/server.js';
import { letTimePass } from '../support/wait.js';

// Long enough that a real join fits inside it even on a loaded machine; the tricklers need ~6 s.
const HANDSHAKE_TIMEOUT_MS = 2000;
const SLACK_MS = 1000;
const ATTACKERS = 300;
const SOURCES = 10; // 30 connections per source address: under the default per-IP cap of 64

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer({ ...FAST_OPTIONS, handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS, tokenTtlMs: 60_000 });
});
afterAll(async () => {
  await srv?.close();
});

describe('slowloris', () => {
  it(`cuts ${ATTACKERS} silent and trickling connections at the timeout while a real join completes`, async () => {
    const frame = requestFrame({ room: 'slow', operation: Operation.CREATE, payload: { username: 'trickler' } });
    const trickle = Array.from(frame, (b) => Uint8Array.of(b)); // ~60 one-byte chunks: 6 s at 100 ms each
    let attackersCut = 0;
    const attackers = Array.from({ length: ATTACKERS }, (_, i) =>
      rawExchange({
        port: srv.tcpPort,
        localAddress: `127.0.2.${(i % SOURCES) + 1}`,
        chunks: i % 2 === 0 ? [] : trickle,
        chunkDelayMs: 100,
        timeoutMs: HANDSHAKE_TIMEOUT_MS + SLACK_MS + 2000,
      }).then((reply) => {
        attackersCut++;
        return reply;
      }),
    );

    // While all of them hang on, a legitimate user creates and joins a room.
    await letTimePass(150, 'let the attackers connect and start trickling');
    const created = await request(srv.tcpPort, {
      room: 'legit',
      operation: Operation.CREATE,
      payload: { username: 'host' },
    });
    const joined = await request(srv.tcpPort, { room: 'legit', payload: { username: 'guest' } });
    expect(created.status).toBe(Status.OK);
    expect(joined.status).toBe(Status.OK);
    // It was served while they all still hung on, not after the server had cut them.
    expect(attackersCut).toBe(0);

    const replies = await Promise.all(attackers);
    for (const r of replies) {
      expect(r.closedByServer).toBe(true);
      expect(r.status).toBe(Status.HANDSHAKE_TIMEOUT);
      expect(r.elapsedMs).toBeGreaterThanOrEqual(HANDSHAKE_TIMEOUT_MS - 50);
      expect(r.elapsedMs).toBeLessThan(HANDSHAKE_TIMEOUT_MS + SLACK_MS);
    }
    expect(srv.stats().handshakes['HANDSHAKE_TIMEOUT']).toBeGreaterThanOrEqual(ATTACKERS);
    // Nothing the tricklers sent created a room.
    expect(srv.roomList().map((r) => r.name)).toEqual(['legit']);
  });
});
