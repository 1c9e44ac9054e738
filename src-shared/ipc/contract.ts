// The contract between the UI and the process that owns the network (Electron main, or the web-mode
// backend). One map of requests, one map of events, and the ChatApi type derived from both, so the
// preload, the main handlers, the WebSocket client and the renderer cannot drift apart.
// Pure types and constants: the preload bundles this file, so it must not pull in zod or anything big.
import type { ClosedReasonName } from '../protocol/closed-reasons.js';
import type { ConnectionState, Dialect, Role } from '../protocol/session-kinds.js';
import type { PortMappingKind } from '../reach/port-mapping-status.js';

/** Every IPC channel starts with this, so a stray channel of ours is easy to spot (VS Code style). */
export const IPC_PREFIX = 'tincan:';

export type RoomId = string;
export type RoomRole = Role;
export type RoomState = ConnectionState;
/** Why a room session ended (src-shared/protocol/closed-reasons.ts); 'failed': the (re)join did not succeed. */
export type ClosedReason = ClosedReasonName;

export interface MemberView {
  name: string;
  host: boolean;
  /** The member's connection is plain (in clear); absent when the host's server does not say (#16 item 5). */
  plain?: boolean;
}

/** What a host shows so others can join: every reachable address with the port, and a ready invite text. */
export interface ShareInfo {
  port: number;
  addresses: string[];
  invite: string;
  // encrypted transport (#16)
  /** SHA-256 fingerprint of the host certificate members pin (PROTOCOL.md §5b); absent without TLS. */
  fingerprint?: string;
}

// port mapping (#17 item 3) — fields merged into ShareInfo, Prefs and HostRequest (interface merging
// keeps this feature in one block).
/** "Make this room reachable from the internet": what the router did, for the host's invite panel. */
export interface PortMappingView {
  kind: PortMappingKind;
  /** One line: what works, what does not, what to do (src-shared/reach/port-mapping-status.ts). */
  line: string;
  /** "203.0.113.5:7777" while mapped: the address people on the internet join with. */
  externalAddress: string | null;
}
export interface ShareInfo {
  /** Null when the host did not ask for it. */
  portMapping: PortMappingView | null;
}
export interface Prefs {
  /** The host form's "Make this room reachable from the internet", remembered. */
  hostUpnp: boolean;
  /**
   * "STUN server for the reachability check": `host[:port]` (src-shared/reach/stun-server.ts), asked
   * once per mapping to catch a second NAT. Empty (the default): off, no third party is contacted.
   */
  stunServer: string;
}
export interface HostRequest {
  /** Ask the router (NAT-PMP, UPnP) to forward the port; ignored for loopback. */
  upnp?: boolean;
}
// end of port mapping (#17 item 3)

/** Everything the UI needs to draw one room, except the history (which arrives as entries). */
export interface RoomView {
  id: RoomId;
  room: string;
  /** The host address as the user typed it / as we show it ("192.168.1.5:7777", "this computer"). */
  server: string;
  username: string;
  role: RoomRole;
  /** True for rooms this app hosts on its embedded server. */
  hosted: boolean;
  passwordProtected: boolean;
  state: RoomState;
  /** Reconnect attempt while state is 'reconnecting'. */
  attempt: number | null;
  closedReason: ClosedReason | null;
  dialect: Dialect | null;
  members: MemberView[];
  share: ShareInfo | null;
  /** Listed from an earlier run and not joined since (#14 item 2): offer Rejoin / Host again. */
  remembered: boolean;
  /** How many earlier messages the host's server shows new members (#14 item 3); null: none, or not said. */
  catchUp: number | null;
}

export const SYSTEM_TONES = ['info', 'warn', 'error'] as const;
export type SystemTone = (typeof SYSTEM_TONES)[number];

/** One line of a room's history. `key` is unique per room; an entry sent again with the same key replaces it. */
export type ChatEntry =
  | {
      kind: 'chat';
      key: string;
      from: string;
      text: string;
      own: boolean;
      at: number;
      seq: number | null;
      /** Own message not yet acknowledged by the server (Tincan dialect only). */
      pending: boolean;
      /** Said before you joined: it came with the room's catch-up, and `at` is when it was said. */
      earlier?: boolean;
    }
  | { kind: 'system'; key: string; text: string; at: number; tone: SystemTone };

export interface NetInterfaceChoice {
  /** Address to bind: '0.0.0.0', '::', '127.0.0.1' or one interface address. */
  value: string;
  label: string;
}

export interface WindowSize {
  width: number;
  height: number;
}

export interface Prefs {
  displayName: string;
  recentHosts: string[];
  recentRooms: string[];
  hostPort: number;
  hostInterface: string;
  window: WindowSize | null;
  /** Keep each room's history on disk between runs (#14 item 2). */
  keepHistory: boolean;
  /** How many messages a room keeps on disk. */
  historyBound: number;
}

export interface HostRequest {
  room: string;
  username: string;
  /** Empty: no password. */
  password: string;
  /** 0 picks a free port; 1–1023 are refused (PRIVILEGED_PORT) unless `allowPrivilegedPort`. */
  port: number;
  /** One of the listInterfaces values, named explicitly; anything else is BAD_INTERFACE. */
  bindHost: string;
  /** The user confirmed a port below 1024 (it may need administrator rights). */
  allowPrivilegedPort?: boolean;
}

export interface JoinRequest {
  /** `host`, `host:port`, `[v6]:port`, as the user typed it. */
  address: string;
  room: string;
  username: string;
  password: string;
}

// encrypted transport (#16): the join form's pin, merged into JoinRequest.
export interface JoinRequest {
  /** The host's certificate fingerprint from an invite or a nearby room (64 lowercase hex digits): no other is accepted. */
  fingerprint?: string;
}
/** Our own connection to the room's host: TLS and sealed datagrams, or plain (null until connected). */
export const ROOM_TRANSPORTS = ['encrypted', 'plain'] as const;
export type RoomTransport = (typeof ROOM_TRANSPORTS)[number];
export interface RoomView {
  transport: RoomTransport | null;
  /** The room admits encrypted members only (its host chose so). */
  encryptedOnly: boolean;
}
export interface HostRequest {
  /** Admit encrypted members only: plain clients are refused with ENCRYPTION_REQUIRED. */
  encryptedOnly?: boolean;
}
export interface Prefs {
  /** The host form's "Encrypted members only", remembered. */
  hostEncryptedOnly: boolean;
}
/** A known host presented another certificate than the one remembered (CERTIFICATE_CHANGED). */
export interface CertificateChange {
  /** The host as dialled: name or IP literal, IPv6 without brackets. */
  host: string;
  port: number;
  /** The fingerprint remembered from earlier visits (64 lowercase hex digits). */
  known: string;
  /** The fingerprint the host presents now. */
  presented: string;
}
export interface Requests {
  /**
   * The user chose to trust the certificate a host now presents: known hosts remember `fingerprint`
   * for host:port. Only the certificate the last CERTIFICATE_CHANGED of that host reported is taken.
   */
  trustHostCertificate: { args: { host: string; port: number; fingerprint: string }; result: null };
  /** What known hosts say about an address as typed in the Join form, so it can say how the password travels. */
  knownHostTransport: { args: { address: string }; result: KnownHostTransport };
}
/** 'encrypted': met before over TLS (its certificate is checked); 'plain': met before without TLS; 'unknown': never met. */
export type KnownHostTransport = 'encrypted' | 'plain' | 'unknown';
// end of encrypted transport (#16)

export interface RoomRef {
  roomId: RoomId;
}

/** Renderer → main calls: channel name → argument and result. */
export interface Requests {
  hostRoom: { args: HostRequest; result: RoomView };
  joinRoom: { args: JoinRequest; result: RoomView };
  /** Join/host again after the room closed or the connection was lost; a new password may be given. */
  rejoinRoom: { args: RoomRef & { password?: string }; result: RoomView };
  sendMessage: { args: RoomRef & { text: string }; result: { key: string } };
  leaveRoom: { args: RoomRef; result: null };
  closeRoom: { args: RoomRef; result: null };
  /** Forget a closed room (removes it from the sidebar). */
  dismissRoom: { args: RoomRef; result: null };
  listRooms: { args: Record<string, never>; result: RoomView[] };
  getHistory: { args: RoomRef; result: ChatEntry[] };
  listInterfaces: { args: Record<string, never>; result: NetInterfaceChoice[] };
  getPrefs: { args: Record<string, never>; result: Prefs };
  setPrefs: { args: Partial<Omit<Prefs, 'window'>>; result: Prefs };
  /** Which room the user looks at (null: none); main uses it for notifications. */
  setActiveRoom: { args: { roomId: RoomId | null }; result: null };
  /**
   * Open an http(s)/mailto link in the system browser; the opener confirms with the user first,
   * showing the normalised address (Electron: a main-process dialog). Null also when cancelled.
   */
  openExternal: { args: { url: string }; result: null };
  // nearby rooms (#17 item 1)
  /** Starts listening for rooms on the local network (first call) and returns what is known. */
  getNearby: { args: Record<string, never>; result: NearbyState };
  /** The per-room toggle: list a hosted room on the local network, or take it off. */
  setRoomListed: { args: RoomRef & { listed: boolean }; result: NearbyState };
  // host tools (#14 item 7)
  /** Host only: removes a member from the room (they may join again, with the password if any). */
  kickMember: { args: RoomRef & { name: string }; result: null };
  /** Host only: the password future joins need; empty clears it. Members already in stay. */
  setRoomPassword: { args: RoomRef & { password: string }; result: null };
  /** The user is typing in this room's composer (sent on keystrokes; the engine throttles it). */
  notifyTyping: { args: RoomRef; result: null };
  // history persistence (#14 item 2)
  /** Up to `limit` entries kept on disk just older than the entry `before` (oldest first; [] at the start). */
  getOlderHistory: { args: RoomRef & { before: string; limit: number }; result: ChatEntry[] };
  /** Deletes the room's history, on disk and in the app. */
  clearHistory: { args: RoomRef; result: null };
}

/** Main → renderer pushes: channel name → payload. */
export interface Events {
  roomUpdated: RoomView;
  roomMessage: { roomId: RoomId; entry: ChatEntry };
  roomRemoved: RoomRef;
  /** The user clicked a notification of this room. */
  focusRoom: RoomRef;
  /** The operating system opened a tincan://join link: prefill the Join form (a link never joins by itself). */
  joinLink: JoinLinkEvent;
  // Malformed links the OS opens (issue 17 item 2):
  /** The operating system opened a tincan:// link the strict parser refused; `reason` is the parser's. */
  joinLinkRefused: { reason: string };
  // nearby rooms (#17 item 1)
  nearbyUpdated: NearbyState;
  // host tools (#14 item 7)
  /** `name` is typing in this room (show it for TYPING_SHOWN_MS unless refreshed or their message arrives). */
  roomTyping: { roomId: RoomId; name: string };
}

// nearby rooms (#17 item 1)
/** A room advertised on the local network (DNS-SD); every field was checked, as it comes from anyone. */
export interface NearbyRoom {
  /** Stable while the room is advertised; two rooms of one name on two hosts have two ids. */
  id: string;
  room: string;
  /** The IPv4 address the advertisement came from: the one to dial. */
  host: string;
  port: number;
  passwordRequired: boolean;
  /** The host's certificate fingerprint (64 lowercase hex digits), once hosts have one. */
  fingerprint: string | null;
}

export interface NearbyState {
  rooms: NearbyRoom[];
  /** Why the list is unavailable (shown instead of it); null while listening or not started. */
  problem: string | null;
  /** Hosted rooms the user took off the local network; every other hosted room is listed. */
  unlisted: RoomId[];
  /**
   * Hosted rooms never listed whatever the toggle says: they listen on this computer only (or on one
   * IPv6 address), and others dial the IPv4 address an announcement comes from.
   */
  lanUnreachable: RoomId[];
}

/** The fields of a parsed invite link (src-shared/invite); there is never a password. */
export interface JoinLinkEvent {
  /** Host name or IP literal, IPv6 without brackets. */
  host: string;
  port: number;
  room: string;
  /** SHA-256 fingerprint, 64 lowercase hex digits; reserved for encrypted rooms. */
  fingerprint: string | null;
}

export type RequestName = keyof Requests;
export type EventName = keyof Events;

export const REQUEST_NAMES = [
  'hostRoom',
  'joinRoom',
  'rejoinRoom',
  'sendMessage',
  'leaveRoom',
  'closeRoom',
  'dismissRoom',
  'listRooms',
  'getHistory',
  'listInterfaces',
  'getPrefs',
  'setPrefs',
  'setActiveRoom',
  'openExternal',
  // nearby rooms (#17 item 1)
  'getNearby',
  'setRoomListed',
  // host tools (#14 item 7)
  'kickMember',
  'setRoomPassword',
  'notifyTyping',
  // history persistence (#14 item 2)
  'getOlderHistory',
  'clearHistory',
  // encrypted transport (#16)
  'trustHostCertificate',
  'knownHostTransport',
] as const satisfies readonly RequestName[];

export const EVENT_NAMES = [
  'roomUpdated',
  'roomMessage',
  'roomRemoved',
  'focusRoom',
  'joinLink',
  // Malformed links the OS opens (issue 17 item 2):
  'joinLinkRefused',
  // nearby rooms (#17 item 1)
  'nearbyUpdated',
  // host tools (#14 item 7)
  'roomTyping',
] as const satisfies readonly EventName[];

/**
 * Error codes of our own, defined once: the service throws only these (besides the TCRP status names
 * such as WRONG_PASSWORD and the engine's transport failures UNREACHABLE, TIMEOUT, PROTOCOL, ABORTED).
 */
export const SERVICE_ERROR_CODES = [
  'BAD_ARGS',
  'FORBIDDEN',
  'NO_SUCH_SESSION',
  'NOT_CONNECTED',
  'TEXT_TOO_LONG',
  'BAD_ADDRESS',
  'BAD_NAME',
  'PORT_IN_USE',
  'PORT_DENIED',
  'PRIVILEGED_PORT',
  'BAD_INTERFACE',
  'SERVER_RUNNING',
  'ALREADY_IN_ROOM',
  'NO_SUCH_MEMBER',
  'INTERNAL',
] as const;

export type ServiceErrorCode = (typeof SERVICE_ERROR_CODES)[number];

/** A service code, a TCRP status name, an engine transport failure or an OS code while listening. */
export type ApiErrorCode = ServiceErrorCode | (string & {});

export type ApiResult<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      code: ApiErrorCode;
      message: string;
      /** encrypted transport (#16): with CERTIFICATE_CHANGED, what the user decides on. */
      certificateChange?: CertificateChange;
    };

type Unsubscribe = () => void;
type EventMethodName<K extends string> = `on${Capitalize<K>}`;

/** The API the preload exposes as `window.api` (and the web-mode WebSocket client implements). */
export type ChatApi = {
  [K in RequestName]: (args: Requests[K]['args']) => Promise<ApiResult<Requests[K]['result']>>;
} & {
  [K in EventName as EventMethodName<K>]: (listener: (payload: Events[K]) => void) => Unsubscribe;
};

export function requestChannel(name: RequestName): string {
  return `${IPC_PREFIX}req:${name}`;
}

export function eventChannel(name: EventName): string {
  return `${IPC_PREFIX}evt:${name}`;
}

export function eventMethodName<K extends EventName>(name: K): EventMethodName<K> {
  return `on${name.charAt(0).toUpperCase()}${name.slice(1)}` as EventMethodName<K>;
}
