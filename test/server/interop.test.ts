// Interop: two minimal plain-dialect clients written here from the spec alone (raw node:net and
// node:dgram, their own header packing, no shared code at all) chat through our server. Also IPv6.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatServer } from '../../src-main/engine/server/chat-server.js';
import { startServer } from '../support/server.js';
import { becomesTrue } from '../support/wait.js';

/** Both ways chat can leave the server: native sendmmsg batches (Linux, when built) and node:dgram. */
const SEND_PATHS = [
  { nativeUdp: true, path: process.platform === 'linux' ? 'sendmmsg' : 'dgram' },
  { nativeUdp: false, path: 'dgram' },
] as const;

/** A spec-only client: TCRP over TCP for the token, then UDP datagrams [roomLen][tokenLen][room][token][msg]. */
class SpecClient {
  private readonly udp;
  private readonly inbox: string[] = [];
  private token = Buffer.alloc(0);

  constructor(
    private readonly host: string,
    private readonly tcpPort: number,
    private readonly udpPort: number,
    private readonly room: string,
    private readonly name: string,
  ) {
    this.udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    this.udp.on('message', (m) => this.inbox.push(m.toString('utf8')));
  }

  /** op 1 create, 2 join; returns the status byte. */
  async enter(op: 1 | 2): Promise<number> {
    await new Promise<void>((resolve) => this.udp.bind(0, this.host, () => resolve()));
    const room = Buffer.from(this.room, 'utf8');
    const payload = Buffer.from(this.name, 'utf8');
    const header = Buffer.alloc(32); // size field: bytes 3..31, big-endian; our payload fits the last 4
    header[0] = room.length;
    header[1] = op;
    header[2] = 0;
    header.writeUInt32BE(payload.length, 28);
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const s = connect(this.tcpPort, this.host, () => s.write(Buffer.concat([header, room, payload])));
      s.on('data', (d) => chunks.push(d));
      s.on('error', reject);
      s.on('close', () => resolve(Buffer.concat(chunks)));
    });
    // Walk the frames: [32-byte header][room][payload]; state 1 carries the status, state 2 the token.
    let at = 0;
    let status = -1;
    while (at + 32 <= reply.length) {
      const roomLen = reply.readUInt8(at);
      const state = reply.readUInt8(at + 2);
      const size = reply.readUInt32BE(at + 28);
      const body = reply.subarray(at + 32 + roomLen, at + 32 + roomLen + size);
      if (state === 1) status = body[0] ?? -1;
      if (state === 2) this.token = Buffer.from(body);
      at += 32 + roomLen + size;
    }
    return status;
  }

  say(text: string): void {
    const room = Buffer.from(this.room, 'utf8');
    const msg = Buffer.from(text, 'utf8');
    const head = Buffer.from([room.length, this.token.length]);
    this.udp.send(Buffer.concat([head, room, this.token, msg]), this.udpPort, this.host);
  }

  async hear(timeoutMs = 2_000): Promise<string> {
    await becomesTrue(() => this.inbox.length > 0, { timeoutMs, everyMs: 5 });
    const next = this.inbox.shift();
    if (next === undefined) throw new Error(`${this.name} heard nothing`);
    return next;
  }

  close(): void {
    this.udp.close();
  }
}

let server: ChatServer | null = null;
const clients: SpecClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = null;
});

async function chatThrough(listenHost: string, clientHost: string, nativeUdp: boolean, path: string): Promise<void> {
  server = await startServer({ host: listenHost, nativeUdp });
  const { tcpPort, udpPort } = server;
  expect(server.stats().sendPath).toBe(path);
  expect(server.stats().receivePath).toBe(path === 'sendmmsg' ? 'recvmmsg' : 'dgram');
  const alice = new SpecClient(clientHost, tcpPort, udpPort, 'spec room', 'alice');
  const bob = new SpecClient(clientHost, tcpPort, udpPort, 'spec room', 'bob');
  clients.push(alice, bob);
  expect(await alice.enter(1)).toBe(0);
  alice.say(''); // tell the server where we listen
  expect(await bob.enter(2)).toBe(0);
  bob.say('hi alice, from bob ☕');
  expect(await alice.hear()).toBe('* bob joined the room');
  expect(await alice.hear()).toBe('bob: hi alice, from bob ☕');
  alice.say('hello bob 😀');
  expect(await bob.hear()).toBe('alice: hello bob 😀');
  bob.say('/leave');
  expect(await alice.hear()).toBe('* bob left the room');
  expect(server.stats().udpFailed).toBe(0);
}

describe.each(SEND_PATHS)('interop with a spec-only plain client (send path $path)', ({ nativeUdp, path }) => {
  it('two independent plain clients chat through the server (IPv4)', async () => {
    await chatThrough('127.0.0.1', '127.0.0.1', nativeUdp, path);
  });

  it('works over IPv6 loopback', async () => {
    await chatThrough('::1', '::1', nativeUdp, path);
  });

  it('a dual-stack listener (::) serves IPv4 clients, matching IPv4-mapped addresses to the token IP', async () => {
    await chatThrough('::', '127.0.0.1', nativeUdp, path);
  });
});
