// The chat service: the registry of every room the user is in (hosted or joined) and the composition
// of the parts that do the work: RoomSession (one room), HostedServer (the embedded server), the name
// checks and the error mapping. Pure Node — the Electron IPC handlers and the web-mode WebSocket both
// call exactly this class, and it reports through the contract's event map.
import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { AddressError, DEFAULT_PORT, formatHostAddress, parseHostAddress } from '../../src-shared/address.js';
import type {
  ChatEntry,
  EventName,
  Events,
  HostRequest,
  JoinRequest,
  KnownHostTransport,
  NearbyState,
  NetInterfaceChoice,
  RoomId,
  RoomView,
} from '../../src-shared/ipc/contract.js';
import { hostKeyOf, PLAIN_ENTRY, type ClientOptions, type HostIdentity } from '../engine/index.js';
import { capitalize, connectFailure } from './error-mapping.js';
import type { ChatFactories, ListenInfo } from './factories.js';
import { HostedPortMapping, type PortMapperTuning } from './hosted-port-mapping.js';
import type { HistoryStore } from './history/history-store.js';
import { HostedServer } from './hosted-server.js';
import { NearbyRooms, type OpenDiscovery } from './nearby-rooms.js';
import type { Logger } from './logger.js';
import { checkHostBind } from './host-checks.js';
import { checkNames } from './name-checks.js';
import { interfaceChoices, inviteText, loopbackFor, shareAddresses, type InterfaceTable } from './net-addresses.js';
import type { RememberedRoom, RememberedRooms } from './remembered-rooms.js';
import { RoomSession, type SessionHooks, type SessionInit } from './room-session.js';
import type { SecretStore } from './secret-store.js';
import { ServiceError } from './service-error.js';

export { HISTORY_LIMIT } from '../../src-shared/ipc/history-limit.js';

export interface ChatServiceOptions {
  factories: ChatFactories;
  logger?: Logger;
  /** Extra client options (tests shorten timeouts with these). */
  clientDefaults?: Partial<ClientOptions>;
  // encrypted transport (#16)
  /** The embedded server's identity (TLS); absent: it speaks TCRP only. */
  hostIdentity?: () => Promise<HostIdentity>;
  /** Called after each successful host/join, e.g. to remember recents. */
  onJoined?: (info: { displayName: string; host: string | null; room: string }) => void;
  interfaces?: () => InterfaceTable;
  now?: () => number;
  /** Port-mapper settings (tests: the gateway to ask, shorter waits). */
  portMapper?: PortMapperTuning;
  /** The "STUN server for the reachability check" preference, read each time a mapping starts ('' = off). */
  stunServer?: () => string;
  /** Opens the local-network advertiser and browser; absent: nearby rooms are off. */
  openDiscovery?: OpenDiscovery;
  /** History on disk and remembered rooms (#14 item 2); without it nothing outlives the service. */
  persistence?: ServicePersistence;
}

export interface ServicePersistence {
  history: HistoryStore;
  rooms: RememberedRooms;
  secrets: SecretStore;
  /** The user's preference, read at each use so turning it off applies at once. */
  keepHistory(): boolean;
}

/** How many entries a remembered room shows at first; older pages come with getOlderHistory. */
export const FIRST_PAGE = 200;

const NOOP_LOGGER: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** How long closing a hosted room waits for our server to relay "closed by the host". */
const ROOM_GONE_TIMEOUT_MS = 1000;

export class ChatService {
  private readonly sessions = new Map<RoomId, RoomSession>();
  private readonly listeners = new Map<EventName, Set<(payload: never) => void>>();
  private readonly server: HostedServer;
  private readonly mapping: HostedPortMapping;
  private readonly hooks: SessionHooks;
  private readonly log: Logger;
  private readonly interfaces: () => InterfaceTable;
  private readonly nearby: NearbyRooms;
  private nextId = 1;
  /** encrypted transport (#16): host key → the certificate its last CERTIFICATE_CHANGED presented. */
  private readonly certificateChanges = new Map<string, string>();
  /** Entry keys are kept on disk: this run's keys must not repeat an earlier run's. */
  private readonly runTag = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

  constructor(private readonly options: ChatServiceOptions) {
    this.log = options.logger ?? NOOP_LOGGER;
    this.interfaces = options.interfaces ?? networkInterfaces;
    this.server = new HostedServer(options.factories, this.log, options.hostIdentity);
    this.mapping = new HostedPortMapping(
      () => this.refreshShares(),
      this.log,
      options.portMapper,
      options.stunServer ?? (() => ''),
    );
    this.nearby = new NearbyRooms(
      options.openDiscovery ?? null,
      (state) => this.emit('nearbyUpdated', state),
      this.log,
    );
    this.hooks = {
      createClient: (clientOptions) => options.factories.createClient(clientOptions),
      log: this.log,
      now: options.now ?? Date.now,
      emitView: (view) => {
        this.nearby.viewChanged(view, this.sessions.get(view.id)?.hostBind?.bindHost ?? null);
        this.emit('roomUpdated', view);
      },
      emitEntry: (roomId, entry) => this.emit('roomMessage', { roomId, entry }),
      emitTyping: (roomId, name) => this.emit('roomTyping', { roomId, name }),
      onServerClosed: (session) => {
        if (session.view.hosted) void this.stopServerIfIdle();
      },
      persist: (session, entry) => this.persistEntry(session, entry),
    };
    if (options.clientDefaults) this.hooks.clientDefaults = options.clientDefaults;
    this.restoreRemembered();
  }

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

  listRooms(): RoomView[] {
    return [...this.sessions.values()].map((s) => s.snapshot());
  }

  getHistory(roomId: RoomId): ChatEntry[] {
    return this.session(roomId).entries();
  }

  /** The page of kept history just older than `before` (the oldest entry the UI has). */
  getOlderHistory(roomId: RoomId, before: string, limit: number): ChatEntry[] {
    const session = this.session(roomId);
    const persistence = this.options.persistence;
    if (!persistence?.keepHistory()) return [];
    return persistence.history.room(session.historyKey).before(before, limit);
  }

  clearHistory(roomId: RoomId): void {
    const session = this.session(roomId);
    session.clearHistory();
    this.options.persistence?.history.room(session.historyKey).clear();
  }

  listInterfaces(): NetInterfaceChoice[] {
    return interfaceChoices(this.interfaces());
  }

  /** The port the embedded server listens on, or null when it is not running. */
  serverInfo(): ListenInfo | null {
    return this.server.info;
  }

  async hostRoom(req: HostRequest): Promise<RoomView> {
    checkNames(req.room, req.username, req.password);
    checkHostBind(req, this.listInterfaces());
    const existing = [...this.sessions.values()].find((s) => s.view.hosted && s.view.room === req.room);
    if (existing && existing.view.state === 'closed') {
      // Hosting a room we hosted before (in this run or a remembered one) keeps its entry and history.
      existing.view.username = req.username;
      existing.hostBind = { bindHost: req.bindHost, port: req.port, upnp: req.upnp === true };
      existing.params.encryptedOnly = req.encryptedOnly === true;
      return this.rejoinRoom(existing.id, req.password);
    }
    const running = await this.server.ensure(req.bindHost, req.port);
    const session = this.newSession({
      room: req.room,
      username: req.username,
      server: 'This computer',
      hosted: true,
      params: { host: '', port: 0, password: req.password, mode: 'create', encryptedOnly: req.encryptedOnly === true },
    });
    this.hostOn(session, running.bindHost, running.info, req.upnp === true);
    try {
      await session.connect();
    } catch (err) {
      await this.stopServerIfIdle();
      throw connectFailure(err);
    }
    this.sessions.set(session.id, session);
    // The router (or the STUN server) may have answered while we connected, before refreshShares
    // could see this session: take its answer now, or the panel would say "Asking…" for good.
    this.share(session);
    session.publish(`You are hosting "${req.room}" as ${req.username}.`);
    this.saveRooms();
    this.options.onJoined?.({ displayName: req.username, host: null, room: req.room });
    return session.snapshot();
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
      existing.params.fingerprint = req.fingerprint;
      return this.rejoinRoom(existing.id, req.password);
    }
    const session = this.newSession({
      room: req.room,
      username: req.username,
      server,
      hosted: false,
      params: {
        host: address.host,
        port: address.port,
        password: req.password,
        mode: 'join',
        ...(req.fingerprint !== undefined ? { fingerprint: req.fingerprint } : {}),
      },
    });
    try {
      await session.connect();
    } catch (err) {
      throw this.joinFailure(err);
    }
    this.sessions.set(session.id, session);
    session.publish(`You joined "${req.room}" on ${server} as ${req.username}.`);
    this.saveRooms();
    this.options.onJoined?.({ displayName: req.username, host: req.address.trim(), room: req.room });
    return session.snapshot();
  }

  async rejoinRoom(roomId: RoomId, password?: string): Promise<RoomView> {
    const session = this.session(roomId);
    if (session.view.state === 'connected' || session.view.state === 'connecting') {
      throw new ServiceError('ALREADY_IN_ROOM', `You are already in "${session.view.room}".`);
    }
    if (password === undefined && !session.passwordKnown) {
      // A remembered room whose password could not be kept: never host or join it without one.
      throw ServiceError.foreign('PASSWORD_REQUIRED', `Enter the password of "${session.view.room}" again.`);
    }
    if (password !== undefined) session.params.password = password;
    session.detach(true);
    if (session.hostBind) {
      const { bindHost, port, upnp } = session.hostBind;
      const running = await this.server.ensure(bindHost, port).catch(() =>
        // The old port may be taken by now; any free port beats not hosting at all.
        this.server.ensure(bindHost, 0),
      );
      this.hostOn(session, running.bindHost, running.info, upnp);
    }
    session.beginRejoin();
    try {
      await session.connect();
    } catch (err) {
      const error = this.joinFailure(err);
      session.failRejoin(error.message);
      if (session.view.hosted) await this.stopServerIfIdle();
      throw error;
    }
    session.addSystem(session.view.hosted ? 'You are hosting the room again.' : 'You rejoined the room.', 'info');
    session.emitView();
    this.saveRooms();
    return session.snapshot();
  }

  // encrypted transport (#16)

  /** The user trusts the certificate the host's last CERTIFICATE_CHANGED presented; anything else is refused. */
  trustHostCertificate(host: string, port: number, fingerprint: string): void {
    const hostKey = hostKeyOf(host, port);
    const knownHosts = this.hooks.clientDefaults?.encryption?.knownHosts;
    if (!knownHosts || this.certificateChanges.get(hostKey) !== fingerprint) {
      throw new ServiceError(
        'FORBIDDEN',
        `${hostKey} has not presented that certificate. Join again to see what it presents.`,
      );
    }
    knownHosts.remember(hostKey, fingerprint);
    this.certificateChanges.delete(hostKey);
    this.log.info('host-certificate-trusted', { host: hostKey, fingerprint });
  }

  /** What known hosts say about `address` (as typed in the Join form); 'unknown' also for an address that does not parse. */
  knownHostTransport(address: string): KnownHostTransport {
    let parsed;
    try {
      parsed = parseHostAddress(address, DEFAULT_PORT);
    } catch (err) {
      if (err instanceof AddressError) return 'unknown';
      throw err;
    }
    const entry = this.hooks.clientDefaults?.encryption?.knownHosts?.get(hostKeyOf(parsed.host, parsed.port));
    return entry === undefined ? 'unknown' : entry === PLAIN_ENTRY ? 'plain' : 'encrypted';
  }

  /** connectFailure, remembering a changed certificate so the user may choose to trust exactly that one. */
  private joinFailure(err: unknown): ServiceError {
    const error = connectFailure(err);
    const change = error.certificateChange;
    if (change) this.certificateChanges.set(hostKeyOf(change.host, change.port), change.presented);
    return error;
  }

  sendMessage(roomId: RoomId, text: string): { key: string } {
    return this.session(roomId).send(text);
  }

  // host tools (#14 item 7)

  kickMember(roomId: RoomId, name: string): void {
    this.session(roomId).kick(name);
  }

  async setRoomPassword(roomId: RoomId, password: string): Promise<void> {
    await this.session(roomId).setPassword(password);
  }

  notifyTyping(roomId: RoomId): void {
    this.session(roomId).typing();
  }

  async leaveRoom(roomId: RoomId): Promise<void> {
    const session = this.session(roomId);
    if (session.view.hosted) return this.closeRoom(roomId);
    await session.end('leave');
    if (session.view.state !== 'closed') session.markClosed('left');
  }

  async closeRoom(roomId: RoomId): Promise<void> {
    const session = this.session(roomId);
    if (!session.view.hosted && session.view.role !== 'host') {
      throw new ServiceError('FORBIDDEN', 'Only the host can close the room.');
    }
    await session.end('close');
    if (session.view.state !== 'closed') session.markClosed('by-host', 'You closed the room.');
    // Let our server relay "closed by the host" to the members before it may stop (else they would
    // hear "server shutting down" and keep trying to reconnect).
    if (session.view.hosted) await this.server.waitRoomGone(session.view.room, ROOM_GONE_TIMEOUT_MS);
    await this.stopServerIfIdle();
  }

  async dismissRoom(roomId: RoomId): Promise<void> {
    const session = this.session(roomId);
    if (session.view.state !== 'closed') await this.leaveRoom(roomId);
    this.sessions.delete(roomId);
    this.nearby.roomGone(roomId);
    session.unpublish();
    this.saveRooms();
    this.emit('roomRemoved', { roomId });
  }

  /** Leaves every room, closes hosted ones and stops the embedded server. Bounded by `timeoutMs`. */
  async shutdown(timeoutMs = 3000): Promise<void> {
    this.server.refuseNew();
    const work = (async () => {
      // The router's mappings go first and in parallel: a quitting app has little time.
      const unmapped = this.mapping.stop();
      await Promise.allSettled(
        [...this.sessions.values()]
          .filter((s) => s.view.state !== 'closed')
          .map((s) => (s.view.hosted ? this.closeRoom(s.id) : this.leaveRoom(s.id))),
      );
      await this.nearby.close();
      await this.server.stop();
      await unmapped;
    })();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    for (const session of this.sessions.values()) session.detach(false);
    this.options.persistence?.history.close();
  }

  /** Nearby rooms (#17 item 1): starts listening on first call. */
  getNearby(): Promise<NearbyState> {
    return this.nearby.browse();
  }

  setRoomListed(roomId: RoomId, listed: boolean): NearbyState {
    const session = this.session(roomId);
    if (!session.view.hosted) throw new ServiceError('FORBIDDEN', 'Only rooms hosted here can be listed.');
    return this.nearby.setListed(roomId, listed);
  }

  private session(roomId: RoomId): RoomSession {
    const session = this.sessions.get(roomId);
    if (!session) throw new ServiceError('NO_SUCH_SESSION', 'That room is no longer open in this app.');
    return session;
  }

  private newSession(init: Omit<SessionInit, 'id' | 'keyPrefix'>): RoomSession {
    const id = `r${this.nextId++}`;
    return new RoomSession({ ...init, id, keyPrefix: `${this.runTag}.${id}` }, this.hooks);
  }

  private persistEntry(session: RoomSession, entry: ChatEntry): void {
    const persistence = this.options.persistence;
    if (!persistence?.keepHistory()) return;
    try {
      persistence.history.room(session.historyKey).append(entry);
    } catch (err) {
      // A full or read-only disk costs the history, not the chat.
      this.log.warn('history-write-failed', { error: (err as Error).message });
    }
  }

  /** The rooms of the last run, listed closed with their newest history, ready to rejoin. */
  private restoreRemembered(): void {
    const persistence = this.options.persistence;
    if (!persistence) return;
    for (const remembered of persistence.rooms.load()) {
      const password = this.unseal(remembered);
      const session = this.newSession({
        room: remembered.room,
        username: remembered.username,
        server: remembered.server,
        hosted: remembered.hosted,
        params: remembered.hosted
          ? {
              host: '',
              port: 0,
              password: password ?? '',
              mode: 'create',
              encryptedOnly: remembered.encryptedOnly === true,
            }
          : { host: remembered.host, port: remembered.port, password: password ?? '', mode: 'join' },
      });
      if (remembered.hosted)
        session.hostBind = { bindHost: remembered.host, port: remembered.port, upnp: remembered.upnp === true };
      session.view.passwordProtected = remembered.passwordProtected;
      session.passwordKnown = !remembered.passwordProtected || password !== null;
      let entries: ChatEntry[] = [];
      let stored: ChatEntry[] = [];
      if (persistence.keepHistory()) {
        try {
          const history = persistence.history.room(session.historyKey);
          entries = history.latest(FIRST_PAGE);
          stored = history.all();
        } catch (err) {
          this.log.warn('history-read-failed', { room: remembered.room, error: (err as Error).message });
        }
      }
      session.restore(entries, stored);
      this.sessions.set(session.id, session);
    }
  }

  private unseal(remembered: RememberedRoom): string | null {
    const { secrets } = this.options.persistence ?? {};
    if (!remembered.sealedPassword || !secrets?.isAvailable()) return null;
    try {
      return secrets.decrypt(remembered.sealedPassword);
    } catch (err) {
      this.log.warn('password-unseal-failed', { room: remembered.room, error: (err as Error).message });
      return null;
    }
  }

  /** Writes the sidebar's rooms for the next run; a password only sealed by the secret store. */
  private saveRooms(): void {
    const persistence = this.options.persistence;
    if (!persistence) return;
    const { secrets } = persistence;
    const rooms = [...this.sessions.values()].map((session): RememberedRoom => {
      const { view, params, hostBind } = session;
      const password = params.password;
      return {
        room: view.room,
        username: view.username,
        hosted: view.hosted,
        server: view.server,
        host: hostBind ? hostBind.bindHost : params.host,
        port: hostBind ? hostBind.port : params.port,
        passwordProtected: view.passwordProtected,
        sealedPassword: password && secrets.isAvailable() ? secrets.encrypt(password) : null,
        ...(view.hosted && params.encryptedOnly === true ? { encryptedOnly: true } : {}),
        ...(hostBind?.upnp ? { upnp: true } : {}),
      };
    });
    persistence.rooms.save(rooms);
  }

  /**
   * Points a hosted session at our embedded server, asks the router to forward its port when the
   * user wanted that (hosting, hosting again, Host again after a restart) and refreshes the share.
   */
  private hostOn(session: RoomSession, bindHost: string, info: ListenInfo, upnp: boolean): void {
    // On loopback the mapper answers "LAN only" itself, without asking any router.
    if (upnp) this.mapping.ensure(bindHost, info);
    session.params.host = loopbackFor(bindHost);
    session.params.port = info.tcpPort;
    session.params.udpPort = info.udpPort;
    // Our own server: its certificate is known, so the host's client pins it rather than trusting on first use.
    const fingerprint = this.server.fingerprint;
    if (fingerprint) session.params.fingerprint = fingerprint;
    session.hostBind = { bindHost, port: info.tcpPort, upnp };
    this.share(session);
  }

  /** What a hosted room tells others: the outside address first while the router maps the port. */
  private share(session: RoomSession): void {
    const bind = session.hostBind;
    if (!bind) return;
    const portMapping = this.mapping.view();
    const lan = shareAddresses(bind.bindHost, bind.port, this.interfaces());
    const fingerprint = this.server.fingerprint;
    const addresses = portMapping?.externalAddress ? [portMapping.externalAddress, ...lan] : lan;
    session.setShare({
      port: bind.port,
      addresses,
      invite: inviteText(session.view.room, addresses, session.params.password.length > 0, fingerprint),
      ...(fingerprint ? { fingerprint } : {}),
      portMapping,
    });
  }

  /** The router's answer changed: every hosted room's invite panel shows it. */
  private refreshShares(): void {
    for (const session of this.sessions.values()) {
      if (!session.view.hosted || session.view.state === 'closed') continue;
      this.share(session);
      session.emitView();
    }
  }

  /** Closing the last hosted room stops the embedded server. */
  private async stopServerIfIdle(): Promise<void> {
    const hostedOpen = [...this.sessions.values()].some((s) => s.view.hosted && s.attached);
    if (!hostedOpen) await Promise.all([this.server.stop(), this.mapping.stop()]);
  }
}
