// Untrusted bytes: random TCP requests and random datagrams must never crash the server, never be
// answered over UDP, and leave it serving real clients. Bounded counts, deterministic seed.
import { connect } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { Status } from '../../src-shared/protocol/index.js';
import type { ChatServer } from '../../src-main/engine/server/chat-server.js';
import { CREATE, handshake, JOIN } from '../support/raw-tcrp.js';
import { UdpPeer } from '../support/raw-udp.js';
import { SHORT_TIMEOUTS, startServer } from '../support/server.js';
import { waitUntil } from '../support/wait.js';

let server: ChatServer;
afterEach(async () => {
  await server?.close();
});

/** Small deterministic PRNG so a failure reproduces. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomBytes(rand: () => number, max: number): Buffer {
  const out = Buffer.alloc(Math.floor(rand() * max));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(rand() * 256);
  // Make some look like plausible headers so the parsers get past their first checks.
  if (out.length > 2 && rand() < 0.5) {
    out[0] = 1 + Math.floor(rand() * 28);
    out[1] = rand() < 0.5 ? 32 : 1 + Math.floor(rand() * 255);
  }
  return out;
}

it('survives random TCP and UDP input and keeps serving', async () => {
  server = await startServer({ ...SHORT_TIMEOUTS, handshakeTimeoutMs: 300, portGraceMs: 100 });
  const rand = prng(12345);
  const host = await handshake(server.tcpPort, CREATE, 'real', 'alice');
  const a = await UdpPeer.open();
  a.sendChat(server.udpPort, 'real', host.token, '');

  const junkPeer = await UdpPeer.open();
  for (let i = 0; i < 300; i++) junkPeer.sendRaw(randomBytes(rand, 300), server.udpPort);
  // Valid room and token but random message bytes: may relay text, must never crash.
  for (let i = 0; i < 50; i++) a.sendChat(server.udpPort, 'real', host.token, randomBytes(rand, 200));

  await Promise.all(
    Array.from(
      { length: 40 },
      (_, i) =>
        new Promise<void>((resolve) => {
          const s = connect(server.tcpPort, '127.0.0.1', () => {
            s.write(randomBytes(rand, 120));
            if (i % 2 === 0) s.end();
          });
          s.on('data', () => {});
          s.on('error', () => resolve());
          s.on('close', () => resolve());
        }),
    ),
  );
  await waitUntil(() => server.stats().datagramsIn >= 351, { timeoutMs: 3_000 });
  expect(await junkPeer.quiet(100)).toEqual([]); // unauthenticated: never answered

  const bob = await handshake(server.tcpPort, JOIN, 'real', 'bob');
  expect(bob.status).toBe(Status.OK);
  const b = await UdpPeer.open();
  b.sendChat(server.udpPort, 'real', bob.token, 'still alive');
  await a.quiet(50);
  a.sendChat(server.udpPort, 'real', host.token, 'yes');
  expect(await b.nextText()).toBe('alice: yes');
  for (const p of [a, b, junkPeer]) p.close();
});
