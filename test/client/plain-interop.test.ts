// Interop: our ChatClient against a minimal server that speaks only the bare spec. The server below is
// written from the spec alone (raw net + dgram, its own header parsing, nothing from src-shared), so a
// client bug that our own codecs would hide on both ends shows up here.
import { randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatClient, HandshakeError, type ClientOptions } from '../../src-main/engine/index.js';
import { waitForEvent } from '../support/events.js';
import { becomesTrue } from '../support/wait.js';

interface SpecMember {
  name: string;
  host: boolean;
  endpoint: { address: string; port: number } | null;
}

interface SpecRoom {
  password: string;
  members: Map<string, SpecMember>; // by token
}

/** A bare-spec TCRP/UDP server: one status byte, raw token, `name: text` relay, `* ` notices. */
class MiniSpecServer {
  readonly rooms = new Map<string, SpecRoom>();
  /** Every UDP message part the server accepted, for assertions. */
  readonly received: string[] = [];
  private readonly tcp: Server = createServer((socket) => this.onConnection(socket));
  private readonly udp: UdpSocket = createSocket('udp4');

  async start(): Promise<{ tcpPort: number; udpPort: number }> {
    await new Promise<void>((resolve) => this.tcp.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => this.udp.bind(0, '127.0.0.1', resolve));
    this.udp.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo));
    const tcpPort = (this.tcp.address() as { port: number }).port;
    return { tcpPort, udpPort: this.udp.address().port };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.tcp.close(() => resolve()));
    await new Promise<void>((resolve) => this.udp.close(() => resolve()));
  }

  private onConnection(socket: Socket): void {
    let buffered = Buffer.alloc(0);
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 32) return;
      const roomLen = buffered[0] as number;
      const op = buffered[1] as number;
      // Bytes 3..31: payload size, big-endian. Only the low 6 bytes may be non-zero here.
      if (buffered.subarray(3, 26).some((b) => b !== 0)) {
        socket.destroy();
        return;
      }
      const size = buffered.readUIntBE(26, 6);
      if (size > 1024) {
        socket.destroy();
        return;
      }
      if (buffered.length < 32 + roomLen + size) return;
      const room = buffered.subarray(32, 32 + roomLen).toString('utf8');
      const payload = buffered.subarray(32 + roomLen, 32 + roomLen + size).toString('utf8');
      socket.removeAllListeners('data');
      this.answer(socket, op, room, payload);
    });
  }

  private answer(socket: Socket, op: number, room: string, payload: string): void {
    let username = payload.trim();
    let password = '';
    try {
      const parsed = JSON.parse(payload) as { username?: string; password?: string };
      username = parsed.username ?? '';
      password = parsed.password ?? '';
    } catch {
      // plain-text username
    }
    const existing = this.rooms.get(room);
    let status = 0;
    if (op === 1 && existing) status = 1;
    else if (op === 2 && !existing) status = 2;
    else if (op === 2 && existing && existing.password !== password) status = 3;
    this.frame(socket, op, room, 1, Buffer.of(status));
    if (status !== 0) {
      socket.end();
      return;
    }
    const token = randomBytes(16).toString('hex');
    const target = existing ?? { password, members: new Map<string, SpecMember>() };
    if (!existing) this.rooms.set(room, target);
    target.members.set(token, { name: username, host: op === 1, endpoint: null });
    this.frame(socket, op, room, 2, Buffer.from(token, 'latin1'));
    socket.end();
  }

  private frame(socket: Socket, op: number, room: string, state: number, payload: Buffer): void {
    const roomBytes = Buffer.from(room, 'utf8');
    const header = Buffer.alloc(32);
    header[0] = roomBytes.length;
    header[1] = op;
    header[2] = state;
    header.writeUIntBE(payload.length, 26, 6);
    socket.write(Buffer.concat([header, roomBytes, payload]));
  }

  private onDatagram(msg: Buffer, rinfo: RemoteInfo): void {
    if (msg.length < 2) return;
    const roomLen = msg[0] as number;
    const tokenLen = msg[1] as number;
    if (2 + roomLen + tokenLen > msg.length) return;
    const roomName = msg.subarray(2, 2 + roomLen).toString('utf8');
    const token = msg.subarray(2 + roomLen, 2 + roomLen + tokenLen).toString('latin1');
    const text = msg.subarray(2 + roomLen + tokenLen).toString('utf8');
    const room = this.rooms.get(roomName);
    const member = room?.members.get(token);
    if (!room || !member) return;
    this.received.push(text);
    const firstContact = member.endpoint === null;
    member.endpoint = { address: rinfo.address, port: rinfo.port };
    if (firstContact) this.broadcast(room, token, `* ${member.name} joined the room`);
    if (text === '') return;
    if (text === '/leave') {
      room.members.delete(token);
      this.broadcast(room, token, `* ${member.name} left the room`);
      return;
    }
    if (text === '/close' && member.host) {
      this.broadcast(room, token, '* the host closed the room');
      this.rooms.delete(roomName);
      return;
    }
    this.broadcast(room, token, `${member.name}: ${text}`);
  }

  private broadcast(room: SpecRoom, exceptToken: string, line: string): void {
    for (const [token, member] of room.members) {
      if (token === exceptToken || !member.endpoint) continue;
      this.udp.send(Buffer.from(line, 'utf8'), member.endpoint.port, member.endpoint.address);
    }
  }
}

describe('ChatClient against a minimal bare-spec server', () => {
  let server: MiniSpecServer;
  let ports: { tcpPort: number; udpPort: number };
  const clients: ChatClient[] = [];

  async function start(): Promise<void> {
    server = new MiniSpecServer();
    ports = await server.start();
  }

  function client(over: Partial<ClientOptions>): ChatClient {
    const c = new ChatClient({
      host: '127.0.0.1',
      port: ports.tcpPort,
      udpPort: ports.udpPort,
      room: 'lobby',
      username: 'alice',
      mode: 'create',
      handshakeTimeoutMs: 2000,
      heartbeatIntervalMs: 100,
      ...over,
    });
    clients.push(c);
    return c;
  }

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.leave();
    await server?.stop();
  });

  it('two clients chat in both directions; the offered dialect falls back to plain', async () => {
    await start();
    const host = client({ username: 'alice', mode: 'create', password: 'pw' });
    const hostInfo = await host.connect();
    expect(hostInfo).toMatchObject({ role: 'host', dialect: 'plain', resumed: false });
    expect(hostInfo.token).toMatch(/^[0-9a-f]{32}$/);

    const joinSeen = waitForEvent(host, 'joined', (m) => m.name === 'bob');
    const member = client({ username: 'bob', mode: 'join', password: 'pw', negotiate: false });
    expect(await member.connect()).toMatchObject({ role: 'member', dialect: 'plain' });
    await joinSeen;
    expect(host.members.map((m) => m.name).sort()).toEqual(['alice', 'bob']);

    const atMember = waitForEvent(member, 'message');
    expect(host.send('hello bob')).toBeNull();
    const [fromHost] = await atMember;
    expect(fromHost).toMatchObject({ from: 'alice', text: 'hello bob', own: false, seq: null });

    const atHost = waitForEvent(host, 'message');
    member.send('hi alice, ünïcødé ✓ 🎉');
    const [fromMember] = await atHost;
    expect(fromMember).toMatchObject({ from: 'bob', text: 'hi alice, ünïcødé ✓ 🎉' });
  });

  it('opens the session with an empty keep-alive and keeps sending them every heartbeat', async () => {
    await start();
    const host = client({});
    await host.connect();
    await becomesTrue(() => server.received.length >= 3, { timeoutMs: 2000 });
    // The first datagram and the periodic ones are empty keep-alives (plain dialect).
    expect(server.received.length).toBeGreaterThanOrEqual(3);
    expect(server.received.every((t) => t === '')).toBe(true);
  });

  it('leave sends /leave; the others see a left event and the member list shrinks', async () => {
    await start();
    const host = client({ username: 'alice' });
    await host.connect();
    const member = client({ username: 'bob', mode: 'join' });
    const joined = waitForEvent(host, 'joined');
    await member.connect();
    await joined;

    const left = waitForEvent(host, 'left');
    const closed = waitForEvent(member, 'closed');
    await member.leave();
    expect((await closed)[0]).toEqual({ reason: 'left' });
    expect((await left)[0]).toEqual({ name: 'bob', reason: 'left' });
    expect(host.members.map((m) => m.name)).toEqual(['alice']);
    expect(server.received).toContain('/leave');
    expect(member.state).toBe('closed');
    expect(() => member.send('late')).toThrow(RangeError);
  });

  it('host closeRoom sends /close and the member gets closed {by-host}', async () => {
    await start();
    const host = client({ username: 'alice' });
    await host.connect();
    const member = client({ username: 'bob', mode: 'join' });
    const joined = waitForEvent(host, 'joined');
    await member.connect();
    await joined;
    await expect(member.closeRoom()).rejects.toThrow(/host/);

    const closed = waitForEvent(member, 'closed');
    await host.closeRoom();
    expect((await closed)[0]).toEqual({ reason: 'by-host' });
    expect(member.state).toBe('closed');
    expect(server.rooms.has('lobby')).toBe(false);
  });

  it('maps ROOM_EXISTS, NO_SUCH_ROOM and WRONG_PASSWORD to HandshakeError codes', async () => {
    await start();
    await client({ username: 'alice', password: 'secret' }).connect();

    const cases: [Partial<ClientOptions>, string, number][] = [
      [{ username: 'carol', mode: 'create' }, 'ROOM_EXISTS', 1],
      [{ username: 'carol', mode: 'join', room: 'nowhere' }, 'NO_SUCH_ROOM', 2],
      [{ username: 'carol', mode: 'join', password: 'guess' }, 'WRONG_PASSWORD', 3],
    ];
    for (const [over, code, status] of cases) {
      const c = client(over);
      const err = await c.connect().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(HandshakeError);
      expect(err).toMatchObject({ code, status });
      expect(c.state).toBe('closed');
    }
  });

  it('notices a vanished server through ICMP (ECONNREFUSED) and reconnects, or gives up', async () => {
    await start();
    const host = client({ maxReconnectAttempts: 2, reconnectBaseDelayMs: 50, reconnectMaxDelayMs: 100 });
    await host.connect();
    const states: string[] = [];
    host.on('state', (s, detail) => states.push(`${s}${detail.attempt ?? ''}`));
    const closed = waitForEvent(host, 'closed', () => true, 5000);
    await server.stop();
    expect((await closed)[0]).toEqual({ reason: 'gave-up' });
    expect(states).toEqual(['reconnecting1', 'reconnecting2', 'closed']);
    server = new MiniSpecServer();
    ports = await server.start(); // for afterEach
  });

  it('connect() rejects with UNREACHABLE for an unknown host name or a closed port, and the client is closed', async () => {
    await start();
    const unknown = client({ host: 'nothing-here.invalid', handshakeTimeoutMs: 3000 });
    await expect(unknown.connect()).rejects.toMatchObject({
      name: 'HandshakeError',
      code: 'UNREACHABLE',
      status: null,
    });
    expect(unknown.state).toBe('closed');
    const port = ports.tcpPort;
    await server.stop();
    const refused = client({ port });
    await expect(refused.connect()).rejects.toMatchObject({ code: 'UNREACHABLE' });
    server = new MiniSpecServer();
    ports = await server.start(); // for afterEach
  });

  it('rejects text over 3800 bytes and empty text with RangeError', async () => {
    await start();
    const host = client({});
    await host.connect();
    expect(() => host.send('x'.repeat(3801))).toThrow(RangeError);
    expect(() => host.send('é'.repeat(1901))).toThrow(RangeError); // 3802 bytes
    expect(() => host.send('')).toThrow(RangeError);
    expect(host.send('x'.repeat(3800))).toBeNull();
  });
});
