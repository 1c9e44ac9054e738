// The sweeper checks every member once per interval, but in SWEEP_STEPS steps spread over it: one
// pass over all the rooms at once held up every datagram behind it (~0.4 ms at 5,000 members). Real
// server, real handshakes; rooms whose host never sends a datagram close when its token expires, so
// each 'room-closed' event says when the sweeper reached that room.
import { afterEach, describe, expect, it } from 'vitest';
import { SWEEP_STEPS } from '../../src-main/engine/server/room-lifecycle.js';
import { Status } from '../../src-shared/protocol/index.js';
import { CREATE, handshake } from '../support/raw-tcrp.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitUntil } from '../support/wait.js';

const ROOMS = 24;
const SWEEP_INTERVAL_MS = 400;
const TOKEN_TTL_MS = 200;
/** Closes closer together than this came from one step (steps are SWEEP_INTERVAL_MS / SWEEP_STEPS apart). */
const SAME_STEP_MS = 15;

describe('the sweeper', () => {
  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it(`reaches every room once per interval, a ${SWEEP_STEPS}th of them at a time`, async () => {
    server = await startServer({ sweepIntervalMs: SWEEP_INTERVAL_MS, tokenTtlMs: TOKEN_TTL_MS });
    const closedAt: number[] = [];
    server.on('room-closed', (e: { reason: string }) => {
      expect(e.reason).toBe('host-timed-out');
      closedAt.push(performance.now());
    });
    const port = server.tcpPort;
    for (let i = 0; i < ROOMS; i++) {
      const session = await handshake(port, CREATE, `room-${i}`, 'host');
      expect(session.status).toBe(Status.OK);
    }
    const madeAt = performance.now();
    await waitUntil(() => closedAt.length === ROOMS, { timeoutMs: 5_000, what: 'every unused room closed' });

    // Each room was reached about one interval after its token expired (a pass that began while
    // rooms were still being made takes a little longer; measured: 680 ms at most).
    expect(Math.max(...closedAt) - madeAt).toBeLessThan(TOKEN_TTL_MS + 1.5 * SWEEP_INTERVAL_MS);
    // And no step took more than its share of the rooms.
    const steps: number[] = [];
    let last = -Infinity;
    for (const t of closedAt) {
      if (t - last > SAME_STEP_MS) steps.push(1);
      else steps[steps.length - 1] = (steps.at(-1) ?? 0) + 1;
      last = t;
    }
    expect(Math.max(...steps)).toBeLessThanOrEqual(Math.ceil(ROOMS / SWEEP_STEPS));
    expect(steps.length).toBeGreaterThanOrEqual(SWEEP_STEPS);
  });
});
