// The chat service: every room the user is in (hosted or joined), the embedded server that hosts our
// rooms, and the history of the session. Pure Node — the Electron IPC handlers and the web-mode
// WebSocket both call exactly this class, and it reports through the contract's event map.
import { networkInterfaces } from 'node:os';
import { AddressError, DEFAULT_PORT, formatHostAddress, parseHostAddress } from '../../src-shared/address.js';
import type {
  ChatEntry,
  ClosedReason,
  EventName,
  Events,
  HostRequest,
  JoinRequest,
  MemberView,
  NetInterfaceChoice,
  RoomId,
  RoomView,
  SystemTone,
} from '../../src-shared/ipc/contract.js';
import {
  HandshakeError,
  type ChatClient,
  type ChatServer,
  type ClientEvents,
  type ClientOptions,
} from '../engine/index.js';
import type { ChatFactories, ListenInfo } from './factories.js';
import type { Logger } from './logger.js';
import { interfaceChoices, inviteText, loopbackFor, shareAddresses, type InterfaceTable } from './net-addresses.js';
import { ServiceError } from './service-error.js';
import { capitalize, connectFailure, listenFailure, sendFailure } from './error-mapping.js';
import { checkNames } from './name-checks.js';

/** Bounded history per room: old lines fall off, memory stays flat in a long session. */
export const HISTORY_LIMIT = 2000;

export interface ChatServiceOptions {
  factories: ChatFactories;
  logger?: Logger;
  /** Extra client options (tests shorten timeouts with these). */
  clientDefaults?: Partial<ClientOptions>;
  /** Called after each successful host/join, e.g. to remember recents. */
  onJoined?: (info: { displayName: string; host: string | null; room: string }) => void;
  interfaces?: () => InterfaceTable;
  now?: () => number;
}

interface ConnectParams {
  host: string;
  port: number;
  udpPort?: number;
  password: string;
  mode: 'create' | 'join';
}

interface Session {
  view: RoomView;
  history: ChatEntry[];
  client: ChatClient | null;
  params: ConnectParams;
  /** For hosted rooms: where the embedded server should listen on a re-host. */
  hostBind: { bindHost: string; port: number } | null;
  entryCounter: number;
  /** Bumped for each new client, so late events of an old client are ignored. */
  generation: number;
  /** Client message id → history key of the own entry waiting for its ACK. */
  pendingOwn: Map<number, string>;
}

interface RunningServer {
  server: ChatServer;
  bindHost: string;
  info: ListenInfo;
}

const NOOP_LOGGER: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const CLOSED_TEXT: Record<ClosedReason, string> = {
  'by-host': 'The host closed the room.',
  'host-left': 'The room closed: the host left.',
  'host-timed-out': 'The room closed: the host timed out.',
  'server-shutdown': 'The room closed: the server shut down.',
  left: 'You left the room.',
  'gave-up': 'The host is gone: could not reconnect.',
  kicked: 'You were removed from the room.',
  failed: 'Could not rejoin the room.',
};

export class ChatService {
  private readonly sessions = new Map<RoomId, Session>();
  private readonly listeners = new Map<EventName, Set<(payload: never) => void>>();
  private server: RunningServer | null = null;
  private serverStarting: Promise<RunningServer> | null = null;
  private nextId = 1;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly interfaces: () => InterfaceTable;
  private shuttingDown = false;

  constructor(private readonly options: ChatServiceOptions) {
    this.log = options.logger ?? NOOP_LOGGER;
    this.now = options.now ?? Date.now;
    this.interfaces = options.interfaces ?? networkInterfaces;
  }

  // ---- events -------------------------------------------------------------------------------------

  on<K extends EventName>(event: K, listener: (payload: Events[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  private emit<K extends EventName>(event: K, payload: Events[K]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        (listener as (p: Events[K]) => void)(payload);
      } catch (err) {
        this.log.error('listener-failed', { event, error: (err as Error).message });
      }
    }
  }

  // ---- queries ------------------------------------------------------------------------------------

  listRooms(): RoomView[] {
    return [...this.sessions.values()].map((s) => structuredClone(s.view));
  }

  getHistory(roomId: RoomId): ChatEntry[] {
    return structuredClone(this.session(roomId).history);
  }

  listInterfaces(): NetInterfaceChoice[] {
    return interfaceChoices(this.interfaces());
  }

  /** The port the embedded server listens on, or null when it is not running. */
  serverInfo(): ListenInfo | null {
    return this.server ? { ...this.server.info } : null;
  }

  // ---- host / join --------------------------------------------------------------------------------

  async hostRoom(req: HostRequest): Promise<RoomView> {
    checkNames(req.room, req.username, req.password);
    const running = await this.ensureServer(req.bindHost || '0.0.0.0', req.port);
    const session = this.newSession({
      room: req.room,
      username: req.username,
      server: 'This computer',
      hosted: true,
      role: 'host',
      passwordProtected: req.password.length > 0,
      params: {
        host: loopbackFor(running.bindHost),
        port: running.info.tcpPort,
        udpPort: running.info.udpPort,
        password: req.password,
        mode: 'create',
      },
    });
    session.hostBind = { bindHost: running.bindHost, port: running.info.tcpPort };
    session.view.share = this.shareInfo(session);
    try {
      await this.connect(session);
    } catch (err) {
      await this.stopServerIfIdle();
      throw connectFailure(err);
    }
    this.publish(session, `You are hosting "${req.room}" as ${req.username}.`);
    this.options.onJoined?.({ displayName: req.username, host: null, room: req.room });
    return structuredClone(session.view);
  }

  async joinRoom(req: JoinRequest): Promise<RoomView> {
    checkNames(req.room, req.username, req.password);
    let address;
    try {
      address = parseHostAddress(req.address, DEFAULT_PORT);
    } catch (err) {
      if (err instanceof AddressError) throw new ServiceError('BAD_ADDRESS', capitalize(err.message));
      throw err;
    }
    const server = formatHostAddress(address);
    const existing = [...this.sessions.values()].find(
      (s) => !s.view.hosted && s.view.server === server && s.view.room === req.room,
    );
    if (existing && existing.view.state !== 'closed') {
      throw new ServiceError('ALREADY_IN_ROOM', `You are already in "${req.room}" on ${server}.`);
    }
    if (existing) {
      // Joining a room we left earlier reuses its sidebar entry and history.
      existing.view.username = req.username;
      existing.params.password = req.password;
      return this.rejoinRoom(existing.view.id, req.password);
    }
    const session = this.newSession({
      room: req.room,
      username: req.username,
      server,
      hosted: false,
      role: 'member',
      passwordProtected: req.password.length > 0,
      params: { host: address.host, port: address.port, password: req.password, mode: 'join' },
    });
    try {
      await this.connect(session);
    } catch (err) {
      throw connectFailure(err);
    }
    this.publish(session, `You joined "${req.room}" on ${server} as ${req.username}.`);
    this.options.onJoined?.({ displayName: req.username, host: req.address.trim(), room: req.room });
    return structuredClone(session.view);
  }

  async rejoinRoom(roomId: RoomId, password?: string): Promise<RoomView> {
    const session = this.session(roomId);
    if (session.view.state === 'connected' || session.view.state === 'connecting') {
      throw new ServiceError('ALREADY_IN_ROOM', `You are already in "${session.view.room}".`);
    }
    if (password !== undefined) session.params.password = password;
    this.detachClient(session, true);
    if (session.hostBind) {
      const { bindHost, port } = session.hostBind;
      const running = await this.ensureServer(bindHost, port).catch(() =>
        // The old port may be taken by now; any free port beats not hosting at all.
        this.ensureServer(bindHost, 0),
      );
      session.params.host = loopbackFor(running.bindHost);
      session.params.port = running.info.tcpPort;
      session.params.udpPort = running.info.udpPort;
      session.hostBind = { bindHost: running.bindHost, port: running.info.tcpPort };
      session.view.share = this.shareInfo(session);
    }
    session.view.state = 'connecting';
    session.view.closedReason = null;
    session.view.attempt = null;
    this.emitView(session);
    try {
      await this.connect(session);
    } catch (err) {
      const error = connectFailure(err);
      session.view.state = 'closed';
      session.view.closedReason = 'failed';
      this.addSystem(session, `Could not rejoin: ${error.message}`, 'error');
      this.emitView(session);
      if (session.view.hosted) await this.stopServerIfIdle();
      throw error;
    }
    session.view.passwordProtected = session.params.password.length > 0;
    this.addSystem(session, session.view.hosted ? 'You are hosting the room again.' : 'You rejoined the room.', 'info');
    this.emitView(session);
    return structuredClone(session.view);
  }

  // ---- in a room ----------------------------------------------------------------------------------

  sendMessage(roomId: RoomId, text: string): { key: string } {
    const session = this.session(roomId);
    const client = session.client;
    if (!client || session.view.state !== 'connected') {
      throw new ServiceError('NOT_CONNECTED', 'You are not connected to this room right now.');
    }
    if (text.length === 0) throw new ServiceError('BAD_ARGS', 'A message cannot be empty.');
    let id: number | null;
    try {
      id = client.send(text);
    } catch (err) {
      throw sendFailure(err);
    }
    const key = this.nextKey(session);
    const pending = id !== null;
    if (id !== null) session.pendingOwn.set(id, key);
    this.addEntry(session, {
      kind: 'chat',
      key,
      from: session.view.username,
      text,
      own: true,
      at: this.now(),
      seq: null,
      pending,
    });
    return { key };
  }

  async leaveRoom(roomId: RoomId): Promise<void> {
    const session = this.session(roomId);
    if (session.view.hosted) {
      await this.closeRoom(roomId);
      return;
    }
    const client = session.client;
    // Detach first: the client's own 'closed' event must not race our account of what happened.
    this.detachClient(session, false);
    if (client) {
      try {
        await client.leave();
      } catch (err) {
        this.log.warn('leave-failed', { error: (err as Error).message });
      }
    }
    if (session.view.state !== 'closed') this.markClosed(session, 'left');
  }

  async closeRoom(roomId: RoomId): Promise<void> {
    const session = this.session(roomId);
    if (!session.view.hosted && session.view.role !== 'host') {
      throw new ServiceError('FORBIDDEN', 'Only the host can close the room.');
    }
    const client = session.client;
    this.detachClient(session, false);
    if (client) {
      try {
        await client.closeRoom();
      } catch (err) {
        this.log.warn('close-room-failed', { error: (err as Error).message });
      }
    }
    if (session.view.state !== 'closed') this.markClosed(session, 'by-host', 'You closed the room.');
    // Let our server relay "closed by the host" to the members before it may stop (else they would
    // hear "server shutting down" and keep trying to reconnect).
    if (session.view.hosted) await this.waitRoomGone(session.view.room, 1000);
    await this.stopServerIfIdle();
  }

  async dismissRoom(roomId: RoomId): Promise<void> {
    const session = this.session(roomId);
    if (session.view.state !== 'closed') await this.leaveRoom(roomId);
    this.sessions.delete(roomId);
    this.emit('roomRemoved', { roomId });
  }

  /** Leaves every room, closes hosted ones and stops the embedded server. Bounded by `timeoutMs`. */
  async shutdown(timeoutMs = 3000): Promise<void> {
    this.shuttingDown = true;
    const work = (async () => {
      await Promise.allSettled(
        [...this.sessions.values()]
          .filter((s) => s.view.state !== 'closed')
          .map((s) => (s.view.hosted ? this.closeRoom(s.view.id) : this.leaveRoom(s.view.id))),
      );
      await this.stopServer();
    })();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    for (const session of this.sessions.values()) this.detachClient(session, false);
  }

  // ---- internals ----------------------------------------------------------------------------------

  private session(roomId: RoomId): Session {
    const session = this.sessions.get(roomId);
    if (!session) throw new ServiceError('NO_SUCH_SESSION', 'That room is no longer open in this app.');
    return session;
  }

  private newSession(init: {
    room: string;
    username: string;
    server: string;
    hosted: boolean;
    role: 'host' | 'member';
    passwordProtected: boolean;
    params: ConnectParams;
  }): Session {
    const id = `r${this.nextId++}`;
    return {
      view: {
        id,
        room: init.room,
        server: init.server,
        username: init.username,
        role: init.role,
        hosted: init.hosted,
        passwordProtected: init.passwordProtected,
        state: 'connecting',
        attempt: null,
        closedReason: null,
        dialect: null,
        members: [],
        share: null,
      },
      history: [],
      client: null,
      params: init.params,
      hostBind: null,
      entryCounter: 0,
      generation: 0,
      pendingOwn: new Map(),
    };
  }

  /** Makes a new session visible: the view, then every line gathered while connecting. */
  private publish(session: Session, greeting: string): void {
    this.sessions.set(session.view.id, session);
    this.addSystem(session, greeting, 'info');
    this.emitView(session);
    for (const entry of session.history)
      this.emit('roomMessage', { roomId: session.view.id, entry: structuredClone(entry) });
  }

  private shareInfo(session: Session): RoomView['share'] {
    if (!session.hostBind) return null;
    const addresses = shareAddresses(session.hostBind.bindHost, session.hostBind.port, this.interfaces());
    return {
      port: session.hostBind.port,
      addresses,
      invite: inviteText(session.view.room, addresses, session.params.password.length > 0),
    };
  }

  private async connect(session: Session): Promise<void> {
    const generation = ++session.generation;
    session.pendingOwn.clear();
    const { view, params } = session;
    const clientOptions: ClientOptions = {
      ...this.options.clientDefaults,
      host: params.host,
      port: params.port,
      room: view.room,
      username: view.username,
      password: params.password,
      mode: params.mode,
    };
    if (params.udpPort !== undefined) clientOptions.udpPort = params.udpPort;
    const client = this.options.factories.createClient(clientOptions);
    session.client = client;
    this.wire(session, client, generation);
    try {
      const info = await client.connect();
      if (generation !== session.generation)
        throw HandshakeError.transport('ABORTED', 'The connection attempt was replaced.');
      view.dialect = info.dialect;
      view.role = info.role;
      view.state = 'connected';
      view.attempt = null;
      view.closedReason = null;
    } catch (err) {
      if (session.generation === generation) this.detachClient(session, false);
      throw err;
    }
  }

  /** Feeds one client's events into the session, as long as it is the session's current client. */
  private wire(session: Session, client: ChatClient, generation: number): void {
    const live = () => session.generation === generation && session.client === client;
    const guard =
      <A extends unknown[]>(event: keyof ClientEvents, handler: (...args: A) => void) =>
      (...args: A) => {
        if (!live()) return;
        try {
          handler(...args);
        } catch (err) {
          this.log.error('client-event-failed', { event, error: (err as Error).message });
        }
      };
    client.on(
      'connected',
      guard('connected', (info) => {
        const wasReconnecting = session.view.state === 'reconnecting';
        session.view.state = 'connected';
        session.view.attempt = null;
        session.view.dialect = info.dialect;
        session.view.role = info.role;
        if (wasReconnecting)
          this.addSystem(session, info.resumed ? 'Reconnected.' : 'Reconnected (joined again).', 'info');
        this.emitView(session);
      }),
    );
    client.on(
      'state',
      guard('state', (state, detail) => {
        if (state === 'reconnecting') {
          const first = session.view.state !== 'reconnecting';
          session.view.state = 'reconnecting';
          session.view.attempt = detail.attempt ?? (session.view.attempt ?? 0) + 1;
          if (first)
            this.addSystem(
              session,
              `Connection lost${detail.reason ? ` (${detail.reason})` : ''}. Reconnecting…`,
              'warn',
            );
          this.emitView(session);
        }
        // 'connected' is handled by the 'connected' event (it carries the dialect); 'closed' by 'closed'.
      }),
    );
    client.on(
      'message',
      guard('message', (msg) => {
        if (msg.own) return; // our own lines are added when sent
        this.addEntry(session, {
          kind: 'chat',
          key: this.nextKey(session),
          from: msg.from,
          text: msg.text,
          own: false,
          at: msg.at,
          seq: msg.seq,
          pending: false,
        });
      }),
    );
    client.on(
      'notice',
      guard('notice', (text) => this.addSystem(session, text, 'info')),
    );
    client.on(
      'members',
      guard('members', (members) => {
        session.view.members = members.map((m) => ({ name: m.name, host: m.host }));
        this.emitView(session);
      }),
    );
    client.on(
      'joined',
      guard('joined', (member) => {
        const members = session.view.members.filter((m) => m.name !== member.name);
        members.push({ name: member.name, host: member.host });
        session.view.members = members;
        if (member.name !== session.view.username) this.addSystem(session, `${member.name} joined the room.`, 'info');
        this.emitView(session);
      }),
    );
    client.on(
      'left',
      guard('left', (info) => {
        if (info.reason === 'reconnected') {
          this.addSystem(session, `${info.name} reconnected.`, 'info');
          return;
        }
        session.view.members = session.view.members.filter((m: MemberView) => m.name !== info.name);
        this.addSystem(
          session,
          info.reason === 'timed-out' ? `${info.name} timed out.` : `${info.name} left the room.`,
          info.reason === 'timed-out' ? 'warn' : 'info',
        );
        this.emitView(session);
      }),
    );
    client.on(
      'delivered',
      guard('delivered', (info) => {
        const key = session.pendingOwn.get(info.id);
        if (key === undefined) return;
        session.pendingOwn.delete(info.id);
        const entry = session.history.find((e) => e.key === key);
        if (entry && entry.kind === 'chat') {
          entry.pending = false;
          entry.seq = info.seq;
          this.emit('roomMessage', { roomId: session.view.id, entry: structuredClone(entry) });
        }
      }),
    );
    client.on(
      'closed',
      guard('closed', (info) => {
        this.detachClient(session, false);
        this.markClosed(session, info.reason);
        if (session.view.hosted) void this.stopServerIfIdle();
      }),
    );
    client.on(
      'error',
      guard('error', (err) => {
        this.log.warn('room-error', { room: session.view.room, error: err.message });
        if (session.view.state === 'connected') this.addSystem(session, capitalize(err.message), 'error');
      }),
    );
  }

  private detachClient(session: Session, leave: boolean): void {
    const client = session.client;
    session.client = null;
    session.generation++;
    if (!client) return;
    if (leave) {
      try {
        void Promise.resolve(client.leave()).catch(() => {});
      } catch {
        // already closed: nothing to leave
      }
    }
    // Let the client's own 'closed' emission finish before we drop its listeners.
    queueMicrotask(() => client.removeAllListeners());
  }

  private markClosed(session: Session, reason: ClosedReason, text?: string): void {
    session.view.state = 'closed';
    session.view.closedReason = reason;
    session.view.attempt = null;
    session.view.members = [];
    this.addSystem(session, text ?? CLOSED_TEXT[reason], reason === 'left' ? 'info' : 'warn');
    this.emitView(session);
  }

  private nextKey(session: Session): string {
    return `${session.view.id}-${++session.entryCounter}`;
  }

  private addSystem(session: Session, text: string, tone: SystemTone): void {
    this.addEntry(session, { kind: 'system', key: this.nextKey(session), text, at: this.now(), tone });
  }

  private addEntry(session: Session, entry: ChatEntry): void {
    session.history.push(entry);
    if (session.history.length > HISTORY_LIMIT) session.history.splice(0, session.history.length - HISTORY_LIMIT);
    if (this.sessions.get(session.view.id) === session)
      this.emit('roomMessage', { roomId: session.view.id, entry: structuredClone(entry) });
  }

  private emitView(session: Session): void {
    if (this.sessions.get(session.view.id) === session) this.emit('roomUpdated', structuredClone(session.view));
  }

  private async ensureServer(bindHost: string, port: number): Promise<RunningServer> {
    if (this.shuttingDown) throw new ServiceError('INTERNAL', 'The app is shutting down.');
    if (this.serverStarting) await this.serverStarting.catch(() => {});
    const running = this.server;
    if (running) {
      if ((port !== 0 && port !== running.info.tcpPort) || bindHost !== running.bindHost) {
        throw new ServiceError(
          'SERVER_RUNNING',
          `This app already hosts rooms on ${formatHostAddress({ host: running.bindHost, port: running.info.tcpPort })}. One server hosts all your rooms: use port ${running.info.tcpPort} and the same interface.`,
        );
      }
      return running;
    }
    const server = this.options.factories.createServer({ host: bindHost, port, logger: this.log });
    this.serverStarting = (async () => {
      try {
        const info = await server.listen();
        const started = { server, bindHost, info };
        this.server = started;
        this.log.info('server-listening', { host: bindHost, tcpPort: info.tcpPort, udpPort: info.udpPort });
        return started;
      } catch (err) {
        await Promise.resolve(server.close()).catch(() => {});
        throw listenFailure(err);
      }
    })();
    try {
      return await this.serverStarting;
    } finally {
      this.serverStarting = null;
    }
  }

  private async waitRoomGone(room: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.server && this.server.server.roomList().some((r) => r.name === room) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Closing the last hosted room stops the embedded server. */
  private async stopServerIfIdle(): Promise<void> {
    const hostedOpen = [...this.sessions.values()].some((s) => s.view.hosted && s.client !== null);
    if (!hostedOpen) await this.stopServer();
  }

  private async stopServer(): Promise<void> {
    const running = this.server;
    this.server = null;
    if (!running) return;
    try {
      await running.server.close();
      this.log.info('server-stopped');
    } catch (err) {
      this.log.warn('server-stop-failed', { error: (err as Error).message });
    }
  }
}
