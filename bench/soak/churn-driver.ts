// Simulated users for the soak: real TCRP handshakes (the bench's), plain-dialect UDP chat, and churn —
// polite leaves (/leave), silent users the relay must time out, fresh joins, and rooms closed by their
// host and recreated. One UDP socket per user, one send timer for everyone.
import dgram from 'node:dgram';
import { Status, encodeClientDatagram, statusName, utf8Encode } from '../../src-shared/protocol/index.js';
import { handshake, NO_STATUS } from '../gen/handshake.js';
import { runLimited } from '../gen/run-limited.js';

export interface ChurnTarget {
  tcpHost: string;
  tcpPort: number;
  udpHost: string;
  udpPort: number;
}

export interface ChurnCounts {
  joins: number;
  joinFailures: number;
  politeLeaves: number;
  silenced: number;
  roomCloses: number;
  roomRecreates: number;
  sent: number;
  received: number;
  sendErrors: number;
  failures: Record<string, number>;
}

interface SimUser {
  name: string;
  room: SimRoom;
  host: boolean;
  socket: dgram.Socket;
  chat: Buffer;
  keepAlive: Buffer;
  leave: Buffer;
  lastSendMs: number;
}

interface SimRoom {
  index: number;
  name: string;
  bytes: Uint8Array;
  members: SimUser[];
  /** Being closed or recreated: churn leaves it alone. */
  busy: boolean;
}

const TICK_MS = 20;
const HANDSHAKE_ATTEMPTS = 4;
const HANDSHAKE_TIMEOUT_MS = 5_000;

export class ChurnDriver {
  readonly counts: ChurnCounts = {
    joins: 0,
    joinFailures: 0,
    politeLeaves: 0,
    silenced: 0,
    roomCloses: 0,
    roomRecreates: 0,
    sent: 0,
    received: 0,
    sendErrors: 0,
    failures: {},
  };
  private readonly rooms: SimRoom[] = [];
  /** Everyone currently chatting; the send loop walks it round-robin. */
  private live: SimUser[] = [];
  private cursor = 0;
  private nameSeq = 0;
  private timer: NodeJS.Timeout | null = null;
  private sendStartMs = 0;
  private scheduled = 0;
  private readonly onMessage = (): void => {
    this.counts.received++;
  };

  constructor(
    private readonly target: ChurnTarget,
    roomCount: number,
    private readonly usersPerRoom: number,
    private readonly ratePerUser: number,
    private readonly keepAliveMs: number,
    private readonly concurrency: number,
  ) {
    for (let i = 0; i < roomCount; i++) {
      const name = `soak-${i}`;
      this.rooms.push({ index: i, name, bytes: utf8Encode(name), members: [], busy: false });
    }
  }

  get liveUsers(): number {
    return this.live.length;
  }

  /** Creates every room (creators first), then fills them. */
  async populate(): Promise<void> {
    await runLimited(this.rooms, this.concurrency, async (room) => {
      await this.join(room, true);
    });
    const joins: SimRoom[] = [];
    for (const room of this.rooms) {
      if (room.members.length === 0) continue;
      for (let k = 1; k < this.usersPerRoom; k++) joins.push(room);
    }
    await runLimited(joins, this.concurrency, async (room) => {
      await this.join(room, false);
    });
  }

  /** Starts chat at ratePerUser for every live user, plus keep-alives for the quiet ones. */
  startTraffic(): void {
    this.sendStartMs = Date.now();
    this.scheduled = 0;
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /**
   * One churn round: `count` members leave (half politely, half silently), as many fresh users join,
   * and `roomCloses` rooms are closed by their host and recreated with a full set of users.
   */
  async churnRound(count: number, roomCloses: number): Promise<void> {
    const candidates = this.live.filter((u) => !u.host && !u.room.busy);
    shuffle(candidates);
    const leaving = candidates.slice(0, Math.min(count, candidates.length));
    const rejoin: SimRoom[] = [];
    leaving.forEach((user, i) => {
      if (i % 2 === 0) {
        this.send(user, user.leave);
        this.counts.politeLeaves++;
      } else {
        this.counts.silenced++;
      }
      this.drop(user);
      rejoin.push(user.room);
    });
    const closing = this.rooms.filter((r) => !r.busy && r.members.length > 0);
    shuffle(closing);
    const closed = closing.slice(0, roomCloses);
    for (const room of closed) {
      room.busy = true;
      const host = room.members.find((m) => m.host);
      if (host) this.send(host, host.leave);
      this.counts.roomCloses++;
      for (const m of room.members.slice()) this.drop(m);
    }
    // Let the polite leaves and closes reach the relay before the replacements ask for the same rooms.
    await new Promise((r) => setTimeout(r, 100));
    await runLimited(rejoin, this.concurrency, async (room) => {
      if (room.members.length > 0) await this.join(room, false);
    });
    await runLimited(closed, this.concurrency, async (room) => {
      if (await this.join(room, true)) {
        this.counts.roomRecreates++;
        for (let k = 1; k < this.usersPerRoom; k++) await this.join(room, false);
      }
      room.busy = false;
    });
  }

  /** Everyone leaves politely (members before hosts) and every socket closes. */
  async stopAll(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const everyone = this.live.slice();
    for (const u of everyone) if (!u.host) this.send(u, u.leave);
    for (const u of everyone) if (u.host) this.send(u, u.leave);
    this.counts.politeLeaves += everyone.length;
    // The leaves must leave the sockets before they close.
    await new Promise((r) => setTimeout(r, 200));
    for (const u of everyone) this.drop(u);
  }

  // ---- internals ------------------------------------------------------------------------------

  private async join(room: SimRoom, create: boolean): Promise<boolean> {
    const name = `u${(this.nameSeq++).toString(36)}`;
    for (let attempt = 1; attempt <= HANDSHAKE_ATTEMPTS; attempt++) {
      const socket = await this.openSocket();
      const outcome = await handshake({
        host: this.target.tcpHost,
        port: this.target.tcpPort,
        create,
        room: room.bytes,
        username: name,
        password: '',
        tincan: false,
        udpPort: socket.address().port,
        timeoutMs: HANDSHAKE_TIMEOUT_MS,
      });
      if (outcome.ok) {
        const token = outcome.token;
        const user: SimUser = {
          name,
          room,
          host: create,
          socket,
          chat: Buffer.from(
            encodeClientDatagram(room.bytes, token, utf8Encode(`soak chat from ${name} in ${room.name}`)),
          ),
          keepAlive: Buffer.from(encodeClientDatagram(room.bytes, token, new Uint8Array(0))),
          leave: Buffer.from(encodeClientDatagram(room.bytes, token, utf8Encode('/leave'))),
          lastSendMs: 0,
        };
        room.members.push(user);
        this.live.push(user);
        this.counts.joins++;
        // Registers the endpoint right away (the port after the token does too).
        this.send(user, user.keepAlive);
        return true;
      }
      socket.close();
      const retryable = outcome.status === Status.SERVER_FULL || outcome.status === NO_STATUS;
      if (!retryable || attempt === HANDSHAKE_ATTEMPTS) {
        const key = outcome.status === NO_STATUS ? outcome.reason : statusName(outcome.status);
        this.counts.failures[key] = (this.counts.failures[key] ?? 0) + 1;
        this.counts.joinFailures++;
        return false;
      }
      await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
    return false;
  }

  private openSocket(): Promise<dgram.Socket> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket('udp4');
      socket.on('message', this.onMessage);
      socket.on('error', () => {
        this.counts.sendErrors++;
      });
      socket.once('error', reject);
      socket.bind({ address: '127.0.0.1', port: 0 }, () => {
        socket.connect(this.target.udpPort, this.target.udpHost, () => {
          socket.off('error', reject);
          resolve(socket);
        });
      });
    });
  }

  /** Forgets a user on our side and closes its socket (a silent user simply stops here). */
  private drop(user: SimUser): void {
    const i = this.live.indexOf(user);
    if (i >= 0) this.live.splice(i, 1);
    const j = user.room.members.indexOf(user);
    if (j >= 0) user.room.members.splice(j, 1);
    try {
      user.socket.close();
    } catch {
      // already closed
    }
  }

  private send(user: SimUser, bytes: Buffer): void {
    user.lastSendMs = Date.now();
    user.socket.send(bytes, (err) => {
      if (err) this.counts.sendErrors++;
    });
  }

  private tick(): void {
    const now = Date.now();
    const order = this.live;
    if (order.length > 0 && this.ratePerUser > 0) {
      const due = Math.floor(((now - this.sendStartMs) * order.length * this.ratePerUser) / 1000);
      // Behind by more than a quarter second: skip instead of bursting.
      const cap = Math.max(1, Math.ceil(order.length * this.ratePerUser * 0.25));
      let backlog = Math.min(due - this.scheduled, cap);
      this.scheduled = due;
      for (; backlog > 0; backlog--) {
        if (this.cursor >= order.length) this.cursor = 0;
        const user = order[this.cursor++] as SimUser;
        this.send(user, user.chat);
        this.counts.sent++;
      }
    } else {
      this.sendStartMs = now;
      this.scheduled = 0;
    }
    // Users that have not spoken for a while send a keep-alive (a few per tick at most matter).
    for (const user of order) {
      if (now - user.lastSendMs >= this.keepAliveMs) this.send(user, user.keepAlive);
    }
  }
}

function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
}
