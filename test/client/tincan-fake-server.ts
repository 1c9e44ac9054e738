// A small scriptable Tincan-dialect server for client tests: real sockets, the shared codecs, and
// switches to misbehave (stop answering heartbeats, refuse joins) that the real server never would.
import { randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { createServer, type Socket } from 'node:net';
import {
  decodeClientControl,
  encodeAckEvent,
  encodeChatEvent,
  encodeClosedEvent,
  encodeFrame,
  encodeMembersEvents,
  encodePongEvent,
  encodeSessionInfo,
  encodeStatusPayload,
  isControl,
  parseClientDatagram,
  parseRequestPayload,
  State,
  Status,
  TcrpDecoder,
  utf8DecodeStrict,
  utf8Encode,
  type ClosedReasonCode,
} from '../../src-shared/protocol/index.js';

interface FakeMember {
  name: string;
  host: boolean;
  endpoint: RemoteInfo | null;
}

export interface HandshakeSeen {
  op: number;
  username: string;
  resume: string | null;
  dialect: number;
}

export class TincanFakeServer {
  readonly handshakes: HandshakeSeen[] = [];
  readonly members = new Map<string, FakeMember>(); // by token
  roomExists = false;
  /** When false, HEARTBEATs get no PONG (a server that forgot us). */
  answerHeartbeats = true;
  /** Status forced on every join, or null for normal behaviour. */
  forcedJoinStatus: number | null = null;
  private readonly tcp = createServer((s) => this.onConnection(s));
  private readonly udp = createSocket('udp4');

  async start(tcpPort = 0, udpPort = 0): Promise<{ tcpPort: number; udpPort: number }> {
    await new Promise<void>((r) => this.tcp.listen(tcpPort, '127.0.0.1', r));
    await new Promise<void>((r) => this.udp.bind(udpPort, '127.0.0.1', r));
    this.udp.on('message', (m, rinfo) => this.onDatagram(m, rinfo));
    return { tcpPort: (this.tcp.address() as { port: number }).port, udpPort: this.udp.address().port };
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.tcp.close(() => r()));
    await new Promise<void>((r) => this.udp.close(() => r()));
  }

  /** Sends raw bytes to every member whose endpoint is known (events, or garbage). */
  sendRaw(payload: Uint8Array): void {
    for (const m of this.members.values()) if (m.endpoint) this.udp.send(payload, m.endpoint.port, m.endpoint.address);
  }

  sendClosed(reason: ClosedReasonCode): void {
    for (const m of this.members.values())
      if (m.endpoint) this.udp.send(encodeClosedEvent(reason), m.endpoint.port, m.endpoint.address);
  }

  private onConnection(socket: Socket): void {
    const decoder = new TcrpDecoder();
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      const { frames } = decoder.push(chunk, 1);
      const frame = frames[0];
      if (!frame) return;
      socket.removeAllListeners('data');
      const req = parseRequestPayload(frame.payload);
      if (typeof req === 'string') return void socket.destroy();
      this.handshakes.push({ op: frame.operation, username: req.username, resume: req.resume, dialect: req.dialect });
      const reply = (state: number, payload: Uint8Array): void => {
        socket.write(encodeFrame({ operation: frame.operation, state, room: frame.room, payload }));
      };
      let status: number = Status.OK;
      if (frame.operation === 1 && this.roomExists) status = Status.ROOM_EXISTS;
      if (frame.operation === 2) status = this.forcedJoinStatus ?? (this.roomExists ? Status.OK : Status.NO_SUCH_ROOM);
      reply(State.RESPONSE, encodeStatusPayload(status));
      if (status !== Status.OK) return void socket.end();
      if (frame.operation === 1) this.roomExists = true;
      const token = randomBytes(24).toString('base64url');
      for (const [t, m] of this.members) if (m.name === req.username) this.members.delete(t);
      this.members.set(token, { name: req.username, host: frame.operation === 1, endpoint: null });
      const info = {
        tincan: 1,
        token,
        role: frame.operation === 1 ? 'host' : 'member',
        heartbeatMs: 50,
        inactivityMs: 5000,
        maxTextBytes: 3800,
      } as const;
      reply(State.COMPLETION, encodeSessionInfo(info));
      socket.end();
    });
  }

  private onDatagram(msg: Buffer, rinfo: RemoteInfo): void {
    const bytes = new Uint8Array(msg.buffer, msg.byteOffset, msg.length);
    const view = parseClientDatagram(bytes);
    if (typeof view === 'string') return;
    const token = utf8DecodeStrict(bytes.subarray(view.tokenStart, view.tokenEnd)) ?? '';
    const member = this.members.get(token);
    if (!member) return; // unknown token: silence, like the real server
    member.endpoint = rinfo;
    const message = bytes.subarray(view.messageStart);
    const to = (payload: Uint8Array): void => void this.udp.send(payload, rinfo.port, rinfo.address);
    if (!isControl(message)) return;
    const control = decodeClientControl(message);
    if (!control) return;
    switch (control.kind) {
      case 'hello':
        for (const chunk of encodeMembersEvents([...this.members.values()], 4094)) to(chunk);
        return;
      case 'heartbeat':
        if (this.answerHeartbeats) to(encodePongEvent(control.nonce));
        return;
      case 'chat': {
        to(encodeAckEvent(control.id, 1));
        const event = encodeChatEvent(1, utf8Encode(member.name), control.text);
        for (const m of this.members.values())
          if (m !== member && m.endpoint) this.udp.send(event, m.endpoint.port, m.endpoint.address);
        return;
      }
      default:
        return;
    }
  }
}
