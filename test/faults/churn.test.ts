// Churn: for a few seconds users join, chat, leave, go silent and time out, hosts close rooms and
// some tokens are never used. When everyone is gone, the server must hold nothing: no room, no
// member, no token (a leak here is a slow memory leak in production).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Operation, Status } from '../../src-shared/protocol/index.js';
import { request } from '../support/raw-tcrp.js';
import { RawMember } from '../support/raw-udp.js';
import { becomesTrue, letTimePass } from '../support/wait.js';
import { FAST_OPTIONS, startServer, type TestServer } from '../support/server.js';
import { Rng } from '../fuzz/random-bytes.js';

const INACTIVITY_MS = 500;
const TOKEN_TTL_MS = 500;
const CHURN_MS = 2000;
/** On a slow machine the churn goes on past CHURN_MS until enough happened, but never past this. */
const CHURN_CAP_MS = 15_000;
const MIN_JOINS = 21;
const MIN_DEPARTURES = 11;

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer({
    ...FAST_OPTIONS,
    inactivityTimeoutMs: INACTIVITY_MS,
    tokenTtlMs: TOKEN_TTL_MS,
    sweepIntervalMs: 50,
    maxMessagesPerSecond: 500,
  });
});
afterAll(async () => {
  await srv?.close();
});

describe('churn', () => {
  it('ends with 0 rooms and 0 members after users join, leave and time out repeatedly', async () => {
    const rng = new Rng(2024);
    const live: RawMember[] = [];
    const silent: RawMember[] = []; // stopped talking: the server must time them out
    const counts = { joins: 0, leaves: 0, silenced: 0, unusedTokens: 0, roomsCreated: 0, refused: 0 };
    const rooms = ['c0', 'c1', 'c2', 'c3'];
    const deadline = Date.now() + CHURN_MS;
    const cap = Date.now() + CHURN_CAP_MS;
    const enough = () => counts.joins >= MIN_JOINS && counts.leaves + counts.silenced >= MIN_DEPARTURES;
    let n = 0;

    while ((Date.now() < deadline || !enough()) && Date.now() < cap) {
      n++;
      const room = rng.pick(rooms);
      const action = rng.int(10);
      try {
        if (action < 4) {
          // Join, or create when the room is gone.
          const hasRoom = srv.roomList().some((r) => r.name === room);
          const m = await RawMember.join({
            tcpPort: srv.tcpPort,
            udpPort: srv.udpPort,
            room,
            username: `u${n}`,
            create: !hasRoom,
            tincan: rng.chance(0.7),
          });
          if (!hasRoom) counts.roomsCreated++;
          counts.joins++;
          live.push(m);
        } else if (action < 6 && live.length > 0) {
          const m = live.splice(rng.int(live.length), 1)[0] as RawMember;
          await m.leave(); // a host leaving closes its room for everyone
          m.close();
          counts.leaves++;
        } else if (action < 7 && live.length > 0) {
          silent.push(live.splice(rng.int(live.length), 1)[0] as RawMember);
          counts.silenced++;
        } else if (action < 8) {
          // A handshake whose token is never used: it must expire.
          const r = await request(srv.tcpPort, { room, operation: Operation.JOIN, payload: { username: `ghost${n}` } });
          if (r.status === Status.OK) counts.unusedTokens++;
        } else if (live.length > 0) {
          const m = rng.pick(live);
          await m.chat(n, `hello ${n}`);
        }
      } catch (err) {
        // A join can race a closing room: refused (NO_SUCH_ROOM), beaten to its creation
        // (ROOM_EXISTS), or admitted just before the room closed, so its HELLO finds no room.
        const { status, helloUnanswered } = err as { status?: number; helloUnanswered?: boolean };
        if (!helloUnanswered) expect([Status.NO_SUCH_ROOM, Status.ROOM_EXISTS]).toContain(status);
        counts.refused++;
      }
      // Keep the living alive.
      if (n % 5 === 0) for (const m of live) await m.heartbeat(n);
      await letTimePass(5, 'pace the churn like people, not a loop');
    }

    expect(counts.joins).toBeGreaterThanOrEqual(MIN_JOINS);
    expect(counts.leaves + counts.silenced).toBeGreaterThanOrEqual(MIN_DEPARTURES);

    // Everyone still around leaves; the silent ones and unused tokens must expire on their own.
    for (const m of live) await m.leave();
    const empty = await becomesTrue(
      () => {
        const s = srv.stats();
        return s.rooms === 0 && s.members === 0;
      },
      { timeoutMs: INACTIVITY_MS + TOKEN_TTL_MS + 2000 },
    );
    const stats = srv.stats();
    expect({ rooms: stats.rooms, members: stats.members }, JSON.stringify(counts)).toEqual({ rooms: 0, members: 0 });
    expect(empty).toBe(true);
    expect(srv.roomList()).toEqual([]);
    for (const m of [...live, ...silent]) m.close();

    // And the server is as good as new.
    expect((await request(srv.tcpPort, { room: 'c0', operation: Operation.CREATE })).status).toBe(Status.OK);
  }, 40_000);
});
