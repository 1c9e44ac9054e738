// Issue #16 item 1, the server-to-client direction on real sockets: an attacker on the path between a
// real ChatClient (admitted over TLS) and the server replays, modifies and forges datagrams towards
// the client. Each is dropped silently and counted by the client's sealed session; the member sees
// nothing it did not get from the server, stays connected, and still gets the genuine datagrams.
import { afterEach, beforeAll, expect, it } from 'vitest';
import {
  ClosedReason,
  encodeChatEvent,
  encodeClosedEvent,
  SEALED_SERVER_MARKER,
  utf8Encode,
} from '../../src-shared/protocol/index.js';
import { generateHostIdentity, type ChatClient, type HostIdentity } from '../../src-main/engine/index.js';
import { LossyUdpRelay } from '../faults/lossy-udp-relay.js';
import { Rng } from '../fuzz/random-bytes.js';
import { ClientFactory } from '../support/clients.js';
import { waitForEvent } from '../support/events.js';
import { startServer, type TestServer } from '../support/server.js';
import { letTimePass, waitUntil } from '../support/wait.js';

let identity: HostIdentity;
beforeAll(async () => {
  identity = await generateHostIdentity();
});

const clients = new ClientFactory({ handshakeTimeoutMs: 3000, reconnect: false });
let server: TestServer | null = null;
let relay: LossyUdpRelay | null = null;
afterEach(async () => {
  await clients.leaveAll();
  relay?.close();
  relay = null;
  await server?.close();
  server = null;
});

/** The texts `client` was shown, in order. */
function shown(client: ChatClient): string[] {
  const texts: string[] = [];
  client.on('message', (m) => texts.push(`${m.from}: ${m.text}`));
  return texts;
}

it('drops replayed, modified and forged datagrams to an encrypted client, and counts each', async () => {
  server = await startServer({ identity });
  const s = server;
  // Bob reaches the server's UDP port through the attacker, who keeps a copy of what comes down and
  // can hold back the next genuine datagram.
  const down: Buffer[] = [];
  let holdNext = false;
  const held: Buffer[] = [];
  relay = await LossyUdpRelay.start(
    s.udpPort,
    {
      loss: 0,
      delayMs: 0,
      jitterMs: 0,
      dropIf: (direction, bytes) => {
        if (direction !== 'down') return false;
        down.push(Buffer.from(bytes));
        if (!holdNext || bytes[0] !== SEALED_SERVER_MARKER) return false;
        holdNext = false;
        held.push(Buffer.from(bytes));
        return true;
      },
    },
    new Rng(5),
  );
  const encryption = { fingerprint: identity.fingerprint };
  const alice = clients.make({ tcpPort: s.tcpPort, udpPort: s.udpPort }, { encryption });
  const bob = clients.make({ tcpPort: s.tcpPort, udpPort: relay.port }, { username: 'bob', mode: 'join', encryption });
  await alice.connect();
  expect((await bob.connect()).transport).toBe('tls');
  const texts = shown(bob);
  const closed: unknown[] = [];
  bob.on('closed', (info) => closed.push(info));

  // What came down so far, then alice's "one": every one of those datagrams replayed is refused.
  const one = waitForEvent(bob, 'message', (m) => m.text === 'one');
  alice.send('one');
  await one;
  const captured = down.filter((d) => d[0] === SEALED_SERVER_MARKER);
  expect(captured.length).toBeGreaterThan(0);
  for (const d of captured) await relay.injectDown(d);
  await waitUntil(() => bob.sealedDrops?.replayed === captured.length, { what: 'bob to refuse every replay' });

  // The next genuine datagram is held back; a copy with one ciphertext byte flipped goes first.
  holdNext = true;
  alice.send('two');
  await waitUntil(() => held.length === 1, { what: "the attacker to hold alice's 'two'" });
  const modified = Buffer.from(held[0] as Buffer);
  modified[20] = (modified[20] as number) ^ 0x01;
  await relay.injectDown(modified);
  await waitUntil(() => bob.sealedDrops?.['bad-tag'] === 1, { what: 'bob to refuse the modified copy' });
  // The genuine one, late but unseen, still opens.
  const two = waitForEvent(bob, 'message', (m) => m.text === 'two');
  await relay.injectDown(held[0] as Buffer);
  await two;

  // Plain events as if from the server: chat under alice's name, and a close.
  await relay.injectDown(encodeChatEvent(99, utf8Encode('alice'), utf8Encode('forged')));
  await relay.injectDown(encodeClosedEvent(ClosedReason.BY_HOST));
  // A sealed header naming an epoch bob holds no key for.
  const unknownEpoch = Buffer.from(held[0] as Buffer);
  unknownEpoch.writeUInt32BE(0x7fff_ffff, 2);
  await relay.injectDown(unknownEpoch);
  await waitUntil(() => bob.sealedDrops?.malformed === 2 && bob.sealedDrops['unknown-epoch'] === 1, {
    what: 'bob to drop the forgeries',
  });

  // Bob is still in the room and still hears it; nothing forged or repeated was shown.
  const three = waitForEvent(bob, 'message', (m) => m.text === 'three');
  alice.send('three');
  await three;
  await letTimePass(50, 'let any late duplicate arrive');
  expect(texts).toEqual(['alice: one', 'alice: two', 'alice: three']);
  expect(closed).toEqual([]);
  expect(bob.state).toBe('connected');
});
