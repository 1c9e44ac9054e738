// The client chooses the cipher of its sealed datagrams (PROTOCOL.md §8, "Choosing the cipher"), on
// real sockets through real TLS: our server and our client. Each member's datagrams are captured on
// a UDP relay in front of the server, so the cipher byte of every one of them is checked.
import { once } from 'node:events';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateHostIdentity, handshake, HandshakeError, type HostIdentity } from '../../src-main/engine/index.js';
import {
  encodeFrame,
  encodeStatusPayload,
  parseCompletionPayload,
  SealedCipher,
  SEALED_CLIENT_MARKER,
  SEALED_SERVER_MARKER,
  State,
  Status,
  TcrpDecoder,
  utf8Encode,
  type TcrpFrame,
} from '../../src-shared/protocol/index.js';
import { LossyUdpRelay } from '../faults/lossy-udp-relay.js';
import { Rng } from '../fuzz/random-bytes.js';
import { ClientFactory } from '../support/clients.js';
import { waitForEvent } from '../support/events.js';
import { CREATE, JOIN, request, requestFrame } from '../support/raw-tcrp.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitUntil } from '../support/wait.js';

let identity: HostIdentity;
beforeAll(async () => {
  identity = await generateHostIdentity();
});

const clients = new ClientFactory({ handshakeTimeoutMs: 3000, reconnect: false });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await clients.leaveAll();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(): Promise<TestServer> {
  const s = await startServer({ identity }, { captureLog: true });
  cleanups.push(() => s.close());
  return s;
}

/**
 * Every datagram between one client and the server through this relay, both ways. The server's first
 * ROOM_KEY goes to the port the client announced over TCP, past the relay, and the client's socket
 * (connected to the relay) never reads it; the resend follows the endpoint the client's datagrams
 * come from, so the tests wait for acknowledgements rather than for the first send.
 */
async function capturingRelay(udpPort: number): Promise<{ port: number; up: Buffer[]; down: Buffer[] }> {
  const up: Buffer[] = [];
  const down: Buffer[] = [];
  const relay = await LossyUdpRelay.start(
    udpPort,
    {
      loss: 0,
      delayMs: 0,
      jitterMs: 0,
      dropIf: (direction, bytes) => {
        (direction === 'up' ? up : down).push(Buffer.from(bytes));
        return false;
      },
    },
    new Rng(1),
  );
  cleanups.push(() => relay.close());
  return { port: relay.port, up, down };
}

/** One request frame inside TLS to our server; resolves with the reply frames once it hangs up. */
async function tlsRequest(port: number, frame: Uint8Array): Promise<TcrpFrame[]> {
  const socket: TLSSocket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false });
  const decoder = new TcrpDecoder({ allowEmptyRoom: true });
  const frames: TcrpFrame[] = [];
  socket.on('data', (chunk: Buffer) => frames.push(...decoder.push(chunk).frames));
  socket.on('error', () => undefined);
  await once(socket, 'secureConnect');
  socket.write(frame);
  await once(socket, 'close');
  return frames;
}

function cipherRequest(operation: number, username: string, ciphers: string): Uint8Array {
  return requestFrame({ operation, room: 'lobby', payload: `{"username":"${username}","tincan":3${ciphers}}` });
}

describe('choosing the cipher of the sealed datagrams', () => {
  it('a ChaCha20 member and an AES member chat in one room, each sealing with its own cipher', async () => {
    const s = await server();
    const encryption = { fingerprint: identity.fingerprint };
    const aliceWire = await capturingRelay(s.udpPort);
    const bobWire = await capturingRelay(s.udpPort);
    const alice = clients.make(
      { tcpPort: s.tcpPort, udpPort: aliceWire.port },
      { username: 'alice', mode: 'create', encryption, ciphers: [SealedCipher.CHACHA20_POLY1305] },
    );
    // The default preference: AES first, ChaCha20 second.
    const bob = clients.make(
      { tcpPort: s.tcpPort, udpPort: bobWire.port },
      { username: 'bob', mode: 'join', encryption },
    );
    const acks = (): number => s.stats().sealed?.keyAcks ?? 0;
    await alice.connect();
    await waitUntil(() => acks() === 1, { what: "alice's ack of epoch 1" });
    const bobJoined = waitForEvent(alice, 'joined', (m) => m.name === 'bob');
    await bob.connect();
    await bobJoined;
    // Both hold the room key of epoch 2, so the chat below reaches each under the room key.
    await waitUntil(() => acks() === 3, { what: 'both acks of epoch 2' });

    const atBob = waitForEvent(bob, 'message', (m) => m.text === 'from chacha');
    const aliceId = alice.send('from chacha');
    await Promise.all([atBob, waitForEvent(alice, 'delivered', (d) => d.id === aliceId)]);
    const atAlice = waitForEvent(alice, 'message', (m) => m.text === 'from aes');
    const bobId = bob.send('from aes');
    await Promise.all([atAlice, waitForEvent(bob, 'delivered', (d) => d.id === bobId)]);

    expect(s.stats().sealed?.sessions).toBe(2);
    expect(alice.sealedDrops).toEqual({ malformed: 0, 'unknown-epoch': 0, 'bad-tag': 0, replayed: 0 });
    expect(bob.sealedDrops).toEqual({ malformed: 0, 'unknown-epoch': 0, 'bad-tag': 0, replayed: 0 });
    const wires = [
      { wire: aliceWire, own: SealedCipher.CHACHA20_POLY1305 },
      { wire: bobWire, own: SealedCipher.AES_256_GCM },
    ];
    for (const { wire, own } of wires) {
      // Up: every datagram is sealed under the member's own client → server key.
      expect(wire.up.length).toBeGreaterThan(0);
      for (const d of wire.up) expect([d[0], d[1]]).toEqual([SEALED_CLIENT_MARKER, own]);
      // Down: epoch 0 is the member's own key (its cipher); epochs ≥ 1 are room keys (AES-256-GCM).
      const ownKey = wire.down.filter((d) => d.readUInt32BE(2) === 0);
      const roomKey = wire.down.filter((d) => d.readUInt32BE(2) !== 0);
      expect(ownKey.length).toBeGreaterThan(0);
      expect(roomKey.length).toBeGreaterThan(0);
      for (const d of wire.down) expect(d[0]).toBe(SEALED_SERVER_MARKER);
      for (const d of ownKey) expect(d[1]).toBe(own);
      for (const d of roomKey) expect(d[1]).toBe(SealedCipher.AES_256_GCM);
    }
  });

  it('a resumed session offers again and seals its new session with the cipher chosen again', async () => {
    const s = await startServer({ identity, heartbeatIntervalMs: 100, inactivityTimeoutMs: 5000 });
    cleanups.push(() => s.close());
    const encryption = { fingerprint: identity.fingerprint };
    const fast = { reconnect: true, reconnectBaseDelayMs: 50, reconnectMaxDelayMs: 200, heartbeatIntervalMs: 100 };
    // Bob's datagrams cross a relay that can go silent both ways, so bob loses the server and resumes.
    let cut = false;
    const up: Buffer[] = [];
    const relay = await LossyUdpRelay.start(
      s.udpPort,
      {
        loss: 0,
        delayMs: 0,
        jitterMs: 0,
        dropIf: (direction, bytes) => {
          if (direction === 'up' && !cut) up.push(Buffer.from(bytes));
          return cut;
        },
      },
      new Rng(2),
    );
    cleanups.push(() => relay.close());
    const alice = clients.make({ tcpPort: s.tcpPort, udpPort: s.udpPort }, { ...fast, encryption });
    const bob = clients.make(
      { tcpPort: s.tcpPort, udpPort: relay.port },
      { ...fast, username: 'bob', mode: 'join', encryption, ciphers: [SealedCipher.CHACHA20_POLY1305] },
    );
    await alice.connect();
    await bob.connect();
    await waitUntil(() => up.length > 0, { what: "bob's first datagram" });
    const firstSession = up[0]?.subarray(2, 10);

    const resumed = waitForEvent(bob, 'connected', (info) => info.resumed === true, 10_000);
    cut = true;
    await waitForEvent(bob, 'state', (state) => state === 'reconnecting', 10_000);
    cut = false;
    const before = up.length;
    await resumed;
    const heard = waitForEvent(alice, 'message', (m) => m.from === 'bob' && m.text === 'resumed');
    bob.send('resumed');
    await heard;

    const after = up.slice(before);
    expect(after.length).toBeGreaterThan(0);
    for (const d of after) expect([d[0], d[1]]).toEqual([SEALED_CLIENT_MARKER, SealedCipher.CHACHA20_POLY1305]);
    // A new session id: the resume opened a new sealed session, keys from its own TLS connection.
    expect(after.some((d) => !d.subarray(2, 10).equals(firstSession as Buffer))).toBe(true);
  }, 20_000);

  it('refuses an offer of unknown ids only with BAD_REQUEST, and says why in the log', async () => {
    const s = await server();
    const frames = await tlsRequest(s.tcpPort, cipherRequest(CREATE, 'alice', ',"ciphers":[7,200]'));
    expect(frames).toHaveLength(1);
    expect(frames[0]?.payload).toEqual(encodeStatusPayload(Status.BAD_REQUEST));
    expect(s.roomList()).toEqual([]);
    expect(s.logLines.some((l) => l.includes('ciphers: none supported (offered 7, 200)'))).toBe(true);

    // Unknown ids are skipped: the first supported one wins.
    const chosen = await tlsRequest(s.tcpPort, cipherRequest(CREATE, 'alice', ',"ciphers":[9,2,1]'));
    expect(chosen[0]?.payload).toEqual(encodeStatusPayload(Status.OK));
    const completion = parseCompletionPayload((chosen[1] as TcrpFrame).payload);
    expect(completion?.kind === 'tincan' ? completion.info.sealed?.cipher : null).toBe(SealedCipher.CHACHA20_POLY1305);

    // Absent: AES-256-GCM, as before the field existed.
    const implied = await tlsRequest(s.tcpPort, cipherRequest(JOIN, 'bob', ''));
    const impliedInfo = parseCompletionPayload((implied[1] as TcrpFrame).payload);
    expect(impliedInfo?.kind === 'tincan' ? impliedInfo.info.sealed?.cipher : null).toBe(SealedCipher.AES_256_GCM);
  });

  it('answers a malformed ciphers field with BAD_REQUEST, naming the problem', async () => {
    const s = await server();
    const cases: [string, string][] = [
      ['"aes"', 'not-a-list'],
      ['null', 'not-a-list'],
      ['[]', 'empty'],
      ['[1,2,3,4,5,6,7,8,9]', 'too-many'],
      ['[0]', 'bad-id'],
      ['[256]', 'bad-id'],
      ['[1.5]', 'bad-id'],
      ['["1"]', 'bad-id'],
      ['[2,2]', 'duplicate'],
    ];
    for (const [value, problem] of cases) {
      const frames = await tlsRequest(s.tcpPort, cipherRequest(CREATE, 'alice', `,"ciphers":${value}`));
      expect(frames[0]?.payload, value).toEqual(encodeStatusPayload(Status.BAD_REQUEST));
      expect(
        s.logLines.some((l) => l.includes(`ciphers: ${problem}`)),
        value,
      ).toBe(true);
    }
    expect(s.roomList()).toEqual([]);
  });

  it('ignores the field over plain TCRP, where there is no secret to seal with', async () => {
    const s = await server();
    const reply = await request(s.tcpPort, {
      operation: CREATE,
      room: 'lobby',
      payload: '{"username":"alice","tincan":3,"ciphers":[7]}',
    });
    expect(reply.status).toBe(Status.OK);
    const completion = parseCompletionPayload(reply.completion as Uint8Array);
    expect(completion?.kind).toBe('tincan');
    expect(completion?.kind === 'tincan' ? completion.info.sealed : 'none').toBeUndefined();
    const malformed = await request(s.tcpPort, {
      operation: JOIN,
      room: 'lobby',
      payload: '{"username":"bob","tincan":3,"ciphers":"garbage"}',
    });
    expect(malformed.status).toBe(Status.OK);
  });

  it('our client offers its preference inside TLS only, and refuses a cipher it did not offer', async () => {
    // A scripted TLS server that always seals with AES-256-GCM, whatever was offered.
    const requests: string[] = [];
    const scripted = createTlsServer(
      { key: identity.keyPem, cert: identity.certPem, minVersion: 'TLSv1.3' },
      (socket) => {
        const decoder = new TcrpDecoder();
        socket.on('error', () => undefined);
        socket.on('data', (chunk: Buffer) => {
          for (const frame of decoder.push(chunk).frames) {
            requests.push(Buffer.from(frame.payload).toString('utf8'));
            const info = {
              tincan: 3,
              token: 'q3VxXb0fWQm2Yc8KzT1nR4pLs7dHe9Aa',
              role: 'host',
              sealed: { session: '0123456789abcdef', cipher: SealedCipher.AES_256_GCM, epoch: 1 },
            };
            const op = frame.operation;
            socket.end(
              Buffer.concat([
                encodeFrame({
                  operation: op,
                  state: State.RESPONSE,
                  room: frame.room,
                  payload: encodeStatusPayload(0),
                }),
                encodeFrame({
                  operation: op,
                  state: State.COMPLETION,
                  room: frame.room,
                  payload: utf8Encode(JSON.stringify(info)),
                }),
              ]),
            );
          }
        });
      },
    );
    scripted.listen(0, '127.0.0.1');
    await once(scripted, 'listening');
    cleanups.push(() => new Promise<void>((resolve) => scripted.close(() => resolve())));
    const port = (scripted.address() as AddressInfo).port;
    const base = {
      host: '127.0.0.1',
      port,
      room: 'lobby',
      username: 'alice',
      mode: 'create' as const,
      encryption: { fingerprint: identity.fingerprint },
    };

    const refused = await handshake({ ...base, ciphers: [SealedCipher.CHACHA20_POLY1305] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HandshakeError);
    expect((refused as HandshakeError).message).toMatch(/chose cipher aes-256-gcm, which we did not offer/);
    expect(JSON.parse(requests[0] as string)).toMatchObject({ ciphers: [SealedCipher.CHACHA20_POLY1305] });

    // The same completion is fine when AES-256-GCM was offered, even second: the default order.
    const accepted = await handshake(base);
    expect(accepted.info?.sealed?.cipher).toBe(SealedCipher.AES_256_GCM);
    expect(JSON.parse(requests[1] as string)).toMatchObject({ ciphers: [1, 2] });
  });

  it('sends no ciphers field in clear', async () => {
    // A scripted plain TCRP server: records the request, answers a Tincan completion without a seal.
    const requests: string[] = [];
    const scripted = createTcpServer((socket) => {
      const decoder = new TcrpDecoder();
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        for (const frame of decoder.push(chunk).frames) {
          requests.push(Buffer.from(frame.payload).toString('utf8'));
          const info = { tincan: 3, token: 'q3VxXb0fWQm2Yc8KzT1nR4pLs7dHe9Aa', role: 'host' };
          socket.end(
            Buffer.concat([
              encodeFrame({
                operation: frame.operation,
                state: State.RESPONSE,
                room: frame.room,
                payload: encodeStatusPayload(0),
              }),
              encodeFrame({
                operation: frame.operation,
                state: State.COMPLETION,
                room: frame.room,
                payload: utf8Encode(JSON.stringify(info)),
              }),
            ]),
          );
        }
      });
    });
    scripted.listen(0, '127.0.0.1');
    await once(scripted, 'listening');
    cleanups.push(() => new Promise<void>((resolve) => scripted.close(() => resolve())));
    const port = (scripted.address() as AddressInfo).port;
    const result = await handshake({
      host: '127.0.0.1',
      port,
      room: 'lobby',
      username: 'alice',
      mode: 'create',
      ciphers: [SealedCipher.CHACHA20_POLY1305],
    });
    expect(result.transport).toBe('plain');
    const sent = JSON.parse(requests[0] as string) as Record<string, unknown>;
    expect(sent['tincan']).toBe(3);
    expect('ciphers' in sent).toBe(false);
  });
});
