// Sealed members on a real server and real sockets: the secrets come in through the test seam
// (where TLS will hand them over), everything after that is the production path.
import { afterEach, describe, expect, it } from 'vitest';
import {
  encodeClientControl,
  parseRoomKeyMessage,
  SEALED_SERVER_HEADER_BYTES,
  SealedCipher,
  utf8Encode,
} from '../../src-shared/protocol/index.js';
import { deriveMemberKeys, type DirectionKey } from '../../src-main/engine/sealed/direction-keys.js';
import { Opener } from '../../src-main/engine/sealed/sealer.js';
import { serverDatagramEpoch } from '../../src-main/engine/sealed/server-datagram.js';
import { FAST_OPTIONS, startServer, type TestServer } from '../support/server.js';
import { RawMember } from '../support/raw-udp.js';
import { SealedPeer, UdpSecrets } from '../support/sealed-peer.js';
import { waitUntil } from '../support/wait.js';

let server: TestServer | null = null;
const peers: { close(): void }[] = [];

afterEach(async () => {
  for (const p of peers.splice(0)) p.close();
  await server?.close();
  server = null;
});

async function sealedServer(secrets: UdpSecrets, extra = {}): Promise<TestServer> {
  server = await startServer({
    ...FAST_OPTIONS,
    inactivityTimeoutMs: 10_000,
    tokenTtlMs: 10_000,
    udpSecretForTests: secrets.lookup,
    ...extra,
  });
  return server;
}

async function join(s: TestServer, secrets: UdpSecrets, name: string, create = false): Promise<SealedPeer> {
  const peer = await SealedPeer.join(s.tcpPort, secrets, 'vault', name, create);
  peers.push(peer);
  return peer;
}

/** Heartbeats from each peer every 250 ms (bounded: at most a minute) until stopped. */
function keepAlive(list: SealedPeer[]): { stop(): void } {
  let nonce = 0;
  const timer = setInterval(() => {
    for (const p of list) void p.send(encodeClientControl({ kind: 'heartbeat', nonce: ++nonce }));
  }, 250);
  const limit = setTimeout(() => clearInterval(timer), 60_000);
  return {
    stop(): void {
      clearInterval(timer);
      clearTimeout(limit);
    },
  };
}

describe('sealed datagrams through the relay', () => {
  it('relays chat between sealed members, text never in clear, room traffic under one room key', async () => {
    const secrets = new UdpSecrets();
    const s = await sealedServer(secrets);
    const alice = await join(s, secrets, 'alice', true);
    const bob = await join(s, secrets, 'bob');
    await waitUntil(() => alice.channel.epoch === 2 && bob.channel.epoch === 2, { what: 'epoch 2 at both' });
    await waitUntil(() => (s.stats().sealed?.keyAcks ?? 0) >= 3, { what: 'the acks of epochs 1 and 2' });

    const before = bob.probe.received.length;
    await alice.chat(1, 'the secret word is tincan');
    await waitUntil(() => bob.chats().includes('the secret word is tincan'), { what: 'bob to read alice' });
    // It reached bob under the room key (epoch 2), not under his own key.
    expect(bob.probe.received.slice(before).map(serverDatagramEpoch)).toEqual([2]);
    await bob.chat(1, 'understood');
    await waitUntil(() => alice.chats().includes('understood'), { what: 'alice to read bob' });

    for (const datagram of [...alice.probe.received, ...bob.probe.received]) {
      expect(datagram[0]).toBe(0xfd);
      expect(datagram.includes(Buffer.from('tincan'))).toBe(false);
      expect(datagram.includes(Buffer.from('understood'))).toBe(false);
      expect((datagram.length - SEALED_SERVER_HEADER_BYTES - 16) % 64 === 0).toBe(true);
    }
    expect(s.stats().sealed).toMatchObject({ sessions: 2, rotations: 2 });
  });

  it("acks a sealed sender's CHAT under its own key, sent with the room's copies, and again on a resend", async () => {
    const secrets = new UdpSecrets();
    const s = await sealedServer(secrets);
    const alice = await join(s, secrets, 'alice', true);
    const bob = await join(s, secrets, 'bob');
    const carol = await join(s, secrets, 'carol');
    const all = [alice, bob, carol];
    await waitUntil(() => all.every((p) => p.channel.epoch === 3), { what: 'epoch 3 everywhere' });
    await waitUntil(() => (s.stats().sealed?.keyAcks ?? 0) >= 6, { what: 'every KEY_ACK of epochs 1 to 3' });
    const acks = (p: SealedPeer) => p.events.flatMap((e) => (e.kind === 'ack' ? [e] : []));
    const chatsWithSeq = (p: SealedPeer) => p.events.flatMap((e) => (e.kind === 'chat' ? [e] : []));

    const before = alice.probe.received.length;
    const [bobBefore, carolBefore] = [bob.probe.received.length, carol.probe.received.length];
    await alice.chat(7, 'with my ack');
    await waitUntil(() => acks(alice).length === 1, { what: "alice's ACK" });
    await waitUntil(() => bob.chats().includes('with my ack') && carol.chats().includes('with my ack'), {
      what: 'bob and carol to read alice',
    });
    // Sealed once for the room: bob and carol got the very same bytes (one key, one counter).
    const toBob = bob.probe.received.slice(bobBefore);
    expect(toBob).toHaveLength(1);
    expect(carol.probe.received.slice(carolBefore)).toEqual(toBob);
    const seq = chatsWithSeq(bob).find((e) => e.text === 'with my ack')?.seq;
    expect(acks(alice)[0]).toEqual({ kind: 'ack', id: 7, seq });
    // The ACK came sealed under alice's own key (epoch 0); she got nothing of her own message.
    expect(alice.probe.received.slice(before).map(serverDatagramEpoch)).toEqual([0]);

    // A resend of id 7 (the ACK lost): acknowledged again with the same seq, relayed to nobody.
    await alice.chat(7, 'with my ack');
    await waitUntil(() => acks(alice).length === 2, { what: 'the second ACK' });
    expect(acks(alice)[1]).toEqual({ kind: 'ack', id: 7, seq });
    await bob.chat(1, 'and mine');
    await waitUntil(() => acks(bob).length === 1 && alice.chats().includes('and mine'), { what: "bob's ACK" });
    expect(bob.chats().filter((t) => t === 'with my ack')).toHaveLength(1);
    expect(s.stats().sealed?.refused).toBe(0);
  });

  it('puts a plain member and sealed members in one room: each gets its own form', async () => {
    const secrets = new UdpSecrets();
    const s = await sealedServer(secrets);
    const alice = await join(s, secrets, 'alice', true);
    const carol = await RawMember.join({
      tcpPort: s.tcpPort,
      udpPort: s.udpPort,
      room: 'vault',
      username: 'carol',
      tincan: false,
    });
    peers.push(carol);
    await waitUntil(() => alice.has('joined'), { what: 'alice to hear carol join' });
    await alice.chat(1, 'hi carol');
    await waitUntil(() => carol.texts.includes('alice: hi carol'), { what: 'carol to read alice in plain text' });
    await carol.chat(0, 'hi alice');
    await waitUntil(() => alice.chats().includes('hi alice'), { what: 'alice to read carol, sealed' });
    expect(alice.probe.received.every((d) => d[0] === 0xfd)).toBe(true);
  });

  it('drops forged, replayed, modified and wrong-session datagrams silently, and counts each', async () => {
    const secrets = new UdpSecrets();
    const s = await sealedServer(secrets);
    const alice = await join(s, secrets, 'alice', true);
    const bob = await join(s, secrets, 'bob');
    const port = s.udpPort;

    const good = alice.channel.seal(encodeClientControl({ kind: 'chat', id: 7, text: utf8Encode('once') })) as Buffer;
    await alice.probe.sendRaw(good, port);
    await waitUntil(() => bob.chats().includes('once'), { what: 'the genuine datagram' });
    await alice.probe.sendRaw(good, port); // replayed
    const modified = Buffer.from(
      alice.channel.seal(encodeClientControl({ kind: 'chat', id: 8, text: utf8Encode('twice') })) as Buffer,
    );
    modified[modified.length - 20] = (modified[modified.length - 20] as number) ^ 0x40;
    await alice.probe.sendRaw(modified, port);
    const forged = Buffer.from(good);
    forged.writeUInt32BE(0, 10);
    forged.writeUInt32BE(999, 14); // a fresh counter, but the tag cannot match
    await alice.probe.sendRaw(forged, port);
    const wrongSession = Buffer.from(good);
    wrongSession.fill(0x42, 2, 10);
    await alice.probe.sendRaw(wrongSession, port);
    await alice.probe.sendRaw(Buffer.from([0xfe, 0x01, 0x00]), port); // malformed

    await waitUntil(
      () =>
        s.dropped('sealed-replayed') === 1 &&
        s.dropped('sealed-bad-tag') === 2 &&
        s.dropped('sealed-unknown-session') === 1 &&
        s.dropped('sealed-malformed') === 1,
      { what: 'each drop counted' },
    );
    // The drops were silent, and nothing of them reached bob.
    await alice.chat(9, 'after the noise');
    await waitUntil(() => bob.chats().includes('after the noise'), { what: 'the next genuine message' });
    expect(bob.chats()).toEqual(['once', 'after the noise']);
  });

  it('refuses plain datagrams that name a sealed member, and the client drops unsealed ones', async () => {
    const secrets = new UdpSecrets();
    const s = await sealedServer(secrets);
    const alice = await join(s, secrets, 'alice', true);
    const bob = await join(s, secrets, 'bob');
    const spoof = await RawMember.join({
      tcpPort: s.tcpPort,
      udpPort: s.udpPort,
      room: 'vault',
      username: 'eve',
      tincan: false,
    });
    peers.push(spoof);
    await spoof.probe.sendChat(
      s.udpPort,
      'vault',
      alice.token,
      encodeClientControl({ kind: 'chat', id: 1, text: utf8Encode('as alice') }),
    );
    await waitUntil(() => s.dropped('sealed-only') === 1, { what: 'the plain datagram refused' });
    // A plain CLOSED event, as if from the server, is not believed.
    await spoof.probe.sendRaw(Uint8Array.of(0xff, 0x85, 0x01), bob.probe.port);
    await waitUntil(() => bob.channel.drops.malformed === 1, { what: 'bob to drop the spoof' });
    expect(bob.has('closed')).toBe(false);
  });

  // The issue names three ways out of a room; each must begin a new epoch the departed member never
  // gets. A timeout needs the others to keep talking while dave falls silent.
  const departures = [
    { how: 'leaves', extra: {}, go: (dave: SealedPeer) => dave.leave() },
    {
      how: 'is removed by the host',
      extra: {},
      go: (_dave: SealedPeer, alice: SealedPeer) => alice.send(encodeClientControl({ kind: 'kick', name: 'dave' })),
    },
    { how: 'times out', extra: { inactivityTimeoutMs: 1500 }, go: () => Promise.resolve() },
  ] as const;

  it.each(departures)(
    'rotates the room key when a member $how: the departed member cannot read what follows',
    async ({ extra, go }) => {
      const secrets = new UdpSecrets();
      const s = await sealedServer(secrets, extra);
      const alice = await join(s, secrets, 'alice', true);
      const bob = await join(s, secrets, 'bob');
      const dave = await join(s, secrets, 'dave');
      await waitUntil(() => [alice, bob, dave].every((p) => p.channel.epoch === 3), { what: 'epoch 3 everywhere' });
      const daveSecret = secrets.lookup('vault', 'dave')?.udpSecret as Uint8Array;

      const beating = keepAlive([alice, bob]);
      try {
        await go(dave, alice);
        await waitUntil(() => alice.channel.epoch === 4 && bob.channel.epoch === 4, {
          what: 'epoch 4 without dave',
          timeoutMs: 10_000,
        });
      } finally {
        beating.stop();
      }
      const from = bob.probe.received.length;
      await alice.chat(2, 'dave is gone');
      await waitUntil(() => bob.chats().includes('dave is gone'), { what: 'bob to read it' });
      const after = bob.probe.received.slice(from);
      expect(after.length).toBeGreaterThan(0);
      expect(dave.chats()).not.toContain('dave is gone');

      // Every key dave ever held: his own, and each room key he was sent (read from his own capture).
      const own = deriveMemberKeys(daveSecret).serverToClient;
      const daveKeys: DirectionKey[] = [own];
      const reader = new Opener(SealedCipher.AES_256_GCM, own);
      for (const d of dave.probe.received) {
        if (serverDatagramEpoch(d) !== 0) continue;
        const m = reader.open(d, 0, SEALED_SERVER_HEADER_BYTES, d.length);
        const key = typeof m === 'string' ? null : parseRoomKeyMessage(m);
        if (key) daveKeys.push({ key: Buffer.from(key.key), iv: Buffer.from(key.iv) });
      }
      expect(daveKeys.length).toBe(2); // his own, and epoch 3's (the one begun by his arrival)
      for (const datagram of after)
        for (const key of daveKeys)
          expect(
            new Opener(SealedCipher.AES_256_GCM, key).open(datagram, 0, SEALED_SERVER_HEADER_BYTES, datagram.length),
          ).toBe('bad-tag');
    },
  );
});

describe('room key delivery', () => {
  it('resends a ROOM_KEY whose KEY_ACK was lost, and the member still hears the room meanwhile', async () => {
    const secrets = new UdpSecrets();
    const s = await sealedServer(secrets);
    const alice = await join(s, secrets, 'alice', true);
    await waitUntil(() => (s.stats().sealed?.keyAcks ?? 0) === 1, { what: "alice's first ack" });
    alice.withholdAcks = 2;
    const bob = await join(s, secrets, 'bob');
    await waitUntil(() => (s.stats().sealed?.keyAcks ?? 0) === 3, { what: 'both acks of epoch 2' });
    // alice was sent epoch 2 three times: two acks lost, the third taken.
    expect(s.stats().sealed?.keySends).toBe(1 + 3 + 1);
    expect(alice.withholdAcks).toBe(0);
    await bob.chat(1, 'after the resends');
    await waitUntil(() => alice.chats().includes('after the resends'), { what: 'alice to read bob' });
    expect(serverDatagramEpoch(alice.probe.received.at(-1) as Buffer)).toBe(2);
  });

  it('gives up after 5 sends; the member then hears the room under its own key', async () => {
    const secrets = new UdpSecrets();
    const s = await sealedServer(secrets);
    const alice = await join(s, secrets, 'alice', true);
    await waitUntil(() => (s.stats().sealed?.keyAcks ?? 0) === 1, { what: "alice's first ack" });
    alice.withholdAcks = 1_000;
    const bob = await join(s, secrets, 'bob');
    await waitUntil(() => alice.withholdAcks === 1_000 - 5, { what: 'five sends of epoch 2 to alice' });
    await bob.chat(1, 'still here');
    await waitUntil(() => alice.chats().includes('still here'), { what: 'alice to read bob under her own key' });
    expect(serverDatagramEpoch(alice.probe.received.at(-1) as Buffer)).toBe(0);
    expect(s.stats().sealed?.keySends).toBe(1 + 5 + 1);
  });

  it('begins a new epoch once a room key has sealed its limit, and no message is lost', async () => {
    const secrets = new UdpSecrets();
    const s = await sealedServer(secrets, { messagesPerRoomKeyForTests: 3 });
    const alice = await join(s, secrets, 'alice', true);
    const bob = await join(s, secrets, 'bob');
    await waitUntil(() => (s.stats().sealed?.keyAcks ?? 0) === 3, { what: 'epoch 2 acknowledged' });
    const rotations = s.stats().sealed?.rotations ?? 0;
    for (let i = 1; i <= 7; i++) {
      await alice.chat(i, `line ${i}`);
      await waitUntil(() => bob.chats().includes(`line ${i}`), { what: `line ${i}` });
    }
    // Epoch 2 sealed lines 1-3; line 4 began epoch 3 (reaching bob under his own key until he acked it).
    expect(s.stats().sealed?.rotations).toBeGreaterThanOrEqual(rotations + 1);
    await waitUntil(() => bob.channel.epoch >= 3, { what: 'bob to hold a later epoch' });
  });
});
