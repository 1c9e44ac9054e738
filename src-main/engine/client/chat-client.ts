// The chat client: handshake over TCP, then a UDP session with heartbeats, typed events and automatic
// reconnection. Pure Node; used by the CLI, the Electron main process and the web backend.
import type { Socket as UdpSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import {
  clientMessageCapacity,
  encodeClientDatagram,
  encodeClientControl,
  MESSAGE_TEXT_MAX_BYTES,
  TYPING_SEND_INTERVAL_MS,
  utf8Encode,
  DIALECT_WITH_MEMBER_TRANSPORT,
} from '../../../src-shared/protocol/index.js';
import { dialectRules, type DialectRules } from './dialect.js';
import { ChatSessionError, HandshakeError, NotConnectedError } from './errors.js';
import { handshake, type EncryptionPolicy, type HandshakeResult } from './handshake.js';
import { hostKeyOf } from './known-hosts.js';
import { IncomingDecoder, type IncomingEvent } from './incoming.js';
import { SeenMessages } from './seen-messages.js';
import { KeepAlive } from './keep-alive.js';
import { MemberList } from './member-list.js';
import { PasswordChange } from './password-change.js';
import { reconnect } from './reconnect.js';
import { resolveServer, type ResolvedServer } from './resolve-server.js';
import { openUdpChannel } from './udp-channel.js';
import { SealedChannel, type SealedDrops } from './sealed-channel.js';
import type {
  ChatClientApi,
  ClientEvents,
  ClientOptions,
  ClientRole,
  ConnectInfo,
  ConnectionState,
  Dialect,
  Member,
} from './types.js';

const DEFAULTS = {
  negotiate: true,
  reconnect: true,
  maxReconnectAttempts: 10,
  handshakeTimeoutMs: 5000,
  heartbeatIntervalMs: 10_000,
  missedHeartbeatsBeforeReconnect: 3,
  localUdpPort: 0,
  typing: true,
  reconnectBaseDelayMs: 500,
  reconnectMaxDelayMs: 10_000,
} as const;

/** How long leave() waits for the goodbye datagram to be handed to the kernel. */
const GOODBYE_FLUSH_MS = 200;
/** Bytes of the CHAT control prefix (FF 05 id u32) in front of the text. */
const CHAT_PREFIX_BYTES = 6;

type ClosedReason = ClientEvents['closed'][0]['reason'];

interface Session {
  token: string;
  tokenBytes: Uint8Array;
  role: ClientRole;
  rules: DialectRules;
  /** The server agreed to typing indicators for this session. */
  typing: boolean;
}

export class ChatClient extends EventEmitter<ClientEvents> implements ChatClientApi {
  private readonly opts: Readonly<ClientOptions>;
  private readonly roomBytes: Uint8Array;
  private readonly stopController = new AbortController();
  private readonly incoming = new IncomingDecoder();

  private currentState: ConnectionState = 'connecting';
  private started = false;
  private stopped = false;
  private server: ResolvedServer | null = null;
  private udp: UdpSocket | null = null;
  private session: Session | null = null;
  /** The sealed session when the client has a UDP secret: then nothing goes out or comes in unsealed. */
  private sealed: SealedChannel | null = null;
  /** Whether the option's UDP secret sealed a session already (its counters restarting would repeat nonces). */
  private secretSpent = false;
  private lastRole: ClientRole | null = null;
  private lastDialect: Dialect | null = null;
  private lastToken: string | null = null;
  // encrypted transport (#16)
  /** The certificate the first session saw: every reconnect requires it (no downgrade either). */
  private pinned: string | null = null;
  /** The last TLS session's resume proof, offered with the token when reconnecting. */
  private lastResumeProof: Buffer | null = null;
  private readonly memberList = new MemberList();
  private readonly seen = new SeenMessages();

  private readonly keepAlive: KeepAlive;
  private nextMessageId = 1;
  private readonly passwordChange = new PasswordChange();
  /** When our last TYPING went out (typing() sends at most one per TYPING_SEND_INTERVAL_MS). */
  private lastTypingSent = 0;

  constructor(options: ClientOptions) {
    super();
    this.opts = Object.freeze({ ...options });
    this.roomBytes = utf8Encode(options.room);
    this.keepAlive = new KeepAlive(
      {
        send: (message) => this.sendMessage(message),
        isStopped: () => this.stopped,
        serverLost: (reason) => this.startReconnect(reason),
      },
      options.missedHeartbeatsBeforeReconnect ?? DEFAULTS.missedHeartbeatsBeforeReconnect,
    );
  }

  get state(): ConnectionState {
    return this.currentState;
  }
  get members(): Member[] {
    return this.memberList.snapshot();
  }
  get role(): ClientRole | null {
    return this.lastRole;
  }
  get dialect(): Dialect | null {
    return this.lastDialect;
  }
  /** Token of the current (or last) session. */
  get token(): string | null {
    return this.lastToken;
  }
  /** Datagrams the sealed session dropped, by reason; null without a sealed session. */
  get sealedDrops(): Readonly<SealedDrops> | null {
    return this.sealed?.drops ?? null;
  }
  get options(): Readonly<ClientOptions> {
    return this.opts;
  }

  /** Handshake, then open the UDP session. Rejects with HandshakeError; the client is then closed. */
  async connect(): Promise<ConnectInfo> {
    if (this.started) throw new Error('connect() may be called only once per client');
    this.started = true;
    this.setState('connecting', {});
    try {
      this.server = await resolveServer(this.opts.host, this.opts.handshakeTimeoutMs ?? DEFAULTS.handshakeTimeoutMs);
      this.throwIfStopped();
      this.udp = await this.openUdp(this.server);
      this.throwIfStopped();
      const result = await this.runHandshake(this.opts.mode, null);
      this.throwIfStopped();
      await this.startSession(result);
      this.throwIfStopped();
      const info: ConnectInfo = {
        role: result.role,
        dialect: result.dialect,
        token: result.token,
        resumed: result.resumed,
        ...historyOf(result),
        ...transportOf(result),
      };
      this.setState('connected', {});
      this.emit('connected', info);
      return info;
    } catch (err) {
      const failure =
        err instanceof HandshakeError ? err : HandshakeError.transport('PROTOCOL', (err as Error).message, err);
      const wasStopped = this.stopped;
      this.stopped = true;
      // Always: a UDP socket opened while leave() ran must not outlive the client.
      this.teardown();
      if (!wasStopped) this.setState('closed', { reason: failure.code });
      throw failure;
    }
  }

  /**
   * Sends a chat message. Returns its id (Tincan; 'delivered' reports it) or null (plain).
   * Throws RangeError when the text is empty or too long, NotConnectedError (a RangeError) without a session.
   */
  send(text: string): number | null {
    const session = this.session;
    if (!session || this.currentState !== 'connected') throw new NotConnectedError('not connected');
    const bytes = utf8Encode(text);
    if (bytes.length === 0) throw new RangeError('empty message');
    const fits = clientMessageCapacity(this.roomBytes.length, session.tokenBytes.length) - CHAT_PREFIX_BYTES;
    const limit = Math.min(MESSAGE_TEXT_MAX_BYTES, session.rules.maxTextBytes, fits);
    if (bytes.length > limit) throw new RangeError(`message of ${bytes.length} bytes exceeds ${limit} bytes`);
    if (!session.rules.answers) {
      this.sendMessage(session.rules.chat(bytes, 0));
      return null;
    }
    const id = this.takeMessageId();
    this.sendMessage(session.rules.chat(bytes, id));
    return id;
  }

  // host tools (#14 item 7)

  /** Host only: removes `name` from the room; the room then sees it leave with reason 'removed'. */
  kick(name: string): void {
    this.hostSession('remove a member');
    if (name === this.opts.username) throw new RangeError('the host cannot remove itself');
    if (!this.memberList.has(name)) throw new RangeError(`no member named ${name}`);
    this.sendMessage(encodeClientControl({ kind: 'kick', name }));
  }

  /** Host only: the password future joins need ('' clears it); resolves once the server has it. */
  async setPassword(password: string): Promise<void> {
    this.hostSession('change the password');
    // Encoding checks the length before anything is sent.
    const id = this.takeMessageId();
    const message = encodeClientControl({ kind: 'set-password', id, password });
    const answered = this.passwordChange.wait(id);
    this.sendMessage(message);
    await answered;
  }

  /** Our user is typing: tells the room, at most once per TYPING_SEND_INTERVAL_MS, where agreed. */
  typing(): void {
    const session = this.session;
    if (!session?.typing || this.currentState !== 'connected') return;
    const now = Date.now();
    if (now - this.lastTypingSent < TYPING_SEND_INTERVAL_MS) return;
    this.lastTypingSent = now;
    this.sendMessage(encodeClientControl({ kind: 'typing' }));
  }

  /** The session, if we are its host on a server that speaks our dialect; throws otherwise. */
  private hostSession(action: string): Session {
    const session = this.session;
    if (!session || this.currentState !== 'connected') throw new NotConnectedError('not connected');
    if (session.role !== 'host') throw new Error(`only the host can ${action}`);
    if (!session.rules.answers) throw new Error(`this server cannot ${action} (plain dialect)`);
    return session;
  }

  private takeMessageId(): number {
    const id = this.nextMessageId;
    this.nextMessageId = id >= 0xffffffff ? 1 : id + 1;
    return id;
  }

  /** Leaves the room (LEAVE or '/leave'), stops timers and closes sockets; emits closed {reason:'left'}. */
  async leave(): Promise<void> {
    await this.sayGoodbye('leave');
  }

  /** Host only: closes the room for everyone (CLOSE_ROOM or '/close'), then leaves like leave(). */
  async closeRoom(): Promise<void> {
    if (this.lastRole !== 'host') throw new Error('only the host can close the room');
    await this.sayGoodbye('close-room');
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  private async sayGoodbye(kind: 'leave' | 'close-room'): Promise<void> {
    if (this.stopped) return;
    const session = this.session;
    if (session && this.currentState === 'connected') await this.flushMessage(session.rules.goodbye(kind));
    this.shutdown('left');
  }

  private throwIfStopped(): void {
    if (this.stopped) throw HandshakeError.transport('ABORTED', 'the client was closed while connecting');
  }

  private setState(state: ConnectionState, detail: { attempt?: number; reason?: string }): void {
    this.currentState = state;
    this.emit('state', state, detail);
  }

  private report(err: Error & { code?: string }): void {
    // An 'error' without listeners would throw; a library must not crash its host for a stray datagram.
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  /** Ends the client for good: no more reconnects, timers or sockets. Emits 'closed' once. */
  private shutdown(reason: ClosedReason): void {
    if (this.stopped) return;
    this.stopped = true;
    this.teardown();
    this.setState('closed', { reason });
    this.emit('closed', { reason });
  }

  private teardown(): void {
    this.passwordChange.fail(new NotConnectedError('the session ended'));
    this.stopController.abort();
    this.keepAlive.stop();
    this.session = null;
    const udp = this.udp;
    this.udp = null;
    if (udp) {
      try {
        udp.close();
      } catch {
        // already closed
      }
    }
  }

  // ---- transport ------------------------------------------------------------------------------

  private openUdp(server: ResolvedServer): Promise<UdpSocket> {
    return openUdpChannel({
      server,
      remotePort: this.opts.udpPort ?? this.opts.port,
      localPort: this.opts.localUdpPort ?? DEFAULTS.localUdpPort,
      onDatagram: (msg) => this.onDatagram(msg),
      onError: (err) => this.onUdpError(err),
    });
  }

  private runHandshake(mode: 'create' | 'join', resume: string | null): Promise<HandshakeResult> {
    const server = this.server as ResolvedServer;
    return handshake({
      host: server.address,
      port: this.opts.port,
      room: this.opts.room,
      username: this.opts.username,
      password: this.opts.password ?? '',
      mode,
      negotiate: this.opts.negotiate ?? DEFAULTS.negotiate,
      resume,
      encryption: this.encryptionPolicy(),
      resumeProof: resume ? this.lastResumeProof : null,
      // On resume the server knows this room's numbering is ours: only newer lines are sent.
      catchUp: this.opts.catchUp === false ? null : { since: resume ? this.seen.lastSeq : 0 },
      typing: this.opts.typing ?? DEFAULTS.typing,
      encryptedOnly: this.opts.encryptedOnly === true,
      ...(this.opts.ciphers ? { ciphers: this.opts.ciphers } : {}),
      timeoutMs: this.opts.handshakeTimeoutMs ?? DEFAULTS.handshakeTimeoutMs,
      udpPort: this.udp?.address().port ?? 0,
      signal: this.stopController.signal,
    });
  }

  /** The caller's policy, narrowed to the certificate a previous session of this client saw. */
  private encryptionPolicy(): EncryptionPolicy | null {
    const policy = this.opts.encryption;
    if (!policy) return null;
    return {
      ...policy,
      hostKey: policy.hostKey ?? hostKeyOf(this.opts.host, this.opts.port),
      ...(this.pinned ? { fingerprint: this.pinned } : {}),
    };
  }

  /** Wraps a message in the client datagram header and sends it; a closed socket is not an error. */
  private sendMessage(message: Uint8Array, callback?: () => void): void {
    const session = this.session;
    const udp = this.udp;
    if (!session || !udp) {
      callback?.();
      return;
    }
    try {
      const datagram = this.sealed
        ? this.sealed.seal(message)
        : encodeClientDatagram(this.roomBytes, session.tokenBytes, message);
      if (datagram === null)
        throw new RangeError('the message cannot be sealed (too large, or the session key is spent)');
      udp.send(datagram, () => callback?.());
    } catch (err) {
      callback?.();
      this.report(new ChatSessionError('SEND_FAILED', `could not send: ${(err as Error).message}`));
    }
  }

  private flushMessage(message: Uint8Array): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, GOODBYE_FLUSH_MS);
      this.sendMessage(message, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private onUdpError(err: NodeJS.ErrnoException): void {
    if (err.code === 'ECONNREFUSED') {
      // ICMP port unreachable: nothing listens on the server's UDP port any more.
      if (this.currentState === 'connected') this.startReconnect('the server is unreachable');
      return;
    }
    this.report(new ChatSessionError(err.code ?? 'UDP_ERROR', `UDP socket: ${err.message}`));
  }

  // ---- session --------------------------------------------------------------------------------

  /** Adopts a handshake result and opens the UDP session; resolves once the server has seen us. */
  private async startSession(result: HandshakeResult): Promise<void> {
    const rules = dialectRules(result, this.opts.heartbeatIntervalMs ?? DEFAULTS.heartbeatIntervalMs);
    this.sealed = null;
    // The secret exported from this session's TLS connection (fresh for every handshake), or the
    // one given as an option (tests of the sealed relay without TLS).
    const secret = result.udpSecret ?? this.opts.udpSecret ?? null;
    if (secret !== null) {
      // Fail closed: a client holding a secret never falls back to plain datagrams.
      const sealedInfo = result.info?.sealed;
      if (!sealedInfo) throw HandshakeError.transport('PROTOCOL', 'the server did not seal this session');
      if (result.udpSecret === null) {
        // A new session starts its counters at 0: under the same keys that would repeat nonces.
        if (this.secretSpent) throw HandshakeError.transport('PROTOCOL', 'a UDP secret seals one session only');
        this.secretSpent = true;
      }
      this.sealed = new SealedChannel(secret, sealedInfo);
    }
    this.session = {
      token: result.token,
      tokenBytes: result.tokenBytes,
      role: result.role,
      rules,
      typing: result.info?.typing === true,
    };
    this.lastRole = result.role;
    this.lastDialect = result.dialect;
    this.lastToken = result.token;
    if (result.fingerprint) this.pinned = result.fingerprint;
    this.lastResumeProof = result.resumeProof;
    // Version 3 on, the server tells each member's transport; from then on the list says it for everyone.
    const version = result.info?.tincan ?? 0;
    this.incoming.setVersion(version);
    this.memberList.reset({
      name: this.opts.username,
      host: result.role === 'host',
      ...(version >= DIALECT_WITH_MEMBER_TRANSPORT ? { plain: this.sealed === null } : {}),
    });
    await this.keepAlive.start(rules);
  }

  private onDatagram(bytes: Buffer): void {
    if (!this.session || this.stopped) return;
    if (this.sealed) {
      const opened = this.sealed.open(bytes);
      if (opened === null) return;
      this.keepAlive.heard();
      if (opened.kind === 'reply') {
        this.udp?.send(opened.datagram);
        return;
      }
      bytes = opened.message;
    }
    let event: IncomingEvent | null;
    try {
      event = this.incoming.decode(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
    } catch {
      event = null; // the decoders do not throw; this is a belt for the braces
    }
    if (event === null) return;
    this.keepAlive.heard();
    this.handleEvent(event, this.session);
  }

  private handleEvent(event: IncomingEvent, session: Session): void {
    switch (event.type) {
      case 'message':
        // Chat from someone not in our list means we missed their JOINED.
        if (session.rules.answers && !this.memberList.has(event.from)) this.keepAlive.refreshMembers();
        if (event.seq !== null) this.seen.note(event.seq, event.from);
        this.emit('message', {
          from: event.from,
          text: event.text,
          seq: event.seq,
          own: session.rules.isOwnEcho(event.from, this.opts.username),
          at: Date.now(),
        });
        return;
      case 'earlier':
        if (this.seen.has(event.seq, event.from)) return;
        this.seen.note(event.seq, event.from);
        this.emit('message', {
          from: event.from,
          text: event.text,
          seq: event.seq,
          own: false,
          at: event.at,
          earlier: true,
        });
        return;
      case 'caught-up':
        this.emit('caughtUp', { count: event.count });
        return;
      case 'joined':
        if (!this.memberList.add(event.member)) return;
        this.emit('joined', { ...event.member });
        this.emit('members', this.members);
        return;
      case 'left':
        if (event.name === this.opts.username && event.reason === 'removed') {
          this.shutdown('kicked'); // the REMOVED meant for us was lost; our token is gone for good
          return;
        }
        if (event.name === this.opts.username) {
          // The server dropped our session: timed out (it says so before dropping us) is final and
          // said so; any other goodbye under our name means our session is gone, so join again.
          if (event.reason === 'timed-out') this.shutdown('timed-out');
          else this.startReconnect('the server says we left');
          return;
        }
        this.memberList.remove(event.name);
        this.emit('left', { name: event.name, reason: event.reason });
        this.emit('members', this.members);
        return;
      case 'reconnected':
        // Version 3 on: the new session's transport may differ from the old one's.
        if (event.plain !== undefined && this.memberList.setPlain(event.name, event.plain))
          this.emit('members', this.members);
        this.emit('reconnected', { name: event.name });
        return;
      case 'members':
        this.memberList.replace(event.members);
        this.keepAlive.membersArrived();
        this.emit('members', this.members);
        return;
      case 'closed':
        // A server shutting down is usually a restart: come back like after a crash (the host
        // recreates the room). Every other reason means the room is gone for good.
        if (event.reason === 'server-shutdown' && this.opts.reconnect !== false) {
          this.startReconnect('the server is shutting down');
          return;
        }
        this.shutdown(event.reason);
        return;
      case 'pong':
        return;
      case 'typing':
        if (event.name !== this.opts.username) this.emit('typing', { name: event.name });
        return;
      case 'delivered':
        // seq 0 is no chat: it answers a SET_PASSWORD.
        if (event.seq === 0) {
          this.passwordChange.acked(event.id);
          return;
        }
        this.seen.note(event.seq, this.opts.username);
        this.emit('delivered', { id: event.id, seq: event.seq });
        return;
      case 'error':
        if (this.passwordChange.refused(event.code, event.message)) return;
        this.report(new ChatSessionError(event.code, event.message, event.chatId));
        return;
      case 'notice':
        this.emit('notice', event.text);
        return;
    }
  }

  // ---- reconnection ---------------------------------------------------------------------------

  private startReconnect(reason: string): void {
    if (this.stopped || this.currentState !== 'connected' || !this.session) return;
    const oldToken = this.session.token;
    this.keepAlive.stop();
    this.session = null;
    if (this.opts.reconnect === false) {
      this.shutdown('gave-up');
      return;
    }
    const opts = this.opts;
    const policy = {
      maxAttempts: opts.maxReconnectAttempts ?? DEFAULTS.maxReconnectAttempts,
      baseDelayMs: opts.reconnectBaseDelayMs ?? DEFAULTS.reconnectBaseDelayMs,
      maxDelayMs: opts.reconnectMaxDelayMs ?? DEFAULTS.reconnectMaxDelayMs,
    };
    void reconnect(
      {
        isStopped: () => this.stopped,
        stopSignal: this.stopController.signal,
        isHost: () => this.lastRole === 'host',
        attemptStarted: (attempt, why) => this.setState('reconnecting', { attempt, reason: why }),
        handshake: (mode, resumeToken) => this.runHandshake(mode, resumeToken),
        resume: (result, attempt) => this.resumeSession(result, attempt),
        giveUp: (err) => {
          if (err) this.report(err);
          this.shutdown('gave-up');
        },
      },
      policy,
      oldToken,
      reason,
    );
  }

  /** A reconnect's handshake succeeded: open the new session and say so. */
  private async resumeSession(result: HandshakeResult, attempt: number): Promise<void> {
    await this.startSession(result);
    if (this.stopped) return;
    this.setState('connected', { attempt });
    this.emit('connected', {
      role: result.role,
      dialect: result.dialect,
      token: result.token,
      resumed: result.resumed,
      ...historyOf(result),
      ...transportOf(result),
    });
  }
}

/** The room's catch-up size as the server told it, for the 'connected' info (nothing if not told). */
function historyOf(result: HandshakeResult): { history?: number } {
  const history = result.info?.history;
  return history === undefined ? {} : { history };
}

/** How the session's TCP exchange ran, for the 'connected' info. */
function transportOf(
  result: HandshakeResult,
): Pick<ConnectInfo, 'transport' | 'fingerprint' | 'trust' | 'cipher' | 'encryptedOnly'> {
  const cipher = result.info?.sealed?.cipher;
  return {
    transport: result.transport,
    fingerprint: result.fingerprint,
    ...(result.trust !== null ? { trust: result.trust } : {}),
    ...(cipher !== undefined ? { cipher } : {}),
    ...(result.info?.encryptedOnly === true ? { encryptedOnly: true as const } : {}),
  };
}
