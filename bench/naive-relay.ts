// A deliberately naive reference relay: the server a first attempt would produce. It speaks the same
// TCRP handshake and the plain UDP dialect well enough for the load generator, but on every datagram
// it decodes room, token and text into strings, builds a JSON log record, looks the member up by
// string token in a Map, and encodes the outgoing line again for each recipient, sending to a
// host string. The bench runs it beside the real server so that results read as a ratio.
// Not hardened: for loopback benchmarking only.
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';

export interface NaiveMember {
  name: string;
  ip: string;
  address: string | null;
  port: number;
}

export interface NaiveRoom {
  password: string;
  members: Map<string, NaiveMember>;
}

export interface NaiveRelayOptions {
  host: string;
  port: number;
}

export class NaiveRelay {
  protected readonly rooms = new Map<string, NaiveRoom>();
  private tcp: net.Server | null = null;
  protected udp: dgram.Socket | null = null;
  protected datagramsIn = 0;
  protected datagramsOut = 0;
  private lastLogLine = '';

  constructor(private readonly options: NaiveRelayOptions) {}

  async listen(): Promise<{ host: string; tcpPort: number; udpPort: number }> {
    const tcp = net.createServer((socket) => this.onConnection(socket));
    await new Promise<void>((resolve) => tcp.listen(this.options.port, this.options.host, resolve));
    const tcpPort = (tcp.address() as net.AddressInfo).port;
    this.tcp = tcp;
    await this.openUdp(this.options.host, tcpPort);
    return { host: this.options.host, tcpPort, udpPort: tcpPort };
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
    await this.closeUdp();
  }

  /** Binds the UDP side on the TCP port; a relay with its own UDP path overrides this and closeUdp. */
  protected async openUdp(host: string, port: number): Promise<void> {
    // The same kernel buffer the real server asks for, so the comparison is about the code.
    const udp = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024, sendBufferSize: 4 * 1024 * 1024 });
    udp.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo));
    udp.on('error', () => undefined);
    await new Promise<void>((resolve) => udp.bind(port, host, resolve));
    this.udp = udp;
  }

  protected async closeUdp(): Promise<void> {
    await new Promise<void>((resolve) => (this.udp ? this.udp.close(() => resolve()) : resolve()));
  }

  stats(): Record<string, number> {
    return { rooms: this.rooms.size, datagramsIn: this.datagramsIn, datagramsOut: this.datagramsOut };
  }

  private onConnection(socket: net.Socket): void {
    let buffered = Buffer.alloc(0);
    let done = false;
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      if (done) return;
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 32) return;
      const roomSize = buffered[0] as number;
      const op = buffered[1] as number;
      const size = buffered.readUIntBE(26, 6);
      // Even a naive server must not buffer whatever a header declares.
      if (roomSize === 0 || roomSize > 28 || size > 1024 || buffered.subarray(3, 26).some((b) => b !== 0)) {
        done = true;
        socket.end(this.frame(op, 1, '', Buffer.from([size > 1024 ? 6 : 5])));
        return;
      }
      if (buffered.length < 32 + roomSize + size) return;
      done = true;
      const room = buffered.toString('utf8', 32, 32 + roomSize);
      const payload = buffered.toString('utf8', 32 + roomSize, 32 + roomSize + size);
      let username = payload.trim();
      let password = '';
      if (username.startsWith('{')) {
        try {
          const obj = JSON.parse(username) as { username?: string; password?: string };
          username = String(obj.username ?? '');
          password = String(obj.password ?? '');
        } catch {
          username = '';
        }
      }
      const reply = (status: number, token?: string): void => {
        socket.write(this.frame(op, 1, room, Buffer.from([status])));
        if (token !== undefined) socket.write(this.frame(op, 2, room, Buffer.from(token)));
        socket.end();
      };
      if (!username) return reply(5);
      const ip = socket.remoteAddress ?? '';
      if (op === 1) {
        if (this.rooms.has(room)) return reply(1);
        this.rooms.set(room, { password, members: new Map() });
      } else if (op === 2) {
        const existing = this.rooms.get(room);
        if (!existing) return reply(2);
        if (existing.password !== password) return reply(3);
        for (const m of existing.members.values()) if (m.name === username) return reply(4);
      } else {
        return reply(5);
      }
      const token = crypto.randomBytes(16).toString('hex');
      const joined = this.rooms.get(room) as NaiveRoom;
      const member: NaiveMember = { name: username, ip, address: null, port: 0 };
      joined.members.set(token, member);
      if (!this.memberAdded(room, joined, token, member)) {
        joined.members.delete(token);
        if (op === 1) this.rooms.delete(room);
        return reply(7); // SERVER_FULL: a relay built on this one could not take the member
      }
      reply(0, token);
    });
  }

  private frame(op: number, state: number, room: string, payload: Buffer): Buffer {
    const roomBytes = Buffer.from(room);
    const header = Buffer.alloc(32);
    header[0] = roomBytes.length;
    header[1] = op;
    header[2] = state;
    header.writeUIntBE(payload.length, 26, 6);
    return Buffer.concat([header, roomBytes, payload]);
  }

  /** For a relay built on this one that indexes members its own way; false refuses the member. */
  protected memberAdded(_roomName: string, _room: NaiveRoom, _token: string, _member: NaiveMember): boolean {
    return true;
  }

  protected onDatagram(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    this.datagramsIn++;
    if (msg.length < 2) return;
    const roomSize = msg[0] as number;
    const tokenSize = msg[1] as number;
    if (msg.length < 2 + roomSize + tokenSize) return;
    const roomName = msg.toString('utf8', 2, 2 + roomSize);
    const token = msg.toString('utf8', 2 + roomSize, 2 + roomSize + tokenSize);
    const text = msg.toString('utf8', 2 + roomSize + tokenSize);
    const room = this.rooms.get(roomName);
    const member = room?.members.get(token);
    if (!room || !member || member.ip !== rinfo.address) return;
    const isNew = member.address === null;
    member.address = rinfo.address;
    member.port = rinfo.port;
    if (isNew) this.broadcast(room, member, `* ${member.name} joined the room`);
    if (text.length === 0) return;
    this.lastLogLine = JSON.stringify({ at: new Date().toISOString(), room: roomName, from: member.name, text });
    this.broadcast(room, member, `${member.name}: ${text}`);
  }

  protected broadcast(room: NaiveRoom, from: NaiveMember, line: string): void {
    for (const other of room.members.values()) {
      if (other === from || other.address === null) continue;
      this.udp?.send(Buffer.from(line, 'utf8'), other.port, other.address);
      this.datagramsOut++;
    }
  }

  /** The last JSON log record (kept so the work is not optimised away). */
  get lastLog(): string {
    return this.lastLogLine;
  }
}
