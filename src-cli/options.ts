// Command-line values → typed configuration. Pure: no I/O, no process access (the environment is
// passed in), so every rule here is unit-tested. Commander only collects the raw strings.
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AddressError, DEFAULT_PORT, parseHostAddress } from '../src-shared/address.js';
import {
  cipherByName,
  checkRoomName,
  checkUsername,
  describeNameProblem,
  PASSWORD_MAX_BYTES,
  ROOM_NAME_MAX_BYTES,
  USERNAME_MAX_BYTES,
  parseFingerprint,
  SEALED_CIPHER_NAMES,
  utf8ByteLength,
  type SealedCipherId,
} from '../src-shared/protocol/index.js';
import type { ServerOptions } from '../src-main/engine/index.js';
import { readStunServer, type StunServerAddress } from '../src-shared/reach/stun-server.js';
import { UsageError } from './errors.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Environment variable read when --password is not given (keeps the password out of `ps`). */
export const PASSWORD_ENV = 'TINCAN_PASSWORD';

// encrypted transport (#16)
/** Environment variable naming the CLI's data folder (host identity, known hosts). */
export const DATA_DIR_ENV = 'TINCAN_DATA_DIR';

/** The CLI's data folder: $TINCAN_DATA_DIR, else $XDG_CONFIG_HOME/tincan, else ~/.config/tincan. */
export function cliDataDir(env: Env): string {
  if (env[DATA_DIR_ENV]) return env[DATA_DIR_ENV];
  return join(env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config'), 'tincan');
}

/** Longest timeout accepted, in seconds: one week stays far below the 2^31 ms limit of timers. */
const MAX_SECONDS = 7 * 24 * 3600;
/** Most messages --history may keep per room: at most ~4 KB each, so 40 MB for one full room. */
const MAX_HISTORY = 10_000;

export type RawOptions = Record<string, string | boolean | undefined>;
export type Env = Record<string, string | undefined>;

export interface ServeConfig {
  /** Only the options the user set; the server's own defaults fill the rest. */
  server: Partial<ServerOptions> & { host: string; port: number };
  logLevel: LogLevel;
  /** Relay processes (docs/MULTICORE.md); 1 is the single-process server. */
  workers: number;
  /** --upnp: ask the router to forward the ports (src-main/reach/port-mapping). */
  upnp: boolean;
  /** --stun host:port: check the router's outside address against a STUN server (needs --upnp). */
  stun?: StunServerAddress;
  /** Advertise the server's rooms on the local network (mDNS); off unless --advertise. */
  advertise: boolean;
  /** Folder of the host identity (TLS); absent: the server speaks TCRP only. */
  identityDir?: string;
}

export interface RoomConfig {
  mode: 'create' | 'join';
  host: string;
  port: number;
  udpPort?: number;
  room: string;
  /** Absent: ask on a terminal, fail without one. */
  name?: string;
  /** Absent: ask (create) or try without and ask if the room wants one (join). */
  password?: string;
  /** Accept only this server certificate (--fingerprint, or an invite's fp). */
  fingerprint?: string;
  /** --plain: the spec dialect in clear, no TLS. */
  plain?: boolean;
  /** The known-hosts file (trust on first use); absent: remembered for this run only. */
  knownHostsPath?: string;
  /** --cipher: offered first for the sealed datagrams; absent: the client's default order. */
  cipher?: SealedCipherId;
}

export interface HostConfig {
  room: string;
  name?: string;
  password?: string;
  server: Partial<ServerOptions> & { host: string; port: number };
  logLevel: LogLevel;
  upnp: boolean;
  /** --stun host:port: check the router's outside address against a STUN server (needs --upnp). */
  stun?: StunServerAddress;
  /** Advertise the room on the local network (mDNS); on unless --no-advertise. */
  advertise: boolean;
  /** Folder of the host identity (TLS); absent: the server speaks TCRP only. */
  identityDir?: string;
  /** --cipher: what the host's own client offers first for its sealed datagrams. */
  cipher?: SealedCipherId;
}

/** `tincan discover`: watch the local network for rooms, or list them once after a wait. */
export interface DiscoverConfig {
  /** Null: live until stopped. */
  onceAfterMs: number | null;
}

/** How long `discover --once` listens when no number of seconds is given. */
export const DISCOVER_ONCE_DEFAULT_S = 3;

export type { StunServerAddress } from '../src-shared/reach/stun-server.js';

/** `--stun host[:port]`: IPv4 literal or DNS name (the check compares IPv4 addresses). */
export function parseStunServer(value: string): StunServerAddress {
  const read = readStunServer(value);
  if ('problem' in read) throw new UsageError(`--stun: ${read.problem}`);
  return read.server;
}

/** --stun, which only makes sense beside --upnp (it checks what the router reported). */
function stunOption(raw: RawOptions): { stun?: StunServerAddress } {
  const value = text(raw, 'stun');
  if (value === undefined) return {};
  if (raw.upnp !== true) throw new UsageError("--stun checks the router's outside address: it needs --upnp");
  return { stun: parseStunServer(value) };
}

function text(raw: RawOptions, key: string): string | undefined {
  const value = raw[key];
  return typeof value === 'string' ? value : undefined;
}

/** A whole number in [min, max], written in decimal digits only. */
export function parseInteger(value: string, flag: string, min: number, max: number): number {
  const trimmed = value.trim();
  if (!/^\d{1,10}$/.test(trimmed)) throw new UsageError(`${flag} must be a whole number, got "${value}"`);
  const n = Number(trimmed);
  if (n < min || n > max) throw new UsageError(`${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** A positive duration in seconds (fractions allowed), returned in milliseconds. */
export function parseSeconds(value: string, flag: string): number {
  const trimmed = value.trim();
  if (!/^\d{1,7}(\.\d{1,3})?$/.test(trimmed))
    throw new UsageError(`${flag} must be a number of seconds, got "${value}"`);
  const seconds = Number(trimmed);
  if (seconds <= 0 || seconds > MAX_SECONDS) {
    throw new UsageError(`${flag} must be more than 0 and at most ${MAX_SECONDS} seconds, got ${trimmed}`);
  }
  return Math.round(seconds * 1000);
}

export function parseLogLevel(value: string | undefined, fallback: LogLevel): LogLevel {
  if (value === undefined) return fallback;
  const level = value.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  }
  return level as LogLevel;
}

export function parseRoomName(value: string): string {
  const problem = checkRoomName(value);
  if (problem) throw new UsageError(describeNameProblem('the room name', problem, ROOM_NAME_MAX_BYTES));
  return value;
}

export function parseUsername(value: string): string {
  const problem = checkUsername(value);
  if (problem) throw new UsageError(describeNameProblem('the name', problem, USERNAME_MAX_BYTES));
  return value;
}

export function parsePassword(value: string): string {
  if (utf8ByteLength(value) > PASSWORD_MAX_BYTES) {
    throw new UsageError(`the password must be at most ${PASSWORD_MAX_BYTES} bytes of UTF-8`);
  }
  return value;
}

/** A bind address for a server: an IP literal or host name, IPv6 with or without brackets. */
export function parseBindHost(value: string): string {
  let host = value.trim();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.length === 0 || /[\s[\]/]/.test(host))
    throw new UsageError(`--host must be an address like 0.0.0.0, :: or 127.0.0.1, got "${value}"`);
  return host;
}

function optionalName(raw: RawOptions): string | undefined {
  const name = text(raw, 'name');
  return name === undefined ? undefined : parseUsername(name);
}

function optionalPassword(raw: RawOptions, env: Env): string | undefined {
  // An empty variable counts as unset; an empty --password means "no password".
  const password = text(raw, 'password') ?? (env[PASSWORD_ENV] || undefined);
  return password === undefined ? undefined : parsePassword(password);
}

/**
 * The warning for a password given as --password: every local user can read a process's arguments
 * (ps, /proc/PID/cmdline). Null when there is nothing secret (no option, or empty: no password).
 */
export function passwordOptionWarning(raw: RawOptions): string | null {
  if (!text(raw, 'password')) return null;
  return `warning: --password can be read by every user of this computer in the process list; set ${PASSWORD_ENV} instead, or leave the password out to be asked for it`;
}

/** The listening part shared by `serve` and `host`. */
function serverListen(raw: RawOptions, defaultHost: string): ServeConfig['server'] {
  const host = parseBindHost(text(raw, 'host') ?? defaultHost);
  const portText = text(raw, 'port');
  const port = portText === undefined ? DEFAULT_PORT : parseInteger(portText, '--port', 0, 65535);
  const server: ServeConfig['server'] = { host, port };
  const udp = text(raw, 'udpPort');
  if (udp !== undefined) server.udpPort = parseInteger(udp, '--udp-port', 0, 65535);
  const history = text(raw, 'history');
  if (history !== undefined) server.historySize = parseInteger(history, '--history', 0, MAX_HISTORY);
  // encrypted transport (#16)
  if (raw['encryptedOnly'] === true) server.encryptedOnly = true;
  return server;
}

/** --identity DIR, or the data folder's `identity`. */
function identityDir(raw: RawOptions, env: Env): string {
  return text(raw, 'identity') ?? join(cliDataDir(env), 'identity');
}

export function parseServeOptions(raw: RawOptions, env: Env = {}): ServeConfig {
  const server = serverListen(raw, '0.0.0.0');
  const seconds: [string, string, 'inactivityTimeoutMs' | 'handshakeTimeoutMs' | 'tokenTtlMs'][] = [
    ['inactivityTimeout', '--inactivity-timeout', 'inactivityTimeoutMs'],
    ['handshakeTimeout', '--handshake-timeout', 'handshakeTimeoutMs'],
    ['tokenTtl', '--token-ttl', 'tokenTtlMs'],
  ];
  for (const [key, flag, field] of seconds) {
    const value = text(raw, key);
    if (value !== undefined) server[field] = parseSeconds(value, flag);
  }
  const counts: [string, string, 'maxRooms' | 'maxMembersPerRoom' | 'maxPendingHandshakes' | 'maxConnectionsPerIp'][] =
    [
      ['maxRooms', '--max-rooms', 'maxRooms'],
      ['maxMembers', '--max-members', 'maxMembersPerRoom'],
      ['maxPending', '--max-pending', 'maxPendingHandshakes'],
      ['maxConnsPerIp', '--max-conns-per-ip', 'maxConnectionsPerIp'],
    ];
  for (const [key, flag, field] of counts) {
    const value = text(raw, key);
    if (value !== undefined) server[field] = parseInteger(value, flag, 1, 10_000_000);
  }
  // Per-IP abuse limits (SECURITY.md): the burst each IP may spend at once; 0 lifts the limit.
  const bursts: [string, string, 'hashBurstPerIp' | 'createBurstPerIp' | 'refusalBurstPerIp'][] = [
    ['hashBurstPerIp', '--hash-burst-per-ip', 'hashBurstPerIp'],
    ['createBurstPerIp', '--create-burst-per-ip', 'createBurstPerIp'],
    ['refusalBurstPerIp', '--refusal-burst-per-ip', 'refusalBurstPerIp'],
  ];
  for (const [key, flag, field] of bursts) {
    const value = text(raw, key);
    if (value !== undefined) server[field] = parseInteger(value, flag, 0, 10_000_000);
  }
  const workersText = text(raw, 'workers');
  const workers = workersText === undefined ? 1 : parseInteger(workersText, '--workers', 1, 64);
  // Relay shards speak TCRP only: with both, every member would be refused.
  if (workers > 1 && server.encryptedOnly)
    throw new UsageError('--encrypted-only needs TLS, which --workers (relay shards) does not speak yet');
  return {
    server,
    logLevel: parseLogLevel(text(raw, 'logLevel'), 'info'),
    workers,
    upnp: raw.upnp === true,
    ...stunOption(raw),
    // A dedicated server often runs where its neighbours are strangers: it advertises only on request.
    advertise: raw.advertise === true,
    identityDir: identityDir(raw, env),
  };
}

export function parseHostOptions(room: string, raw: RawOptions, env: Env): HostConfig {
  const config: HostConfig = {
    room: parseRoomName(room),
    server: serverListen(raw, '0.0.0.0'),
    // Log lines would cut through the chat on a terminal; only on request.
    logLevel: parseLogLevel(text(raw, 'logLevel'), 'silent'),
    upnp: raw.upnp === true,
    ...stunOption(raw),
    // Someone hosting a room wants it found, as in the app; --no-advertise keeps it off the LAN list.
    advertise: raw.advertise !== false,
    identityDir: identityDir(raw, env),
  };
  const name = optionalName(raw);
  if (name !== undefined) config.name = name;
  const password = optionalPassword(raw, env);
  if (password !== undefined) config.password = password;
  const cipher = cipherOption(raw);
  if (cipher !== undefined) config.cipher = cipher;
  return config;
}

/** `--cipher <name>`: one of the sealed-datagram ciphers by name (PROTOCOL.md §8). */
function cipherOption(raw: RawOptions): SealedCipherId | undefined {
  const name = text(raw, 'cipher');
  if (name === undefined) return undefined;
  const cipher = cipherByName(name);
  if (cipher === null)
    throw new UsageError(`--cipher must be ${Object.values(SEALED_CIPHER_NAMES).join(' or ')}, got "${name}"`);
  return cipher;
}

/** `create` and `join`: a server address, a room, and who we are. */
export function parseRoomOptions(
  mode: 'create' | 'join',
  address: string,
  room: string,
  raw: RawOptions,
  env: Env,
): RoomConfig {
  let parsed;
  try {
    parsed = parseHostAddress(address, DEFAULT_PORT);
  } catch (err) {
    if (err instanceof AddressError) throw new UsageError(`bad address: ${err.message}`);
    throw err;
  }
  // The shared parser takes anything with two colons for IPv6; only a real IPv6 literal is one.
  if (parsed.host.includes(':') && isIP(parsed.host) !== 6)
    throw new UsageError(`bad address: "${address}" is not a valid IPv6 address`);
  const config: RoomConfig = { mode, host: parsed.host, port: parsed.port, room: parseRoomName(room) };
  const udp = text(raw, 'udpPort');
  if (udp !== undefined) config.udpPort = parseInteger(udp, '--udp-port', 1, 65535);
  const name = optionalName(raw);
  if (name !== undefined) config.name = name;
  const password = optionalPassword(raw, env);
  if (password !== undefined) config.password = password;
  if (raw['plain'] === true) config.plain = true;
  const fingerprint = text(raw, 'fingerprint');
  if (fingerprint !== undefined) {
    if (config.plain) throw new UsageError('--fingerprint needs TLS; it cannot go with --plain');
    const parsed = parseFingerprint(fingerprint);
    if (parsed === null)
      throw new UsageError(
        `--fingerprint must be a SHA-256 fingerprint, 64 hex digits (colons allowed), got "${fingerprint}"`,
      );
    config.fingerprint = parsed;
  }
  const cipher = cipherOption(raw);
  if (cipher !== undefined) {
    // In clear there is no secret to seal with, so no cipher to choose.
    if (config.plain) throw new UsageError('--cipher needs TLS; it cannot go with --plain');
    config.cipher = cipher;
  }
  config.knownHostsPath = join(cliDataDir(env), 'known-hosts.json');
  return config;
}

/** `--once [seconds]`: commander gives true for the bare flag. */
export function parseDiscoverOptions(raw: RawOptions): DiscoverConfig {
  const once = raw.once;
  if (once === undefined || once === false) return { onceAfterMs: null };
  return { onceAfterMs: once === true ? DISCOVER_ONCE_DEFAULT_S * 1000 : parseSeconds(once, '--once') };
}

/** The address a local client uses to reach a server bound to `bindHost`. */
export function loopbackFor(bindHost: string): string {
  if (bindHost === '0.0.0.0' || bindHost === '') return '127.0.0.1';
  if (bindHost === '::' || bindHost === '::0') return '::1';
  return bindHost;
}
