// Password guessing meets a per-(IP, room) backoff; session tokens are unguessable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Operation, Status } from '../../src-shared/protocol/index.js';
import { hashPassword, verifyPassword } from '../../src-main/engine/server/password.js';
import { request } from '../support/raw-tcrp.js';
import { letTimePass } from '../support/wait.js';
import { FAST_OPTIONS, startServer, type TestServer } from '../support/server.js';

const FREE_ATTEMPTS = 3;
let srv: TestServer;
beforeAll(async () => {
  srv = await startServer({
    ...FAST_OPTIONS,
    passwordAttemptsBeforeBackoff: FREE_ATTEMPTS,
    tokenTtlMs: 10_000,
    inactivityTimeoutMs: 10_000,
  });
  const created = await request(srv.tcpPort, {
    room: 'vault',
    operation: Operation.CREATE,
    payload: { username: 'host', password: 'sesame' },
  });
  expect(created.status).toBe(Status.OK);
});
afterAll(async () => {
  await srv?.close();
});

const join = (username: string, password: string, localAddress: string, tincan = false) =>
  request(srv.tcpPort, { room: 'vault', payload: { username, password, tincan }, localAddress });

describe('password guessing', () => {
  it('backs off after the free attempts, even for the right password, only for that IP', async () => {
    for (let i = 0; i < FREE_ATTEMPTS; i++)
      expect((await join(`g${i}`, `guess${i}`, '127.0.0.6')).status).toBe(Status.WRONG_PASSWORD);
    expect((await join('g9', 'guess9', '127.0.0.6')).status).toBe(Status.RATE_LIMITED);
    expect((await join('g10', 'sesame', '127.0.0.6')).status).toBe(Status.RATE_LIMITED);
    // Another address is not punished for the guesser.
    expect((await join('friend', 'sesame', '127.0.0.7')).status).toBe(Status.OK);
    // After the first backoff period (1 s) the right password works again.
    await letTimePass(1100, 'the 1 s backoff must expire on the clock');
    expect((await join('patient', 'sesame', '127.0.0.6')).status).toBe(Status.OK);
  });

  it('doubles the backoff with each further wrong password', async () => {
    for (let i = 0; i < FREE_ATTEMPTS; i++)
      expect((await join(`d${i}`, 'nope', '127.0.0.8')).status).toBe(Status.WRONG_PASSWORD);
    await letTimePass(1100, 'the 1 s backoff must expire on the clock');
    expect((await join('d3', 'nope', '127.0.0.8')).status).toBe(Status.WRONG_PASSWORD);
    await letTimePass(1100, 'the failure after it earned 2 s: 1.1 s is not enough');
    expect((await join('d4', 'sesame', '127.0.0.8')).status).toBe(Status.RATE_LIMITED);
    await letTimePass(1000, 'now the 2 s backoff has expired too');
    expect((await join('d5', 'sesame', '127.0.0.8')).status).toBe(Status.OK);
  });

  it('tells a plain client WRONG_PASSWORD and a Tincan client PASSWORD_REQUIRED when no password is given', async () => {
    expect((await join('nopw1', '', '127.0.0.9')).status).toBe(Status.WRONG_PASSWORD);
    expect((await join('nopw2', '', '127.0.0.9', true)).status).toBe(Status.PASSWORD_REQUIRED);
  });

  it('stores salted hashes only (password module): no plaintext, a fresh salt per hash', async () => {
    // The room record itself is private to the server; what it stores is what hashPassword returns.
    const a = await hashPassword('sesame');
    const b = await hashPassword('sesame');
    expect(a.salt.length).toBe(16);
    expect(a.hash.length).toBeGreaterThanOrEqual(32);
    expect(a.salt.equals(b.salt)).toBe(false);
    expect(a.hash.equals(b.hash)).toBe(false);
    expect(Buffer.concat([a.salt, a.hash]).includes(Buffer.from('sesame'))).toBe(false);
    expect(await verifyPassword(a, 'sesame')).toBe(true);
    expect(await verifyPassword(a, 'sesamE')).toBe(false);
  });
});

describe('tokens', () => {
  it('are 192 bits of base64url, unique and unbiased over 160 handshakes', async () => {
    const tokens: string[] = [];
    for (let batch = 0; batch < 8; batch++) {
      const replies = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          request(srv.tcpPort, {
            room: `tk${batch}-${i}`,
            operation: Operation.CREATE,
            payload: { username: 'h', tincan: i % 2 === 0 },
          }),
        ),
      );
      for (const r of replies) {
        expect(r.status).toBe(Status.OK);
        tokens.push(r.token as string);
      }
    }
    expect(new Set(tokens).size).toBe(tokens.length);
    let ones = 0;
    for (const t of tokens) {
      expect(t).toMatch(/^[A-Za-z0-9_-]{32}$/);
      const raw = Buffer.from(t, 'base64url');
      expect(raw.length).toBe(24); // 192 bits ≥ 128
      for (const byte of raw) for (let b = 0; b < 8; b++) ones += (byte >> b) & 1;
    }
    // A CSPRNG gives half ones; a counter, a timestamp or Math.random seeded badly would not.
    const fraction = ones / (tokens.length * 192);
    expect(fraction).toBeGreaterThan(0.48);
    expect(fraction).toBeLessThan(0.52);
    // Every position takes many values (a time- or counter-based prefix would not).
    for (const position of [0, 10, 31]) {
      expect(new Set(tokens.map((t) => t[position])).size).toBeGreaterThan(30);
    }
  });
});
