// Unit checks of the server's small parts: logger format, limiters, IP matching, password hashing,
// tokens, and bind failures.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../src-main/engine/log.js';
import { ChatServer } from '../../src-main/engine/server/chat-server.js';
import { normaliseIp, sameIp, sendAddressFor } from '../../src-main/engine/server/ip.js';
import { hashPassword, verifyPassword } from '../../src-main/engine/server/password.js';
import { PasswordBackoff, takeToken } from '../../src-main/engine/server/rate-limit.js';
import { newToken } from '../../src-main/engine/server/token.js';
import { mustAt } from '../support/must.js';

describe('logger', () => {
  it('writes one JSON line per event at or above the level', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', write: (l) => lines.push(l) });
    log.debug('hidden');
    log.info('room-created', { room: 'lobby', n: 2n });
    log.error('boom', { err: Object.assign(new Error('bad'), { code: 'EBAD' }) });
    expect(lines).toHaveLength(2);
    const first = JSON.parse(mustAt(lines, 0, 'log line')) as Record<string, unknown>;
    expect(first).toMatchObject({ level: 'info', event: 'room-created', room: 'lobby', n: '2' });
    expect(new Date(first['t'] as string).toString()).not.toBe('Invalid Date');
    expect(JSON.parse(mustAt(lines, 1, 'log line'))).toMatchObject({
      event: 'boom',
      err: { message: 'bad', code: 'EBAD' },
    });
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
    const none: string[] = [];
    createLogger({ level: 'silent', write: (l) => none.push(l) }).error('x');
    expect(none).toEqual([]);
    expect(() => silentLogger.info('x')).not.toThrow();
  });
});

describe('limiters', () => {
  it('password backoff starts after the free attempts and doubles', () => {
    const b = new PasswordBackoff(2, 1_000, 5_000);
    const k = PasswordBackoff.key('1.2.3.4', 'room');
    b.recordFailure(k, 0);
    expect(b.blockedFor(k, 0)).toBe(0);
    b.recordFailure(k, 0);
    expect(b.blockedFor(k, 0)).toBe(1_000);
    b.recordFailure(k, 1_000);
    expect(b.blockedFor(k, 1_000)).toBe(2_000);
    for (let i = 0; i < 10; i++) b.recordFailure(k, 3_000);
    expect(b.blockedFor(k, 3_000)).toBe(5_000);
    expect(b.blockedFor(PasswordBackoff.key('1.2.3.4', 'other'), 3_000)).toBe(0);
    b.recordSuccess(k);
    expect(b.blockedFor(k, 3_000)).toBe(0);
  });

  it('token bucket allows the burst then the rate', () => {
    const bucket = { bucketTokens: 4, bucketAt: 0 };
    let allowed = 0;
    for (let i = 0; i < 10; i++) if (takeToken(bucket, 0, 2, 4)) allowed++;
    expect(allowed).toBe(4);
    expect(takeToken(bucket, 499, 2, 4)).toBe(false);
    expect(takeToken(bucket, 500, 2, 4)).toBe(true);
  });
});

describe('ip matching', () => {
  it('treats IPv4-mapped IPv6 as the IPv4 address', () => {
    expect(normaliseIp('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normaliseIp('::1')).toBe('::1');
    expect(sameIp('::ffff:127.0.0.1', '127.0.0.1')).toBe(true);
    expect(sameIp('127.0.0.1', '127.0.0.1')).toBe(true);
    expect(sameIp('::ffff:127.0.0.2', '127.0.0.1')).toBe(false);
    expect(sameIp('::ffff:10.0.0.1', '0.0.1')).toBe(false);
    expect(sameIp('::1', '127.0.0.1')).toBe(false);
    expect(sendAddressFor('127.0.0.1', 'udp6')).toBe('::ffff:127.0.0.1');
    expect(sendAddressFor('127.0.0.1', 'udp4')).toBe('127.0.0.1');
  });
});

describe('secrets', () => {
  it('hashes with a salt and verifies in constant time', async () => {
    const a = await hashPassword('pw');
    const b = await hashPassword('pw');
    expect(a.salt.length).toBe(16);
    expect(a.hash.equals(b.hash)).toBe(false);
    expect(await verifyPassword(a, 'pw')).toBe(true);
    expect(await verifyPassword(a, 'pW')).toBe(false);
  });

  it('makes distinct 32-char base64url tokens', () => {
    const seen = new Set(Array.from({ length: 200 }, () => newToken()));
    expect(seen.size).toBe(200);
    for (const t of seen) expect(t).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});

describe('bind failures', () => {
  it('rejects with EADDRINUSE when the UDP port is taken and frees the TCP port again', async () => {
    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
    const taken = udp.address().port;
    // A TCP port that is free right now, to check it is free again after the failed listen.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const tcpPort = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const server = new ChatServer({ host: '127.0.0.1', port: tcpPort, udpPort: taken });
    await expect(server.listen()).rejects.toMatchObject({ code: 'EADDRINUSE' });
    udp.close();
    const again = createServer();
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.listen(tcpPort, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((r) => again.close(() => r()));
  });
});
