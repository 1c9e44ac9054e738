// The other direction: a hostile (or merely foreign) server talking to our ChatClient. Every byte from
// it is untrusted: the client must fail cleanly with a HandshakeError, never hang past its timeout,
// never allocate what a header declares, and ignore junk datagrams.
import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatClient } from '../../src-main/engine/client/index.js';
import {
  encodeChatEvent,
  encodeFrame,
  encodeMembersEvents,
  State,
  Status,
  TcrpDecoder,
  utf8Encode,
} from '../../src-shared/protocol/index.js';
import { headerDeclaring } from '../support/raw-tcrp.js';
import { becomesTrue, letTimePass } from '../support/wait.js';
import { Rng } from '../fuzz/random-bytes.js';

interface FakeServer {
  port: number;
  udpPort: number;
  udp: dgram.Socket;
  /** UDP port the client announced after the token (0 until then). */
  clientUdpPort: () => number;
  close(): Promise<void>;
}

/** A TCRP listener plus a UDP socket (its own port, passed to the client); `reply` decides what each request gets. */
async function fakeServer(reply: (socket: net.Socket, room: Uint8Array, op: number) => void): Promise<FakeServer> {
  let announced = 0;
  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const decoder = new TcrpDecoder();
    let answered = false;
    let tail: Buffer = Buffer.alloc(0);
    socket.on('data', (data: Buffer) => {
      if (answered) {
        tail = Buffer.concat([tail, data]);
        if (tail.length >= 2) announced = tail.readUInt16BE(0);
        return;
      }
      const { frames, used } = decoder.push(data, 1);
      const frame = frames[0];
      if (!frame) return;
      answered = true;
      tail = data.subarray(used);
      if (tail.length >= 2) announced = tail.readUInt16BE(0);
      reply(socket, frame.room, frame.operation);
    });
  });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
  const port = (tcp.address() as net.AddressInfo).port;
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(0, '127.0.0.1', () => resolve());
  });
  return {
    port,
    udpPort: udp.address().port,
    udp,
    clientUdpPort: () => announced,
    close: async () => {
      for (const s of sockets) s.destroy();
      udp.close();
      await new Promise<void>((r) => tcp.close(() => r()));
    },
  };
}

function ok(socket: net.Socket, room: Uint8Array, op: number, completion: Uint8Array): void {
  socket.write(encodeFrame({ operation: op, state: State.RESPONSE, room, payload: Uint8Array.of(Status.OK) }));
  socket.write(encodeFrame({ operation: op, state: State.COMPLETION, room, payload: completion }));
}

const open: { client?: ChatClient; server?: FakeServer } = {};
afterEach(async () => {
  await open.client?.leave().catch(() => undefined);
  await open.server?.close();
  open.client = undefined;
  open.server = undefined;
});

function client(server: FakeServer, extra: Partial<ConstructorParameters<typeof ChatClient>[0]> = {}): ChatClient {
  const c = new ChatClient({
    host: '127.0.0.1',
    port: server.port,
    udpPort: server.udpPort,
    room: 'lobby',
    username: 'me',
    mode: 'join',
    reconnect: false,
    handshakeTimeoutMs: 800,
    ...extra,
  });
  c.on('error', () => undefined);
  open.client = c;
  return c;
}

describe('ChatClient against a hostile server', () => {
  it('rejects a reply that declares a 2^200-byte payload, at once', async () => {
    open.server = await fakeServer((socket) => socket.write(headerDeclaring(5, 200, 2)));
    const started = Date.now();
    await expect(client(open.server).connect()).rejects.toMatchObject({ name: 'HandshakeError' });
    expect(Date.now() - started).toBeLessThan(700);
  });

  it('gives up on a server that never answers at its handshake timeout', async () => {
    open.server = await fakeServer(() => undefined);
    const started = Date.now();
    await expect(client(open.server).connect()).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(2500);
  });

  // A JSON token of ≤ 255 characters but > 255 bytes cannot fit a datagram's TokenSize: refused.
  it('refuses a session token that cannot fit the 1-byte TokenSize of a datagram', async () => {
    // 200 × "é" is 200 characters but 400 bytes: no datagram can carry it.
    const completion = utf8Encode(
      JSON.stringify({ tincan: 1, token: 'é'.repeat(200), role: 'member', heartbeatMs: 300 }),
    );
    open.server = await fakeServer((socket, room, op) => ok(socket, room, op, completion));
    await expect(client(open.server).connect()).rejects.toMatchObject({ name: 'HandshakeError' });
  });

  it('survives junk datagrams from the server address and still takes real ones', async () => {
    const completion = utf8Encode(
      JSON.stringify({ tincan: 1, token: 'T'.repeat(32), role: 'member', heartbeatMs: 5000 }),
    );
    open.server = await fakeServer((socket, room, op) => ok(socket, room, op, completion));
    const server = open.server;
    const c = client(server);
    const messages: string[] = [];
    c.on('message', (m) => messages.push(`${m.from}: ${m.text}`));
    const connecting = c.connect();
    expect(await becomesTrue(() => server.clientUdpPort() !== 0, { timeoutMs: 2000 })).toBe(true);
    const to = server.clientUdpPort();
    for (const d of encodeMembersEvents([{ name: 'me', host: false }], 4094)) server.udp.send(d, to, '127.0.0.1');
    await connecting;

    const rng = new Rng(99);
    for (let i = 0; i < 2000; i++) {
      const junk = rng.bytes(rng.length(4200));
      if (i % 2 === 0 && junk.length > 1) junk[0] = 0xff; // structured-looking
      server.udp.send(junk, to, '127.0.0.1');
      if (i % 100 === 99) await letTimePass(2, 'let the client drain its receive buffer');
    }
    // A member list naming thousands of members, names the client has never seen, a chat with a bad sender length.
    server.udp.send(Uint8Array.of(0xff, 0x81, 3, 0xff, 0xff, 0, 1, 0x41), to, '127.0.0.1');
    server.udp.send(Uint8Array.of(0xff, 0x82, 0, 0, 0, 1, 200, 0x41), to, '127.0.0.1');
    // The junk can fill the client's socket buffer, so the kernel may drop the real datagram the first
    // time (that is UDP, not the client): repeat it until it lands, as a server's next message would.
    let received = false;
    for (let attempt = 0; attempt < 20 && !received; attempt++) {
      server.udp.send(encodeChatEvent(7, utf8Encode('alice'), utf8Encode('real')), to, '127.0.0.1');
      received = await becomesTrue(() => messages.includes('alice: real'), { timeoutMs: 100 });
    }
    expect(received).toBe(true);
    expect(c.state).toBe('connected');
  });
});
