// Public shape of the client library: what the CLI, the Electron main process and the web backend use.
import type {
  ClientClosedReason,
  ConnectionState,
  Dialect,
  Role,
  SealedCipherId,
  WireLeftReason,
} from '../../../src-shared/protocol/index.js';

import type { CertificateTrust, EncryptionPolicy } from './handshake.js';

export type { ConnectionState, Dialect } from '../../../src-shared/protocol/index.js';
export type ClientRole = Role;

export interface ClientOptions {
  /** Server address: hostname, IPv4 or IPv6 (without brackets). */
  host: string;
  /** TCRP (TCP) port. */
  port: number;
  /** UDP port of the server; defaults to `port`. */
  udpPort?: number;
  room: string;
  username: string;
  /** Empty or absent: no password. */
  password?: string;
  /** 'create' makes a new room and becomes its host; 'join' joins an existing one. */
  mode: 'create' | 'join';
  /** Offer the Tincan dialect (default true). False speaks only the plain spec dialect. */
  negotiate?: boolean;
  /** Reconnect with backoff when the server stops answering (default true). */
  reconnect?: boolean;
  /** Give up reconnecting after this many attempts (default 10). */
  maxReconnectAttempts?: number;
  /** TCP connect + handshake timeout (default 5000 ms). */
  handshakeTimeoutMs?: number;
  /** Heartbeat interval when the server did not say (default 10000 ms). */
  heartbeatIntervalMs?: number;
  /** Missed heartbeat replies before the server is presumed dead (default 3). */
  missedHeartbeatsBeforeReconnect?: number;
  /** Local UDP port to bind (default 0: any). */
  localUdpPort?: number;
  /** First reconnect delay; doubles per attempt (default 500 ms). */
  reconnectBaseDelayMs?: number;
  /** Longest reconnect delay (default 10000 ms). */
  reconnectMaxDelayMs?: number;
  /**
   * Ask a Tincan server for the room's recent chat when joining (default true); it arrives as
   * `message` events with `earlier: true`, then `caughtUp`.
   */
  catchUp?: boolean;
  // encrypted transport (#16)
  /**
   * A 64-byte UDP secret given directly, for tests of the sealed relay without TLS: the server must
   * answer with a sealed session, and it seals one session only. Over TLS the secret comes from each
   * session's own exporter (PROTOCOL.md "Sealed datagrams (v1)") and this stays unset.
   */
  udpSecret?: Uint8Array;
  /**
   * Speak TLS to the server and whom to trust (handshake.ts, EncryptionPolicy). Absent: plain TCRP,
   * as a spec client. After the first session the certificate it saw is required on every reconnect.
   */
  encryption?: EncryptionPolicy | null;
  /** Offer typing indicators to a Tincan server (default true): `typing()` sends, 'typing' reports others. */
  typing?: boolean;
  /** With mode 'create': ask for a room that admits encrypted members only (needs `encryption`). */
  encryptedOnly?: boolean;
  /**
   * Ciphers for sealed datagrams, most preferred first (default [AES-256-GCM, ChaCha20-Poly1305]);
   * offered inside TLS, where the server picks the first it supports (PROTOCOL.md §8).
   */
  ciphers?: readonly SealedCipherId[];
}

export interface Member {
  name: string;
  host: boolean;
  /**
   * Whether the member's connection is plain (its traffic crosses the network in clear). Told by
   * servers of dialect version 3 on; absent when the server does not say.
   */
  plain?: boolean;
}

/**
 * Events, typed. The client is an EventEmitter with exactly these.
 * - `message` is only what others said (our own text is never echoed; `own` is true only when a foreign
 *   plain server echoes a line under our name). `send()` returns the id that `delivered` reports.
 * - `members` fires with the whole list after every change (server list, join, leave).
 * - `error` fires only when someone listens to it, so an unhandled 'error' never crashes the host process.
 * - `closed` fires once; `leave()` and `closeRoom()` both end with reason 'left'. A server that shuts
 *   down makes the client reconnect (state 'reconnecting'), unless `reconnect` is false: then
 *   'closed' {reason:'server-shutdown'}.
 * - `connected` fires after connect() and again after every successful reconnect.
 */
export interface ClientEvents {
  /** Handshake done, UDP session open. `dialect` says whether the server speaks ours or only the plain spec. */
  /** `history`: how many earlier messages the room shows new members (absent: none, or not said). */
  /** `transport`: whether the handshake ran inside TLS; `fingerprint`: the server certificate's then. */
  connected: [
    info: {
      role: ClientRole;
      dialect: Dialect;
      token: string;
      resumed: boolean;
      history?: number;
      transport: 'tls' | 'plain';
      fingerprint: string | null;
      /** TLS only: why the certificate was accepted ('first-use': not seen before, now remembered). */
      trust?: CertificateTrust;
      /** The cipher sealing our datagrams, when the session is sealed (PROTOCOL.md §8). */
      cipher?: SealedCipherId;
      /** The room admits encrypted members only (a Tincan server said so). */
      encryptedOnly?: true;
    },
  ];
  /**
   * `earlier` marks a line said before we joined (catch-up; `at` is then when it was said). No line
   * is emitted twice for one room sequence number, across reconnects too.
   */
  message: [msg: { from: string; text: string; seq: number | null; own: boolean; at: number; earlier?: boolean }];
  /** The server finished sending the room's recent chat (`count` lines; Tincan dialect only). */
  caughtUp: [info: { count: number }];
  /** Free text from a plain server that is neither `name: text` nor a notice we recognise. */
  notice: [text: string];
  joined: [member: Member];
  /** A member is gone. A member whose new session took over its old one is `reconnected` instead. */
  left: [info: { name: string; reason: Exclude<WireLeftReason, 'reconnected'> }];
  /** A member's new session took over its old one (it lost its connection and came back): it never left. */
  reconnected: [info: { name: string }];
  members: [members: Member[]];
  /** Our own message reached the server (structured dialect only). */
  delivered: [info: { id: number; seq: number }];
  state: [state: ConnectionState, detail: { attempt?: number; reason?: string }];
  /** `name` is typing (Tincan dialect, when the server agreed to typing indicators). */
  typing: [info: { name: string }];
  /** The room is gone; the client has stopped. */
  closed: [info: { reason: ClientClosedReason }];
  /** `chatId`: the id send() returned for the message the server refused (servers of dialect 2 on). */
  error: [err: Error & { code?: string; status?: number; chatId?: number }];
}

/** What connect() resolves with and 'connected' reports. */
export type ConnectInfo = ClientEvents['connected'][0];

type Listener<K extends keyof ClientEvents> = (...args: ClientEvents[K]) => void;

/**
 * The client's public face: what the app service, the CLI and the bench may call. ChatClient
 * implements it; callers that want a stand-in for tests type against this, not the class.
 */
export interface ChatClientApi {
  /** Handshake, then open the UDP session. Rejects with HandshakeError; the client is then closed. */
  connect(): Promise<ConnectInfo>;
  /**
   * Sends a chat message: its id (Tincan dialect; 'delivered' reports it) or null (plain). Throws
   * RangeError when the text is empty or too long, NotConnectedError (a RangeError) without a session.
   */
  send(text: string): number | null;
  /** Leaves the room; ends with 'closed' {reason:'left'}. */
  leave(): Promise<void>;
  /** Host only: closes the room for everyone, then leaves like leave(). */
  closeRoom(): Promise<void>;
  // host tools (#14 item 7)
  /** Host only (Tincan dialect): removes the member `name` from the room. Throws when not possible. */
  kick(name: string): void;
  /** Host only (Tincan dialect): sets the password future joins need; '' clears it. Resolves once the server took it. */
  setPassword(password: string): Promise<void>;
  /** Says our user is typing; sent at most once every few seconds, and only where the server agreed. */
  typing(): void;
  readonly state: ConnectionState;
  /** The member list as last heard (a copy). */
  readonly members: Member[];
  readonly role: ClientRole | null;
  readonly dialect: Dialect | null;
  /** Token of the current (or last) session. */
  readonly token: string | null;
  readonly options: Readonly<ClientOptions>;
  on<K extends keyof ClientEvents>(event: K, listener: Listener<K>): this;
  once<K extends keyof ClientEvents>(event: K, listener: Listener<K>): this;
  off<K extends keyof ClientEvents>(event: K, listener: Listener<K>): this;
  removeAllListeners(event?: keyof ClientEvents): this;
}

/** Makes a client; the CLI and the app service take one so tests can pass options through. */
export type CreateChatClient = (options: ClientOptions) => ChatClientApi;
