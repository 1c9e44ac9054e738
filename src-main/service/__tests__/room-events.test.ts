// What the UI hears per change: one roomUpdated for each join, leave and rejoin step, the member
// list as the client reports it, and a history that stays bounded.
import { describe, expect, it } from 'vitest';
import { HISTORY_LIMIT } from '../chat-service.js';
import { record, texts } from './service-recorder.js';
import { factoriesWith, serviceFactory } from './test-services.js';
import { Status, TINCAN_DIALECT_VERSION } from '../../../src-shared/protocol/index.js';
import { must } from '../../../test/support/must.js';
import { JOIN, request } from '../../../test/support/raw-tcrp.js';
import { RawMember } from '../../../test/support/raw-udp.js';
import { CLEAR_SEAT_QUIET_MS, QUICK_HEARTBEATS } from '../../../test/support/server.js';
import { letTimePass } from '../../../test/support/wait.js';

const makeService = serviceFactory();

describe('ChatService events per change', () => {
  it('reports a join and a leave with one roomUpdated each', async () => {
    const a = makeService();
    const b = makeService();
    const recA = record(a);
    const recB = record(b);
    const hosted = await a.hostRoom({ room: 'once', username: 'alice', password: '', port: 0, bindHost: '127.0.0.1' });
    const address = `127.0.0.1:${a.serverInfo()?.tcpPort}`;
    const hostUpdates = () => recA.updates.filter((v) => v.id === hosted.id);

    const before = hostUpdates().length;
    const joined = await b.joinRoom({ address, room: 'once', username: 'bob', password: '' });
    await recA.until('alice to see bob join', () => texts(recA, hosted.id).includes('bob joined the room.'));
    // A chat line from bob arrives after his join announcement: everything of the join is in by then.
    b.sendMessage(joined.id, 'hi');
    await recA.until('alice to get the line', () => texts(recA, hosted.id).includes('hi'));
    const afterJoin = hostUpdates().slice(before);
    expect(afterJoin).toHaveLength(1);
    expect(afterJoin[0]?.members.map((m) => m.name).sort()).toEqual(['alice', 'bob']);

    const beforeLeave = hostUpdates().length;
    await b.leaveRoom(joined.id);
    await recA.until('alice to see bob leave', () => texts(recA, hosted.id).includes('bob left the room.'));
    const afterLeave = hostUpdates().slice(beforeLeave);
    expect(afterLeave).toHaveLength(1);
    expect(afterLeave[0]?.members.map((m) => m.name)).toEqual(['alice']);
    expect(recB.views.get(joined.id)).toMatchObject({ state: 'closed', members: [] });
  });

  it("shows a late joiner the room's earlier lines, then where they end", async () => {
    const a = makeService();
    const b = makeService();
    const recA = record(a);
    const recB = record(b);
    const hosted = await a.hostRoom({ room: 'past', username: 'alice', password: '', port: 0, bindHost: '127.0.0.1' });
    a.sendMessage(hosted.id, 'said before bob came');
    await recA.until('the line to be delivered', () =>
      (recA.entries.get(hosted.id) ?? []).some(
        (e) => e.kind === 'chat' && e.text === 'said before bob came' && !e.pending,
      ),
    );
    const joined = await b.joinRoom({
      address: `127.0.0.1:${a.serverInfo()?.tcpPort}`,
      room: 'past',
      username: 'bob',
      password: '',
    });
    await recB.until('bob to see the catch-up end', () =>
      texts(recB, joined.id).includes('1 earlier message from before you joined.'),
    );
    const lines = texts(recB, joined.id);
    expect(lines.indexOf('said before bob came')).toBeGreaterThanOrEqual(0);
    expect(lines.indexOf('said before bob came')).toBeLessThan(
      lines.indexOf('1 earlier message from before you joined.'),
    );
    expect(lines.filter((t) => t === 'said before bob came')).toHaveLength(1);
    // Everyone sees how many earlier lines new members get (the app's server keeps 100 by default).
    expect(recB.views.get(joined.id)?.catchUp).toBe(100);
    expect(recA.views.get(hosted.id)?.catchUp).toBe(100);
    // Marked as earlier for the UI to style; what is said after the join is not.
    const said = (text: string) => recB.entries.get(joined.id)?.find((e) => e.kind === 'chat' && e.text === text);
    expect(said('said before bob came')).toMatchObject({ earlier: true });
    a.sendMessage(hosted.id, 'said after bob came');
    await recB.until('bob to get the new line', () => said('said after bob came') !== undefined);
    expect(said('said after bob came')).not.toHaveProperty('earlier');
  });

  it('reports a rejoin as connecting, then connected', async () => {
    const a = makeService();
    const b = makeService();
    await a.hostRoom({ room: 'again', username: 'alice', password: '', port: 0, bindHost: '127.0.0.1' });
    const address = `127.0.0.1:${a.serverInfo()?.tcpPort}`;
    const joined = await b.joinRoom({ address, room: 'again', username: 'bob', password: '' });
    await b.leaveRoom(joined.id);
    const recB = record(b);
    await b.rejoinRoom(joined.id);
    const states = recB.updates.filter((v) => v.id === joined.id).map((v) => v.state);
    // The member list may arrive during the handshake (still 'connecting'); 'connected' is reported once.
    expect(states[0]).toBe('connecting');
    expect(states.filter((s) => s === 'connected')).toEqual(['connected']);
    expect(states.at(-1)).toBe('connected');
  });

  it('keeps at most HISTORY_LIMIT entries per room', async () => {
    const a = makeService();
    const hosted = await a.hostRoom({ room: 'long', username: 'alice', password: '', port: 0, bindHost: '127.0.0.1' });
    for (let i = 0; i < HISTORY_LIMIT + 10; i++) a.sendMessage(hosted.id, `line ${i}`);
    const history = a.getHistory(hosted.id);
    expect(history).toHaveLength(HISTORY_LIMIT);
    expect(history.at(-1)?.text).toBe(`line ${HISTORY_LIMIT + 9}`);
  });
});

describe('a member whose connection came back', () => {
  it('shows "bob reconnected." and keeps bob in the member list', async () => {
    const a = makeService(undefined, factoriesWith(QUICK_HEARTBEATS));
    const recA = record(a);
    const hosted = await a.hostRoom({ room: 'back', username: 'alice', password: '', port: 0, bindHost: '127.0.0.1' });
    const info = must(a.serverInfo(), 'the hosted server');
    const bob = await RawMember.join({
      tcpPort: info.tcpPort,
      udpPort: info.udpPort,
      room: 'back',
      username: 'bob',
      tincan: TINCAN_DIALECT_VERSION,
    });
    try {
      await recA.until('alice to see bob join', () => texts(recA, hosted.id).includes('bob joined the room.'));
      // Bob's new session takes over the old one, as our client does after losing the server (his
      // seat, opened in clear, once it went quiet: PROTOCOL.md §4).
      await letTimePass(CLEAR_SEAT_QUIET_MS, "bob's first session silent");
      const resumed = await request(info.tcpPort, {
        room: 'back',
        operation: JOIN,
        payload: { username: 'bob', tincan: TINCAN_DIALECT_VERSION, resume: bob.token },
      });
      expect(resumed.status).toBe(Status.OK);
      await recA.until('alice to see bob reconnect', () => texts(recA, hosted.id).includes('bob reconnected.'));
      expect(texts(recA, hosted.id)).not.toContain('bob left the room.');
      expect(
        recA.views
          .get(hosted.id)
          ?.members.map((m) => m.name)
          .sort(),
      ).toEqual(['alice', 'bob']);
    } finally {
      bob.close();
    }
  });
});
