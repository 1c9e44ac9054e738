// The host's process dies without a word (SIGKILL). The room must close after the inactivity timeout
// and every member, of either dialect, must be told why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientFactory } from '../support/clients.js';
import { plainClosedNotice, ClosedReason, utf8Encode } from '../../src-shared/protocol/index.js';
import { RawMember } from '../support/raw-udp.js';
import { becomesTrue, waitUntil } from '../support/wait.js';
import { FAST_OPTIONS, startServer, type TestServer } from '../support/server.js';
import { fixturePath, startChild, type Child } from './child.js';

const INACTIVITY_MS = 1200;
let srv: TestServer;
let host: Child | null = null;
const clients = new ClientFactory();

beforeAll(async () => {
  srv = await startServer({
    ...FAST_OPTIONS,
    inactivityTimeoutMs: INACTIVITY_MS,
    heartbeatIntervalMs: 200,
    sweepIntervalMs: 50,
  });
});
afterAll(async () => {
  host?.kill();
  await clients.leaveAll();
  await srv?.close();
});

describe('host crash', () => {
  it('closes the room after the inactivity timeout and tells every member', async () => {
    host = await startChild(fixturePath('host-process.ts'), [String(srv.tcpPort), 'crashy', 'boss']);
    expect(host.line).toMatch(/^ready /);

    const closedReasons: string[] = [];
    for (const name of ['ann', 'ben']) {
      const c = clients.make(
        { tcpPort: srv.tcpPort },
        { room: 'crashy', username: name, mode: 'join', reconnect: false },
      );
      c.on('error', () => undefined);
      c.on('closed', (info) => closedReasons.push(`${name}:${info.reason}`));
      await c.connect();
    }
    const plain = await RawMember.join({
      tcpPort: srv.tcpPort,
      udpPort: srv.udpPort,
      room: 'crashy',
      username: 'old',
      tincan: false,
    });
    try {
      await waitUntil(() => srv.stats().members === 4);
      expect(srv.stats().members).toBe(4);

      host.kill();
      const killedAt = Date.now();
      // The plain member keeps itself alive with empty datagrams, as a plain client should.
      const keepAlive = setInterval(() => void plain.sendRaw(new Uint8Array(0)), 200);
      try {
        const allTold = await becomesTrue(
          () => closedReasons.length === 2 && plain.texts.includes(plainClosedNotice(ClosedReason.HOST_TIMED_OUT)),
          { timeoutMs: INACTIVITY_MS + 2500 },
        );
        const closedAfter = Date.now() - killedAt;
        expect(closedReasons.sort()).toEqual(['ann:host-timed-out', 'ben:host-timed-out']);
        expect(allTold).toBe(true);
        // Not before the host had been silent for the timeout.
        expect(closedAfter).toBeGreaterThanOrEqual(INACTIVITY_MS - 300);
      } finally {
        clearInterval(keepAlive);
      }
      expect(srv.stats()).toMatchObject({ rooms: 0, members: 0 });
      // The members' tokens are revoked with the room.
      const before = srv.dropped('unknown-token');
      await plain.sendRaw(utf8Encode('anyone?'));
      expect(await becomesTrue(() => srv.dropped('unknown-token') > before, { timeoutMs: 1000 })).toBe(true);
    } finally {
      plain.close();
    }
  });
});
