// IP binding on a dual-stack server ('::'): IPv4 peers appear as ::ffff:a.b.c.d on the IPv6 sockets.
// A token must work from the IPv4 address it was issued to and from nowhere else — not from ::1, and
// an IPv6 member's token not from 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeClientControl, utf8Encode } from '../../src-shared/protocol/index.js';
import { RawMember, UdpPeer } from '../support/raw-udp.js';
import { becomesTrue, letTimePass } from '../support/wait.js';
import { FAST_OPTIONS, startServer, type TestServer } from '../support/server.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer({ ...FAST_OPTIONS, host: '::' });
});
afterAll(async () => {
  await srv?.close();
});

describe('dual-stack IP binding', () => {
  it('relays between an IPv4 and an IPv6 member, and refuses each token from the other family', async () => {
    const v4 = await RawMember.join({
      tcpPort: srv.tcpPort,
      udpPort: srv.udpPort,
      room: 'ds',
      username: 'four',
      create: true,
    });
    const v6 = await RawMember.join({
      tcpPort: srv.tcpPort,
      udpPort: srv.udpPort,
      room: 'ds',
      username: 'six',
      address: '::1',
      serverHost: '::1',
    });
    const thief6 = await UdpPeer.open('::1');
    const thief4 = await UdpPeer.open('127.0.0.1');
    try {
      await v4.chat(1, 'from v4');
      await v6.chat(1, 'from v6');
      expect(
        await becomesTrue(
          () => v6.chats().some((c) => c.text === 'from v4') && v4.chats().some((c) => c.text === 'from v6'),
          { timeoutMs: 2000 },
        ),
      ).toBe(true);

      const before = srv.dropped('wrong-ip');
      await thief6.sendRaw(
        v4.datagram(encodeClientControl({ kind: 'chat', id: 9, text: utf8Encode('stolen v4') })),
        srv.udpPort,
        '::1',
      );
      await thief4.sendRaw(
        v6.datagram(encodeClientControl({ kind: 'chat', id: 9, text: utf8Encode('stolen v6') })),
        srv.udpPort,
        '127.0.0.1',
      );
      expect(await becomesTrue(() => srv.dropped('wrong-ip') >= before + 2, { timeoutMs: 2000 })).toBe(true);
      await letTimePass(100, 'prove nothing stolen is relayed or answered');
      expect([...v4.chats(), ...v6.chats()].some((c) => c.text.startsWith('stolen'))).toBe(false);
      expect(thief4.received).toEqual([]);
      expect(thief6.received).toEqual([]);
    } finally {
      for (const p of [v4, v6]) p.close();
      thief4.close();
      thief6.close();
    }
  });
});
