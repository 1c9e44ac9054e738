// Keeping a session alive and its member list fresh. A Tincan server answers heartbeats, so missing
// answers tell the client the server is gone; HELLO asks it for the member list. A plain server
// answers nothing: an empty message every interval only tells it our endpoint and that we are here.
import { encodeClientControl } from '../../../src-shared/protocol/index.js';
import type { DialectRules } from './dialect.js';

/** HELLO is resent this many times at most while no MEMBERS answer arrives. */
const HELLO_ATTEMPTS = 5;
/** Longest wait between two HELLOs. */
const HELLO_RETRY_MAX_MS = 500;
/**
 * A JOINED datagram can be lost, so the member list is refreshed (HELLO → MEMBERS) every this many
 * heartbeats, and at once (at most once per MEMBER_REFRESH_MIN_MS) when chat comes from a stranger.
 */
const MEMBER_REFRESH_EVERY_HEARTBEATS = 6;
const MEMBER_REFRESH_MIN_MS = 1000;

export interface KeepAliveHost {
  send(message: Uint8Array): void;
  isStopped(): boolean;
  /** Too many heartbeats went unanswered. */
  serverLost(reason: string): void;
}

export class KeepAlive {
  private rules: DialectRules | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private helloTimer: NodeJS.Timeout | null = null;
  private helloDone: (() => void) | null = null;
  private nonce = 0;
  private awaitingPong = false;
  private missedHeartbeats = 0;
  private lastMemberRefresh = 0;

  constructor(
    private readonly host: KeepAliveHost,
    private readonly missedLimit: number,
  ) {}

  /** Starts the session's timers; resolves once a Tincan server has sent the member list (or HELLO gave up). */
  async start(rules: DialectRules): Promise<void> {
    this.rules = rules;
    this.heard();
    if (!rules.answers) {
      this.host.send(rules.keepAlive(0));
      this.heartbeatTimer = setInterval(() => this.host.send(rules.keepAlive(0)), rules.heartbeatMs);
      return;
    }
    this.heartbeatTimer = setInterval(() => this.tick(rules), rules.heartbeatMs);
    await this.sayHello(Math.min(HELLO_RETRY_MAX_MS, rules.heartbeatMs));
  }

  /** Anything the server understood proves it still knows our token. */
  heard(): void {
    this.awaitingPong = false;
    this.missedHeartbeats = 0;
  }

  /** The member list arrived: stop resending HELLO. */
  membersArrived(): void {
    this.helloDone?.();
  }

  /** Asks a Tincan server for the member list again (it answers HELLO with MEMBERS). */
  refreshMembers(): void {
    const now = Date.now();
    if (this.rules?.answers !== true || now - this.lastMemberRefresh < MEMBER_REFRESH_MIN_MS) return;
    this.lastMemberRefresh = now;
    this.host.send(encodeClientControl({ kind: 'hello' }));
  }

  stop(): void {
    this.rules = null;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    this.helloDone?.();
  }

  /** Sends HELLO until MEMBERS arrives or the attempts run out (then heartbeats decide). */
  private sayHello(retryMs: number): Promise<void> {
    return new Promise((resolve) => {
      let sent = 0;
      const done = (): void => {
        if (this.helloTimer) clearTimeout(this.helloTimer);
        this.helloTimer = null;
        this.helloDone = null;
        resolve();
      };
      const attempt = (): void => {
        if (sent >= HELLO_ATTEMPTS || this.host.isStopped()) {
          done();
          return;
        }
        sent++;
        this.host.send(encodeClientControl({ kind: 'hello' }));
        this.helloTimer = setTimeout(attempt, retryMs);
      };
      this.helloDone = done;
      attempt();
    });
  }

  private tick(rules: DialectRules): void {
    if (this.awaitingPong) {
      this.missedHeartbeats++;
      if (this.missedHeartbeats >= this.missedLimit) {
        this.host.serverLost(`no answer to ${this.missedHeartbeats} heartbeats`);
        return;
      }
    }
    this.nonce = (this.nonce + 1) >>> 0;
    this.awaitingPong = true;
    this.host.send(rules.keepAlive(this.nonce));
    if (this.nonce % MEMBER_REFRESH_EVERY_HEARTBEATS === 0) this.refreshMembers();
  }
}
