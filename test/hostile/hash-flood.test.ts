// Requests that cost a password hash, flooded from one IP: the flood is refused at once by the per-IP
// budgets and the bounded hash queue, while a member joining from another IP still gets in.
import { afterEach, describe, expect, it } from 'vitest';
import { Operation, Status } from '../../src-shared/protocol/index.js';
import { request, type RawReply } from '../support/raw-tcrp.js';
import { LIMITS_TEST_OPTIONS, admissionStats as admission, startServer, type TestServer } from '../support/server.js';

const LONG_PASSWORD = 'x'.repeat(256);
let srv: TestServer | null = null;
afterEach(async () => {
  await srv?.close();
  srv = null;
});

/** `parallel` clients from `from`, each sending `count` requests one after another. */
async function flood(
  port: number,
  from: string,
  parallel: number,
  count: number,
  make: (i: number) => Parameters<typeof request>[1],
): Promise<RawReply[]> {
  let n = 0;
  const replies: RawReply[] = [];
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let k = 0; k < count; k++)
        replies.push(await request(port, { ...make(n++), localAddress: from, timeoutMs: 10_000 }));
    }),
  );
  return replies;
}

const statuses = (replies: RawReply[]) => replies.map((r) => r.status);

/** The legitimate member: the right password, from an IP of its own, while the flood runs. */
function legitimateJoin(port: number): Promise<RawReply> {
  return request(port, {
    room: 'guarded',
    payload: { username: 'guest', password: 'pw' },
    localAddress: '127.0.0.3',
    timeoutMs: 10_000,
  });
}

/** The room the legitimate member joins: password 'pw', created from an IP nobody floods from. */
async function hostGuardedRoom(port: number): Promise<void> {
  const host = await request(port, {
    room: 'guarded',
    operation: Operation.CREATE,
    payload: { username: 'host', password: 'pw' },
    localAddress: '127.0.0.4',
  });
  expect(host.status).toBe(Status.OK);
}

describe('hashing flood from one IP', () => {
  it('refuses a flood of password creates at once while a password join from another IP succeeds', async () => {
    srv = await startServer(LIMITS_TEST_OPTIONS);
    const port = srv.tcpPort;
    await hostGuardedRoom(port);

    const flooding = flood(port, '127.0.0.2', 32, 4, (i) => ({
      room: `flood-${i}`,
      operation: Operation.CREATE,
      payload: { username: 'f', password: LONG_PASSWORD },
    }));
    const legit = await legitimateJoin(port);
    const replies = await flooding;

    expect(legit.status).toBe(Status.OK);
    const s = statuses(replies);
    // Creates are limited per IP: at most the burst of them (and of hashes) got through.
    expect(s.filter((x) => x === Status.OK).length).toBeLessThanOrEqual(LIMITS_TEST_OPTIONS.createBurstPerIp ?? 0);
    const refused = replies.filter((r) => r.status === Status.RATE_LIMITED || r.status === Status.SERVER_FULL);
    expect(refused.length).toBeGreaterThanOrEqual(128 - (LIMITS_TEST_OPTIONS.createBurstPerIp ?? 0));
    // Refused without hashing: the server ran no more hashes than the budgets allow.
    const a = admission(srv);
    expect(a.hashes).toBeLessThanOrEqual(1 + 1 + (LIMITS_TEST_OPTIONS.hashBurstPerIp ?? 0) + 2);
    expect(a.refused.creates + a.refused.hashBudget + a.refused.hashSourceBusy).toBe(refused.length);
  });

  it('refuses a flood of password joins from one IP with RATE_LIMITED; another IP joins', async () => {
    srv = await startServer({ ...LIMITS_TEST_OPTIONS, refusalBurstPerIp: 0 });
    const port = srv.tcpPort;
    await hostGuardedRoom(port);

    const flooding = flood(port, '127.0.0.2', 32, 2, (i) => ({
      room: 'guarded',
      payload: { username: `f${i}`, password: LONG_PASSWORD },
    }));
    const legit = await legitimateJoin(port);
    const replies = await flooding;

    expect(legit.status).toBe(Status.OK);
    const s = statuses(replies);
    expect(s.filter((x) => x === Status.RATE_LIMITED).length).toBeGreaterThanOrEqual(
      64 - (LIMITS_TEST_OPTIONS.hashBurstPerIp ?? 0) - 2,
    );
    expect(s.filter((x) => x === Status.OK)).toHaveLength(0);
  });

  it('lets a household behind one address join with the password at the same moment', async () => {
    srv = await startServer(LIMITS_TEST_OPTIONS);
    const port = srv.tcpPort;
    await hostGuardedRoom(port);
    const together = await Promise.all(
      ['mum', 'dad', 'kid'].map((username) =>
        request(port, { room: 'guarded', payload: { username, password: 'pw' }, localAddress: '127.0.0.6' }),
      ),
    );
    expect(statuses(together)).toEqual([Status.OK, Status.OK, Status.OK]);
  });

  it('answers SERVER_FULL at once when the hash queue is full', async () => {
    srv = await startServer({ ...LIMITS_TEST_OPTIONS, hashConcurrency: 1, maxQueuedHashes: 1 });
    const port = srv.tcpPort;
    // One request from each of 16 IPs at the same moment: one runs, one waits, the rest are refused.
    const replies = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        request(port, {
          room: `q${i}`,
          operation: Operation.CREATE,
          payload: { username: 'h', password: LONG_PASSWORD },
          localAddress: `127.0.0.${10 + i}`,
        }),
      ),
    );
    const s = statuses(replies);
    expect(s.filter((x) => x === Status.OK).length).toBeGreaterThanOrEqual(1);
    expect(s.filter((x) => x === Status.SERVER_FULL).length).toBeGreaterThanOrEqual(1);
    expect(s.filter((x) => x !== Status.OK && x !== Status.SERVER_FULL)).toHaveLength(0);
    expect(admission(srv).refused.hashQueue).toBe(s.filter((x) => x === Status.SERVER_FULL).length);
  });

  it('writes one summary line per window when limits trip, not one per refusal', async () => {
    srv = await startServer(LIMITS_TEST_OPTIONS, { captureLog: true });
    const replies = await flood(srv.tcpPort, '127.0.0.2', 8, 4, (i) => ({
      room: `flood-${i}`,
      operation: Operation.CREATE,
      payload: { username: 'f', password: 'pw' },
    }));
    expect(replies.filter((r) => r.status === Status.RATE_LIMITED).length).toBeGreaterThan(10);
    await srv.close(); // closing writes the pending window's note
    const notes = srv.logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['event'] === 'limits-tripped');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ level: 'warn', sources: 1, top: '127.0.0.2' });
    srv = null;
  });
});
