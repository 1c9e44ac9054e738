// Catch-up for late joiners through a real server, byte by byte: the room's last N chat messages go to
// a Tincan member that asked for them, after its first HELLO, then HISTORY_END; nothing to anyone else.
import { afterEach, describe, expect, it } from 'vitest';
import {
  ClientKind,
  CONTROL_MARKER,
  decodeServerEvent,
  encodeClientControl,
  encodeRequestPayload,
  parseCompletionPayload,
  ServerKind,
  Status,
  type ServerEvent,
} from '../../src-shared/protocol/index.js';
import type { ChatServer } from '../../src-main/engine/server/chat-server.js';
import { CREATE, JOIN, handshake, request } from '../support/raw-tcrp.js';
import { UdpPeer } from '../support/raw-udp.js';
import { CLEAR_SEAT_QUIET_MS, QUICK_HEARTBEATS, SHORT_TIMEOUTS, startServer } from '../support/server.js';
import { waitUntil } from '../support/wait.js';

let server: ChatServer | null = null;
const peers: UdpPeer[] = [];

afterEach(async () => {
  for (const p of peers.splice(0)) p.close();
  await server?.close();
  server = null;
});

async function start(historySize?: number): Promise<ChatServer> {
  server = await startServer({
    ...SHORT_TIMEOUTS,
    ...QUICK_HEARTBEATS,
    ...(historySize === undefined ? {} : { historySize }),
  });
  return server;
}

async function peer(): Promise<UdpPeer> {
  const p = await UdpPeer.open();
  peers.push(p);
  return p;
}

/** A Tincan join that asks for catch-up (`since` as given), as our client sends it. */
async function joinAskingCatchUp(
  s: ChatServer,
  name: string,
  opts: { since?: number; resume?: string; catchUp?: boolean } = {},
): Promise<{ token: Buffer; resumed: boolean; history: number | undefined }> {
  const payload = encodeRequestPayload({
    username: name,
    dialect: 1,
    resume: opts.resume ?? null,
    catchUp: opts.catchUp === false ? null : { since: opts.since ?? 0 },
  });
  const reply = await request(s.tcpPort, { room: 'lobby', operation: JOIN, payload });
  expect(reply.status).toBe(Status.OK);
  const completion = parseCompletionPayload(reply.completion as Uint8Array);
  if (completion?.kind !== 'tincan') throw new Error('expected a Tincan completion');
  return {
    token: Buffer.from(completion.token),
    resumed: completion.info.resumed === true,
    history: completion.info.history,
  };
}

/** A plain host `alice` in `lobby` who has said `count` lines (`line 1` …), all relayed. */
async function hostSaid(s: ChatServer, count: number): Promise<{ peer: UdpPeer; token: Buffer }> {
  const host = await handshake(s.tcpPort, CREATE, 'lobby', 'alice');
  const p = await peer();
  const seen = s.stats().datagramsIn;
  await p.sendChat(s.udpPort, 'lobby', host.token, ''); // keep-alive: alice is announced before anyone joins
  for (let i = 1; i <= count; i++) await p.sendChat(s.udpPort, 'lobby', host.token, `line ${i}`);
  await waitUntil(() => s.stats().datagramsIn >= seen + 1 + count, { what: 'every line reached the server' });
  return { peer: p, token: host.token };
}

/** Sends HELLO and reads the answer: the member list, then every event until HISTORY_END or silence. */
async function hello(s: ChatServer, p: UdpPeer, token: Buffer): Promise<ServerEvent[]> {
  await p.sendChat(s.udpPort, 'lobby', token, encodeClientControl({ kind: 'hello' }));
  const events: ServerEvent[] = [];
  for (;;) {
    const bytes = await p.next().catch(() => null);
    if (bytes === null) return events;
    const event = decodeServerEvent(bytes, 1);
    if (event === null) throw new Error(`undecodable datagram ${bytes.toString('hex')}`);
    events.push(event);
    if (event.kind === 'history-end') return events;
  }
}

describe('catch-up for late joiners', () => {
  it('sends a late Tincan joiner the last messages in order, marked earlier, then the end marker', async () => {
    const s = await start();
    const before = Date.now();
    await hostSaid(s, 3);
    const carol = await joinAskingCatchUp(s, 'carol');
    expect(carol.history).toBe(100); // the state-2 JSON says how much a newcomer sees
    const p = await peer();
    const events = await hello(s, p, carol.token);
    expect(events[0]?.kind).toBe('members');
    const entries = events.slice(1, -1);
    expect(entries.map((e) => (e.kind === 'history' ? [e.seq, e.sender, e.text] : e.kind))).toEqual([
      [1, 'alice', 'line 1'],
      [2, 'alice', 'line 2'],
      [3, 'alice', 'line 3'],
    ]);
    for (const e of entries) {
      if (e.kind !== 'history') continue;
      expect(e.at).toBeGreaterThanOrEqual(before);
      expect(e.at).toBeLessThanOrEqual(Date.now());
    }
    expect(events.at(-1)).toEqual({ kind: 'history-end', count: 3 });
  });

  it('puts every byte where PROTOCOL.md says', async () => {
    const s = await start();
    await hostSaid(s, 1);
    const carol = await joinAskingCatchUp(s, 'carol');
    const p = await peer();
    await p.sendChat(s.udpPort, 'lobby', carol.token, encodeClientControl({ kind: 'hello' }));
    await p.next(); // MEMBERS
    const entry = await p.next();
    // FF 89, seq 1, 8 bytes of time, 5 "alice", "line 1"
    expect(entry.subarray(0, 6).toString('hex')).toBe('ff8900000001');
    expect(entry[14]).toBe(5);
    expect(entry.subarray(15).toString()).toBe('aliceline 1');
    expect(entry.readUInt32BE(6) * 2 ** 32 + entry.readUInt32BE(10)).toBeLessThanOrEqual(Date.now());
    expect((await p.next()).toString('hex')).toBe('ff8a0001');
  });

  it('keeps only the last N (the ring is bounded) and counts seq across the dropped ones', async () => {
    const s = await start(3);
    await hostSaid(s, 7);
    const carol = await joinAskingCatchUp(s, 'carol');
    const events = await hello(s, await peer(), carol.token);
    const seqs = events.flatMap((e) => (e.kind === 'history' ? [e.seq] : []));
    expect(seqs).toEqual([5, 6, 7]);
    expect(events.at(-1)).toEqual({ kind: 'history-end', count: 3 });
  });

  it('with a history of 0 sends nothing: no entries, no end marker', async () => {
    const s = await start(0);
    await hostSaid(s, 3);
    const carol = await joinAskingCatchUp(s, 'carol');
    expect(carol.history).toBeUndefined();
    const events = await hello(s, await peer(), carol.token);
    expect(events.map((e) => e.kind)).toEqual(['members']);
  });

  it('sends it once per session: a later HELLO gets only the member list', async () => {
    const s = await start();
    await hostSaid(s, 2);
    const carol = await joinAskingCatchUp(s, 'carol');
    const p = await peer();
    expect((await hello(s, p, carol.token)).map((e) => e.kind)).toEqual([
      'members',
      'history',
      'history',
      'history-end',
    ]);
    expect((await hello(s, p, carol.token)).map((e) => e.kind)).toEqual(['members']);
  });

  it('a Tincan joiner that did not ask gets the member list only, as before', async () => {
    const s = await start();
    await hostSaid(s, 2);
    const carol = await joinAskingCatchUp(s, 'carol', { catchUp: false });
    expect(carol.history).toBeUndefined(); // and its state-2 JSON is as before
    const events = await hello(s, await peer(), carol.token);
    expect(events.map((e) => e.kind)).toEqual(['members']);
  });

  it('a plain late joiner gets nothing extra: not one datagram', async () => {
    const s = await start();
    const host = await hostSaid(s, 3);
    const bob = await handshake(s.tcpPort, JOIN, 'lobby', 'bob');
    const p = await peer();
    await p.sendChat(s.udpPort, 'lobby', bob.token, ''); // keep-alive: endpoint known, bob announced
    expect(await host.peer.nextText()).toBe('* bob joined the room');
    expect(await p.quiet(200)).toEqual([]);
    // A "catchup" field from a plain request is ignored with the rest of the Tincan fields.
    const payload = Buffer.from(JSON.stringify({ username: 'dave', catchup: 1 }));
    const reply = await request(s.tcpPort, { room: 'lobby', operation: JOIN, payload });
    expect(reply.status).toBe(Status.OK);
    const dave = Buffer.from((parseCompletionPayload(reply.completion as Uint8Array) as { token: Uint8Array }).token);
    const q = await peer();
    await q.sendChat(s.udpPort, 'lobby', dave, '');
    expect(await q.quiet(200)).toEqual([]);
  });

  it('on resume sends only what is newer than `since`, and nothing said after the member came back', async () => {
    const s = await start();
    const host = await hostSaid(s, 3);
    const carol = await joinAskingCatchUp(s, 'carol');
    const p = await peer();
    await hello(s, p, carol.token);
    const seen = s.stats().datagramsIn;
    await host.peer.sendChat(s.udpPort, 'lobby', host.token, 'line 4');
    await host.peer.sendChat(s.udpPort, 'lobby', host.token, 'line 5');
    await waitUntil(() => s.stats().datagramsIn >= seen + 2, { what: 'lines 4 and 5 reached the server' });
    // Carol saw up to 3 (say her client lost 4 and 5); once her seat, opened in clear, went quiet, she
    // resumes from the same socket.
    await p.quiet(CLEAR_SEAT_QUIET_MS);
    const back = await joinAskingCatchUp(s, 'carol', { since: 3, resume: carol.token.toString() });
    expect(back.resumed).toBe(true);
    const events = await hello(s, p, back.token);
    const kinds = events.filter((e) => e.kind !== 'left' && e.kind !== 'members');
    expect(kinds).toEqual([
      expect.objectContaining({ kind: 'history', seq: 4, text: 'line 4' }),
      expect.objectContaining({ kind: 'history', seq: 5, text: 'line 5' }),
      { kind: 'history-end', count: 2 },
    ]);
  });

  it('keeps the relayed bytes of live chat unchanged', async () => {
    const s = await start();
    const host = await hostSaid(s, 0);
    const carol = await joinAskingCatchUp(s, 'carol');
    const p = await peer();
    await hello(s, p, carol.token);
    await host.peer.sendChat(s.udpPort, 'lobby', host.token, 'hi');
    const live = await p.next();
    expect(live[0]).toBe(CONTROL_MARKER);
    expect(live[1]).toBe(ServerKind.CHAT);
    expect(live.toString('hex')).toBe('ff820000000105616c6963656869');
    expect(ClientKind.HELLO).toBe(1);
  });
});
