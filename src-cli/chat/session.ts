// One chat session after the handshake: turns client events into lines, keeps the member list,
// sends what the user types, and decides how the session ends (and with which exit code).
// The two front ends (piped.ts, interactive.ts) only read input and call these methods.
import { MESSAGE_TEXT_MAX_BYTES, utf8ByteLength } from '../../src-shared/protocol/index.js';
import type { ChatClientApi, ClientEvents, ConnectInfo, Member } from '../../src-main/engine/index.js';
import { ExitCode } from '../errors.js';
import { SendPacer } from './send-pacer.js';
import {
  caughtUpLine,
  closedLine,
  earlierLine,
  isRoomClosed,
  joinedLine,
  leftLine,
  messageLine,
  noticeLine,
  stateLine,
} from './format.js';

/** Where lines go: `show` for the chat itself, `warn` for problems and the final word. */
export interface Screen {
  show(line: string): void;
  warn(line: string): void;
}

// Messages accepted but not yet sent (paced, or waiting for a reconnection), at most.
const MAX_PENDING_SENDS = 100_000;

export class ChatSession {
  readonly done: Promise<number>;
  private resolveDone!: (code: number) => void;
  private finished = false;
  /** We asked to leave or close: the room ending is expected, not an error. */
  private ending = false;
  private reconnecting = false;
  private readonly roster = new Map<string, Member>();
  private readonly pacer = new SendPacer((text) => this.transmit(text));
  private sent = 0;
  private delivered = 0;
  private drainWaiters: (() => void)[] = [];
  private readonly listeners: { [K in keyof ClientEvents]?: (...args: ClientEvents[K]) => void } = {};

  constructor(
    private readonly client: ChatClientApi,
    private info: ConnectInfo,
    readonly room: string,
    readonly name: string,
    private readonly screen: Screen,
  ) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    for (const member of client.members) this.roster.set(member.name, member);
    if (!this.roster.has(name)) this.roster.set(name, { name, host: info.role === 'host' });
    this.listen();
  }

  get role(): ConnectInfo['role'] {
    return this.info.role;
  }

  get dialect(): ConnectInfo['dialect'] {
    return this.info.dialect;
  }

  /** How our own connection runs: inside TLS with sealed datagrams, or in clear. */
  get transport(): ConnectInfo['transport'] {
    return this.info.transport;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  members(): Member[] {
    return [...this.roster.values()].sort((a, b) => Number(b.host) - Number(a.host) || (a.name < b.name ? -1 : 1));
  }

  /** Messages accepted by send() that have not gone out yet. */
  get pendingSends(): number {
    return this.pacer.pending;
  }

  /** Resolves when every accepted message has gone out (or the session ended). */
  whenSent(): Promise<void> {
    return this.pacer.whenIdle();
  }

  /** Queues one message (paced under the server's rate limit); problems are reported, never thrown. */
  send(text: string): void {
    if (this.finished || this.ending) return;
    const bytes = utf8ByteLength(text);
    if (bytes > MESSAGE_TEXT_MAX_BYTES) {
      this.screen.warn(`* not sent: the message is ${bytes} bytes, the limit is ${MESSAGE_TEXT_MAX_BYTES}`);
      return;
    }
    if (this.pacer.pending >= MAX_PENDING_SENDS) {
      this.screen.warn('* not sent: too many messages waiting to go out');
      return;
    }
    this.pacer.push(text);
  }

  private transmit(text: string): void {
    if (this.finished) return;
    try {
      this.client.send(text);
      this.sent++;
    } catch (err) {
      this.screen.warn(`* not sent: ${errorText(err)}`);
    }
  }

  /**
   * Resolves when the server confirmed every message sent so far, or after `maxWaitMs`. Only the
   * Tincan dialect confirms; with a plain server a short pause lets the last datagrams go out.
   */
  async waitForDeliveries(maxWaitMs: number): Promise<void> {
    await this.pacer.whenIdle();
    if (this.info.dialect !== 'tincan') {
      await delay(Math.min(maxWaitMs, 200));
      return;
    }
    if (this.delivered >= this.sent) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, maxWaitMs);
      this.drainWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Leaves the room (as host: closes it) and ends the session with exit code 0. */
  async leave(): Promise<void> {
    if (this.finished || this.ending) return;
    this.ending = true;
    try {
      await this.client.leave();
    } catch (err) {
      this.screen.warn(`* leaving failed: ${errorText(err)}`);
    }
    this.finish(ExitCode.OK);
  }

  /** Host only: closes the room for everyone, exit code 0. */
  async closeRoom(): Promise<boolean> {
    if (this.finished || this.ending) return false;
    if (this.info.role !== 'host') {
      this.screen.show('* only the host can close the room');
      return false;
    }
    this.ending = true;
    try {
      await this.client.closeRoom();
    } catch (err) {
      this.screen.warn(`* closing failed: ${errorText(err)}`);
    }
    this.finish(ExitCode.OK);
    return true;
  }

  // host tools (#14 item 7)

  /** Host only: removes `name`; the room's "was removed by the host" line confirms it. */
  kick(name: string): void {
    if (this.finished || this.ending) return;
    if (this.info.role !== 'host') return this.screen.show('* only the host can remove a member');
    try {
      this.client.kick(name);
    } catch (err) {
      this.screen.warn(`* not removed: ${errorText(err)}`);
    }
  }

  /** Whether /password applies here: only the host's, and only on a server that speaks our dialect. */
  canChangePassword(): boolean {
    if (this.info.role !== 'host') this.screen.show('* only the host can change the password');
    else if (this.info.dialect !== 'tincan') this.screen.show('* this server cannot change the password');
    else return !this.finished && !this.ending;
    return false;
  }

  /** Host only: sets ('' clears) the password new members need; says whether it worked. */
  async setPassword(password: string): Promise<void> {
    try {
      await this.client.setPassword(password);
      this.screen.show(
        password === ''
          ? '* password cleared: anyone may join'
          : '* password changed: new members need it, members already here stay',
      );
    } catch (err) {
      this.screen.warn(`* password not changed: ${errorText(err)}`);
    }
  }

  /** Ends the session (idempotent). A final line, if any, goes to `warn`. */
  finish(code: number, line?: string): void {
    if (this.finished) return;
    this.finished = true;
    if (line) this.screen.warn(line);
    this.pacer.stop();
    for (const [event, listener] of Object.entries(this.listeners)) {
      this.client.off(event as keyof ClientEvents, listener as never);
    }
    for (const wake of this.drainWaiters.splice(0)) wake();
    this.resolveDone(code);
  }

  private on<K extends keyof ClientEvents>(event: K, listener: (...args: ClientEvents[K]) => void): void {
    (this.listeners as Record<string, unknown>)[event] = listener;
    this.client.on(event, listener);
  }

  private listen(): void {
    this.on('message', (msg) => {
      if (msg.own) return;
      this.screen.show(
        msg.earlier === true ? earlierLine(msg.from, msg.text, msg.at) : messageLine(msg.from, msg.text),
      );
    });
    this.on('caughtUp', ({ count }) => {
      const line = caughtUpLine(count);
      if (line) this.screen.show(line);
    });
    this.on('notice', (text) => this.screen.show(noticeLine(text)));
    this.on('joined', (member) => {
      this.roster.set(member.name, member);
      if (member.name !== this.name) this.screen.show(joinedLine(member, this.info.transport === 'tls'));
    });
    this.on('left', (info) => {
      this.roster.delete(info.name);
      this.screen.show(leftLine(info.name, info.reason));
    });
    this.on('reconnected', ({ name }) => this.screen.show(leftLine(name, 'reconnected')));
    this.on('members', (members) => {
      this.roster.clear();
      for (const member of members) this.roster.set(member.name, member);
    });
    this.on('delivered', () => {
      this.delivered++;
      if (this.delivered >= this.sent) for (const wake of this.drainWaiters.splice(0)) wake();
    });
    this.on('connected', (info) => {
      this.info = info;
    });
    this.on('state', (state, detail) => {
      const line = stateLine(state, detail, this.reconnecting);
      if (line) this.screen.show(line);
      if (state === 'reconnecting') {
        this.reconnecting = true;
        this.pacer.hold(true);
      }
      if (state === 'connected' && this.reconnecting) {
        this.reconnecting = false;
        this.pacer.hold(false);
      }
    });
    this.on('error', (err) => this.screen.warn(`* ${errorText(err)}`));
    this.on('closed', ({ reason }) => {
      if (this.ending || reason === 'left') return this.finish(ExitCode.OK);
      if (isRoomClosed(reason)) return this.finish(ExitCode.ROOM_CLOSED, closedLine(reason));
      this.finish(ExitCode.FAILURE, closedLine(reason));
    });
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
