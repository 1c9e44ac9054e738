// Room enumeration: the answers that say which rooms exist are rate-limited per IP, and a refusal
// for a missing room takes the same path (one password hash) as a wrong password.
import { afterEach, describe, expect, it } from 'vitest';
import { Operation, Status } from '../../src-shared/protocol/index.js';
import { request } from '../support/raw-tcrp.js';
import { LIMITS_TEST_OPTIONS, admissionStats as admission, startServer, type TestServer } from '../support/server.js';

let srv: TestServer | null = null;
afterEach(async () => {
  await srv?.close();
  srv = null;
});

describe('enumeration', () => {
  it('rate-limits the answers one IP gets about rooms; other IPs are answered as before', async () => {
    const burst = 5;
    srv = await startServer({
      ...LIMITS_TEST_OPTIONS,
      refusalBurstPerIp: burst,
      refusalsPerIpPerSecond: 0.01,
    });
    const port = srv.tcpPort;
    const open = await request(port, { room: 'open', operation: Operation.CREATE, payload: { username: 'host' } });
    expect(open.status).toBe(Status.OK);

    const probes: (number | null)[] = [];
    for (let i = 0; i < 20; i++) {
      probes.push(
        (await request(port, { room: `guess-${i}`, payload: { username: 'eve' }, localAddress: '127.0.0.2' })).status,
      );
    }
    expect(probes.slice(0, burst)).toEqual(Array(burst).fill(Status.NO_SUCH_ROOM));
    expect(probes.slice(burst)).toEqual(Array(20 - burst).fill(Status.RATE_LIMITED));

    // Once limited, the IP learns nothing: an existing room answers the same as a missing one.
    const existing = await request(port, { room: 'open', payload: { username: 'host' }, localAddress: '127.0.0.2' });
    expect(existing.status).toBe(Status.RATE_LIMITED);
    const create = await request(port, {
      room: 'open',
      operation: Operation.CREATE,
      payload: { username: 'x' },
      localAddress: '127.0.0.2',
    });
    expect(create.status).toBe(Status.RATE_LIMITED);

    // Another IP still gets real answers, and successful joins do not spend the budget.
    const other = await request(port, { room: 'guess-0', payload: { username: 'bob' }, localAddress: '127.0.0.3' });
    expect(other.status).toBe(Status.NO_SUCH_ROOM);
    for (let i = 0; i < burst * 2; i++) {
      const ok = await request(port, { room: 'open', payload: { username: `m${i}` }, localAddress: '127.0.0.3' });
      expect(ok.status).toBe(Status.OK);
    }
    expect(admission(srv).refused.enumeration).toBe(20 - burst + 2);
  });

  it('counts every kind of telling answer: ROOM_EXISTS, NAME_TAKEN, PASSWORD_REQUIRED, WRONG_PASSWORD', async () => {
    srv = await startServer({ ...LIMITS_TEST_OPTIONS, refusalBurstPerIp: 4, refusalsPerIpPerSecond: 0.01 });
    const port = srv.tcpPort;
    const from = '127.0.0.2';
    await request(port, { room: 'g', operation: Operation.CREATE, payload: { username: 'host', password: 'pw' } });
    const answers = [
      await request(port, { room: 'g', operation: Operation.CREATE, payload: { username: 'x' }, localAddress: from }),
      await request(port, { room: 'g', payload: { username: 'host', password: 'pw' }, localAddress: from }),
      await request(port, { room: 'g', payload: { username: 'y', tincan: true }, localAddress: from }),
      await request(port, { room: 'g', payload: { username: 'y', password: 'no' }, localAddress: from }),
      await request(port, { room: 'g', payload: { username: 'y', password: 'pw' }, localAddress: from }),
    ].map((r) => r.status);
    expect(answers).toEqual([
      Status.ROOM_EXISTS,
      Status.NAME_TAKEN,
      Status.PASSWORD_REQUIRED,
      Status.WRONG_PASSWORD,
      Status.RATE_LIMITED,
    ]);
  });

  it('a missing room costs one password hash like a wrong password does; no password, no hash', async () => {
    srv = await startServer(LIMITS_TEST_OPTIONS);
    const port = srv.tcpPort;
    await request(port, { room: 'g', operation: Operation.CREATE, payload: { username: 'host', password: 'pw' } });
    const before = admission(srv);

    const wrong = await request(port, { room: 'g', payload: { username: 'a', password: 'guess' } });
    expect(wrong.status).toBe(Status.WRONG_PASSWORD);
    const afterWrong = admission(srv);
    expect(afterWrong.hashes - before.hashes).toBe(1);
    expect(afterWrong.unmatchableChecks - before.unmatchableChecks).toBe(0);

    const missing = await request(port, { room: 'nowhere', payload: { username: 'a', password: 'guess' } });
    expect(missing.status).toBe(Status.NO_SUCH_ROOM);
    const afterMissing = admission(srv);
    expect(afterMissing.hashes - afterWrong.hashes).toBe(1);
    expect(afterMissing.unmatchableChecks - afterWrong.unmatchableChecks).toBe(1);

    // ROOM_EXISTS needs no hash: the create of a missing room would say OK, so time tells nothing more.
    const exists = await request(port, {
      room: 'g',
      operation: Operation.CREATE,
      payload: { username: 'b', password: 'guess' },
    });
    expect(exists.status).toBe(Status.ROOM_EXISTS);
    const afterExists = admission(srv);
    expect(afterExists.hashes).toBe(afterMissing.hashes);

    const bare = await request(port, { room: 'nowhere', payload: { username: 'a' } });
    expect(bare.status).toBe(Status.NO_SUCH_ROOM);
    expect(admission(srv).hashes).toBe(afterExists.hashes);
  });

  it('backs off password guesses at a missing room as at a guarded one', async () => {
    srv = await startServer({ ...LIMITS_TEST_OPTIONS, passwordAttemptsBeforeBackoff: 3 });
    const port = srv.tcpPort;
    await request(port, { room: 'g', operation: Operation.CREATE, payload: { username: 'host', password: 'pw' } });
    const guess = async (room: string) =>
      (await request(port, { room, payload: { username: 'a', password: 'guess' }, localAddress: '127.0.0.2' })).status;
    const guarded = [await guess('g'), await guess('g'), await guess('g'), await guess('g')];
    const missing = [await guess('m'), await guess('m'), await guess('m'), await guess('m')];
    expect(guarded.slice(3)).toEqual([Status.RATE_LIMITED]);
    expect(missing.slice(3)).toEqual([Status.RATE_LIMITED]);
  });
});
