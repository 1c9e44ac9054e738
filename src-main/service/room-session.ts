// One room the user is in (hosted or joined): its view, its bounded history, the own messages still
// waiting for the server's ACK, and the wiring of its current ChatClient. Each client event changes
// the view or the history and reports it once; the registry (chat-service.ts) decides the rest.
import type {
  ChatEntry,
  ClosedReason,
  RoomId,
  RoomView,
  ShareInfo,
  SystemTone,
} from '../../src-shared/ipc/contract.js';
import { HISTORY_LIMIT } from '../../src-shared/ipc/history-limit.js';
import { groupFingerprint } from '../../src-shared/protocol/encrypted-transport.js';
import { visibleName } from '../../src-shared/protocol/names.js';
import {
  HandshakeError,
  hostKeyOf,
  SeenMessages,
  type ChatClient,
  type ClientEvents,
  type ClientOptions,
  type ConnectInfo,
} from '../engine/index.js';
import { capitalize, sendFailure } from './error-mapping.js';
import { HOSTED_HERE, type HistoryKey } from './history/history-store.js';
import type { Logger } from './logger.js';
import { ServiceError } from './service-error.js';

export interface ConnectParams {
  host: string;
  port: number;
  udpPort?: number;
  password: string;
  mode: 'create' | 'join';
  /** The certificate fingerprint the user was given for this host (invite, nearby room): no other is accepted. */
  fingerprint?: string;
  /** Hosted rooms: create the room for encrypted members only. */
  encryptedOnly?: boolean;
}

export interface SessionInit {
  id: RoomId;
  room: string;
  username: string;
  server: string;
  hosted: boolean;
  params: ConnectParams;
  /** Makes entry keys unique across runs, as they are kept on disk. */
  keyPrefix: string;
}

/** What a session needs from the registry. */
export interface SessionHooks {
  createClient(options: ClientOptions): ChatClient;
  clientDefaults?: Partial<ClientOptions>;
  log: Logger;
  now(): number;
  emitView(view: RoomView): void;
  emitEntry(roomId: RoomId, entry: ChatEntry): void;
  /** Another member is typing in this room. */
  emitTyping(roomId: RoomId, name: string): void;
  /** The server ended the session (the client's 'closed' event). */
  onServerClosed(session: RoomSession): void;
  /** A settled entry (not an own line still waiting for its ACK) of a session the registry shows. */
  persist?(session: RoomSession, entry: ChatEntry): void;
}

const CLOSED_TEXT: Record<ClosedReason, string> = {
  'by-host': 'The host closed the room.',
  'host-left': 'The room closed: the host left.',
  'host-timed-out': 'The room closed: the host timed out.',
  'server-shutdown': 'The room closed: the server shut down.',
  left: 'You left the room.',
  'gave-up': 'The host is gone: could not reconnect.',
  kicked: 'You were removed by the host.',
  'timed-out': 'You timed out: the server heard nothing from you in time.',
  failed: 'Could not rejoin the room.',
};

export class RoomSession {
  readonly view: RoomView;
  readonly params: ConnectParams;
  /**
   * Hosted rooms: where the embedded server should listen on a re-host, and whether the router is
   * asked to forward its port ("reachable from the internet").
   */
  hostBind: { bindHost: string; port: number; upnp: boolean } | null = null;
  private client: ChatClient | null = null;
  private readonly history: ChatEntry[] = [];
  /** Client message id → history key of the own entry waiting for its ACK. */
  private readonly pendingOwn = new Map<number, string>();
  private entryCounter = 0;
  /**
   * Chat lines already in the history, so a catch-up never adds one twice, also after a restart or
   * with a fresh client. The engine's rule, by room seq and sender; the text is part of the sender's
   * identity here, since a room recreated after a host restart counts from 1 again.
   */
  private readonly shown = new SeenMessages();
  /** Earlier lines the current client's catch-up added (the rest were already in the history). */
  private caughtUpAdded = 0;
  /** False for a remembered password room whose password could not be kept (no secret store). */
  passwordKnown = true;
  /** Bumped for each new client, so late events of an old client are ignored. */
  private generation = 0;
  /** Events go out only once the registry shows the session (after a successful first connect). */
  private published = false;

  private readonly keyPrefix: string;

  constructor(
    init: SessionInit,
    private readonly hooks: SessionHooks,
  ) {
    this.params = init.params;
    this.keyPrefix = init.keyPrefix;
    this.view = {
      id: init.id,
      room: init.room,
      server: init.server,
      username: init.username,
      role: init.hosted ? 'host' : 'member',
      hosted: init.hosted,
      passwordProtected: init.params.password.length > 0,
      state: 'connecting',
      attempt: null,
      closedReason: null,
      dialect: null,
      members: [],
      share: null,
      remembered: false,
      catchUp: null,
      transport: null,
      encryptedOnly: false,
    };
  }

  get id(): RoomId {
    return this.view.id;
  }

  /** Which history on disk is this room's. */
  get historyKey(): HistoryKey {
    return { server: this.view.hosted ? HOSTED_HERE : this.view.server, room: this.view.room };
  }

  /** True while a client is attached (connecting, connected or reconnecting). */
  get attached(): boolean {
    return this.client !== null;
  }

  snapshot(): RoomView {
    return structuredClone(this.view);
  }

  entries(): ChatEntry[] {
    return structuredClone(this.history);
  }

  /** Makes the session visible: the greeting, the view, then every line gathered while connecting. */
  publish(greeting: string): void {
    this.published = true;
    for (const entry of this.history) this.persist(entry);
    this.addSystem(greeting, 'info');
    this.emitView();
    for (const entry of this.history) this.hooks.emitEntry(this.id, structuredClone(entry));
  }

  /**
   * A room from an earlier run: shown closed, with the newest page of its history (already on disk),
   * until the user rejoins or hosts it again.
   */
  restore(entries: readonly ChatEntry[], seen: Iterable<ChatEntry>): void {
    this.view.state = 'closed';
    this.view.remembered = true;
    this.history.push(...entries);
    for (const entry of seen) if (entry.kind === 'chat') this.noteShown(entry);
    this.published = true;
  }

  /** Forgets the lines held in memory (the registry clears the disk). */
  clearHistory(): void {
    this.history.length = 0;
  }

  /** The registry forgot the session: nothing more is reported. */
  unpublish(): void {
    this.published = false;
  }

  /** How this session's connection runs, and whether its room is for encrypted members only. */
  private noteTransport(info: ConnectInfo): void {
    this.view.transport = info.transport === 'tls' ? 'encrypted' : 'plain';
    this.view.encryptedOnly = info.encryptedOnly === true;
  }

  /**
   * Trust on first use, said in the room: the certificate was accepted only because this address
   * had none on record, so this is the moment to compare it with the fingerprint the host sees.
   */
  private noteFirstUse(info: ConnectInfo): void {
    if (info.trust !== 'first-use' || info.fingerprint === null) return;
    const address = hostKeyOf(this.params.host, this.params.port);
    this.addSystem(
      `First encrypted connection to ${address}. Its certificate fingerprint is ${groupFingerprint(info.fingerprint)}: ` +
        `compare it with the one in the host's invite. From now on only this certificate is accepted.`,
      'info',
    );
  }

  /** What the host's server said of its catch-up, for everyone in the room to see (#14 item 3). */
  private noteCatchUp(info: ConnectInfo): void {
    this.view.catchUp = info.history !== undefined && Number.isSafeInteger(info.history) ? info.history : null;
  }

  setShare(share: ShareInfo | null): void {
    this.view.share = share;
  }

  /** Connects a new client with the current params; on failure the session has no client. */
  async connect(): Promise<void> {
    const generation = ++this.generation;
    this.pendingOwn.clear();
    this.caughtUpAdded = 0;
    const { view, params } = this;
    const options: ClientOptions = {
      ...this.hooks.clientDefaults,
      host: params.host,
      port: params.port,
      room: view.room,
      username: view.username,
      password: params.password,
      mode: params.mode,
    };
    if (params.udpPort !== undefined) options.udpPort = params.udpPort;
    // A pin means TLS with exactly that certificate, whatever the defaults say (no plain fallback).
    if (params.fingerprint !== undefined)
      options.encryption = { ...options.encryption, fingerprint: params.fingerprint };
    if (params.mode === 'create' && params.encryptedOnly === true) options.encryptedOnly = true;
    const client = this.hooks.createClient(options);
    this.client = client;
    this.wire(client, generation);
    try {
      const info = await client.connect();
      if (generation !== this.generation)
        throw HandshakeError.transport('ABORTED', 'The connection attempt was replaced.');
      view.dialect = info.dialect;
      view.role = info.role;
      this.noteTransport(info);
      this.noteFirstUse(info);
      this.noteCatchUp(info);
      view.state = 'connected';
      view.attempt = null;
      view.closedReason = null;
      view.passwordProtected = params.password.length > 0;
      view.remembered = false;
      this.passwordKnown = true;
    } catch (err) {
      if (this.generation === generation) this.detach(false);
      throw err;
    }
  }

  /** A rejoin starts: one view update for 'connecting'. */
  beginRejoin(): void {
    this.view.state = 'connecting';
    this.view.closedReason = null;
    this.view.attempt = null;
    this.emitView();
  }

  send(text: string): { key: string } {
    const client = this.client;
    if (!client || this.view.state !== 'connected') {
      throw new ServiceError('NOT_CONNECTED', 'You are not connected to this room right now.');
    }
    if (text.length === 0) throw new ServiceError('BAD_ARGS', 'A message cannot be empty.');
    let id: number | null;
    try {
      id = client.send(text);
    } catch (err) {
      throw sendFailure(err);
    }
    const key = this.nextKey();
    if (id !== null) this.pendingOwn.set(id, key);
    this.addEntry({
      kind: 'chat',
      key,
      from: this.view.username,
      text,
      own: true,
      at: this.hooks.now(),
      seq: null,
      pending: id !== null,
    });
    return { key };
  }

  // host tools (#14 item 7)

  /** Host only: removes `name`; the room's "was removed by the host" line confirms it. */
  kick(name: string): void {
    const client = this.hostClient('remove a member');
    if (name === this.view.username) throw new ServiceError('BAD_ARGS', 'You cannot remove yourself.');
    try {
      client.kick(name);
    } catch {
      // The member left between the click and the confirmation: said in the user's words.
      throw new ServiceError('NO_SUCH_MEMBER', `${name} is no longer in this room.`);
    }
  }

  /** Host only: the password future joins need ('' clears it); resolves once the server has it. */
  async setPassword(password: string): Promise<void> {
    const client = this.hostClient('change the password');
    try {
      await client.setPassword(password);
    } catch (err) {
      throw new ServiceError('NOT_CONNECTED', `The password was not changed: ${(err as Error).message}.`);
    }
    // Hosting the room again later uses the password it has now.
    this.params.password = password;
    this.view.passwordProtected = password.length > 0;
    this.addSystem(
      password.length > 0 ? 'Password changed: new members need it.' : 'Password removed: anyone may join.',
      'info',
    );
    this.emitView();
  }

  /** Our user is typing: the client tells the room, throttled, where the server agreed to it. */
  typing(): void {
    if (this.view.state === 'connected') this.client?.typing();
  }

  private hostClient(action: string): ChatClient {
    const client = this.client;
    if (!client || this.view.state !== 'connected') {
      throw new ServiceError('NOT_CONNECTED', 'You are not connected to this room right now.');
    }
    if (this.view.role !== 'host') throw new ServiceError('FORBIDDEN', `Only the host can ${action}.`);
    if (this.view.dialect !== 'tincan') {
      throw new ServiceError('FORBIDDEN', `This server cannot ${action}: it speaks only the plain protocol.`);
    }
    return client;
  }

  /**
   * Leaves (or, as host, closes) the room with the current client. The client is detached first: its
   * own 'closed' event must not race our account of what happened.
   */
  async end(how: 'leave' | 'close'): Promise<void> {
    const client = this.client;
    this.detach(false);
    if (!client) return;
    try {
      await (how === 'close' ? client.closeRoom() : client.leave());
    } catch (err) {
      this.hooks.log.warn(how === 'close' ? 'close-room-failed' : 'leave-failed', { error: (err as Error).message });
    }
  }

  /** Drops the current client; with `leave`, tells the server first (best effort). */
  detach(leave: boolean): void {
    const client = this.client;
    this.client = null;
    this.generation++;
    if (!client) return;
    if (leave) client.leave().catch(() => {});
    // Let the client's own 'closed' emission finish before we drop its listeners.
    queueMicrotask(() => client.removeAllListeners());
  }

  /** The rejoin's connect failed: closed as 'failed', with the reason in the history. */
  failRejoin(message: string): void {
    this.view.state = 'closed';
    this.view.closedReason = 'failed';
    this.addSystem(`Could not rejoin: ${message}`, 'error');
    this.emitView();
  }

  markClosed(reason: ClosedReason, text?: string): void {
    this.view.state = 'closed';
    this.view.closedReason = reason;
    this.view.attempt = null;
    this.view.members = [];
    this.addSystem(text ?? CLOSED_TEXT[reason], reason === 'left' ? 'info' : 'warn');
    this.emitView();
  }

  addSystem(text: string, tone: SystemTone): void {
    this.addEntry({ kind: 'system', key: this.nextKey(), text, at: this.hooks.now(), tone });
  }

  emitView(): void {
    if (this.published) this.hooks.emitView(this.snapshot());
  }

  private nextKey(): string {
    return `${this.keyPrefix}-${++this.entryCounter}`;
  }

  private addEntry(entry: ChatEntry): void {
    this.history.push(entry);
    if (this.history.length > HISTORY_LIMIT) this.history.splice(0, this.history.length - HISTORY_LIMIT);
    if (!this.published) return;
    this.persist(entry);
    this.hooks.emitEntry(this.id, structuredClone(entry));
  }

  private persist(entry: ChatEntry): void {
    if (entry.kind === 'chat' && entry.pending) return;
    if (entry.kind === 'chat') this.noteShown(entry);
    this.hooks.persist?.(this, entry);
  }

  private noteShown(entry: { seq: number | null; from: string; text: string }): void {
    if (entry.seq !== null) this.shown.note(entry.seq, shownId(entry));
  }

  /** Feeds one client's events into the session, as long as it is the session's current client. */
  private wire(client: ChatClient, generation: number): void {
    const guard =
      <A extends unknown[]>(event: keyof ClientEvents, handler: (...args: A) => void) =>
      (...args: A) => {
        if (this.generation !== generation || this.client !== client) return;
        try {
          handler(...args);
        } catch (err) {
          this.hooks.log.error('client-event-failed', { event, error: (err as Error).message });
        }
      };
    const view = this.view;

    client.on(
      'connected',
      guard('connected', (info) => {
        // The first connect is reported by connect()'s caller; this is a reconnect.
        if (view.state !== 'reconnecting') return;
        view.state = 'connected';
        view.attempt = null;
        view.dialect = info.dialect;
        view.role = info.role;
        this.noteTransport(info);
        this.noteCatchUp(info);
        this.addSystem(info.resumed ? 'Reconnected.' : 'Reconnected (joined again).', 'info');
        this.emitView();
      }),
    );
    client.on(
      'state',
      guard('state', (state, detail) => {
        // 'connected' comes with the 'connected' event (it carries the dialect); 'closed' with 'closed'.
        if (state !== 'reconnecting') return;
        const first = view.state !== 'reconnecting';
        view.state = 'reconnecting';
        view.attempt = detail.attempt ?? (view.attempt ?? 0) + 1;
        if (first)
          this.addSystem(`Connection lost${detail.reason ? ` (${detail.reason})` : ''}. Reconnecting…`, 'warn');
        this.emitView();
      }),
    );
    client.on(
      'message',
      guard('message', (msg) => {
        if (msg.own) return; // our own lines are added when sent
        if (msg.earlier && msg.seq !== null && this.shown.has(msg.seq, shownId(msg))) return;
        if (msg.earlier) this.caughtUpAdded++;
        this.addEntry({
          kind: 'chat',
          key: this.nextKey(),
          from: msg.from,
          text: msg.text,
          own: false,
          at: msg.at,
          seq: msg.seq,
          pending: false,
          ...(msg.earlier ? { earlier: true } : {}),
        });
      }),
    );
    client.on(
      'notice',
      guard('notice', (text) => this.addSystem(text, 'info')),
    );
    // Catch-up: the room's earlier lines came as messages marked `earlier`, with their own times;
    // say where they end, as the CLI does, counting only the lines the history did not have yet.
    client.on(
      'caughtUp',
      guard('caughtUp', () => {
        const count = this.caughtUpAdded;
        this.caughtUpAdded = 0;
        if (count > 0)
          this.addSystem(`${count} earlier ${count === 1 ? 'message' : 'messages'} from before you joined.`, 'info');
      }),
    );
    // The member list is the client's: its 'members' event follows every change, so joins and
    // leaves only add their history line here and the list is reported once, with 'members'.
    client.on(
      'members',
      guard('members', (members) => {
        view.members = members.map((m) =>
          m.plain === undefined ? { name: m.name, host: m.host } : { name: m.name, host: m.host, plain: m.plain },
        );
        this.emitView();
      }),
    );
    client.on(
      'joined',
      guard('joined', (member) => {
        // Names sit in our own sentence here, outside the UI's <bdi>: visibleName for spec servers.
        if (member.name !== view.username) this.addSystem(`${visibleName(member.name)} joined the room.`, 'info');
      }),
    );
    client.on(
      'left',
      guard('left', (info) => {
        if (info.reason === 'timed-out') this.addSystem(`${visibleName(info.name)} timed out.`, 'warn');
        else if (info.reason === 'removed')
          this.addSystem(`${visibleName(info.name)} was removed by the host.`, 'info');
        else this.addSystem(`${visibleName(info.name)} left the room.`, 'info');
      }),
    );
    client.on(
      'reconnected',
      guard('reconnected', ({ name }) => this.addSystem(`${visibleName(name)} reconnected.`, 'info')),
    );
    client.on(
      'typing',
      guard('typing', ({ name }) => this.hooks.emitTyping(this.id, name)),
    );
    client.on(
      'delivered',
      guard('delivered', (info) => {
        const key = this.pendingOwn.get(info.id);
        if (key === undefined) return;
        this.pendingOwn.delete(info.id);
        const entry = this.history.find((e) => e.key === key);
        if (entry?.kind !== 'chat') return;
        entry.pending = false;
        entry.seq = info.seq;
        if (!this.published) return;
        this.persist(entry);
        this.hooks.emitEntry(this.id, structuredClone(entry));
      }),
    );
    client.on(
      'closed',
      guard('closed', (info) => {
        this.detach(false);
        this.markClosed(info.reason);
        this.hooks.onServerClosed(this);
      }),
    );
    client.on(
      'error',
      guard('error', (err) => {
        this.hooks.log.warn('room-error', { room: view.room, error: err.message });
        if (view.state === 'connected') this.addSystem(capitalize(err.message), 'error');
      }),
    );
  }
}

/** A chat line's identity next to its room seq: who said it and what. */
function shownId(line: { from: string; text: string }): string {
  return `${line.from}\n${line.text}`;
}
