// What a ShardedChatServer and its shard processes say to each other, and where the shard finds its
// socket: one union per direction, and a guard for each that the receiving side runs on every
// message (IPC delivers whatever JSON the other process sent). Kept apart from shard-process.ts,
// which starts a server as soon as it is loaded.
import type { Status, StatusCode } from '../../../src-shared/protocol/index.js';
import type { LogLevel } from '../log.js';
import { isBudgetKind, type BudgetKind } from './admission-budgets.js';
import type { RoomSummary, ServerStats } from './chat-server.js';
import type { ServerOptions } from './options.js';
import { SERVER_EVENT_NAMES, type ServerEventName, type ServerEvents } from './server-events.js';

/** The descriptor the parent puts at position 3 of the child's stdio. */
export const SHARD_UDP_FD = 3;

export interface ShardConfig {
  options: Partial<ServerOptions>;
  udpType: 'udp4' | 'udp6';
  tcpPort: number;
  logLevel: LogLevel;
  index: number;
  /** How many shards there are (a shard's fallback share of the per-IP budgets). */
  shards: number;
}

/** A cap the primary found reached for a routed connection: the shard answers it with this status. */
export interface ShardRefusal {
  status: Exclude<StatusCode, typeof Status.OK>;
  reason: string;
}

/**
 * Parent → shard. A 'conn' message carries the routed TCP socket as its handle, `id` names it in the
 * shard's 'conn-closed' report (the primary counts connections per IP across all shards), and
 * `refuse`, when set, is a server-wide cap the connection ran into.
 */
export type ToShard =
  | { type: 'conn'; id: number; head: string; elapsedMs: number; refuse: ShardRefusal | null }
  | { type: 'stats'; id: number }
  /** The answer to a 'budget-take' of the same id. */
  | { type: 'budget'; id: number; ok: boolean }
  | { type: 'close' };

/**
 * One of the shard's server events, with the state of its room right after it (null once the room
 * is gone): the primary keeps its list of rooms from these.
 */
export type ShardEvent = {
  [E in ServerEventName]: { type: 'event'; event: E; detail: ServerEvents[E][0]; room: RoomSummary | null };
}[ServerEventName];

/** The answer to a 'stats' request of the same id. */
export interface ShardStatsReply {
  type: 'stats';
  id: number;
  stats: ServerStats;
  rooms: RoomSummary[];
  /** CPU time the shard process used so far (user + system), and its resident memory. */
  cpuMicros: number;
  rssBytes: number;
}

/** Shard → parent. */
export type FromShard =
  | { type: 'ready'; address: { host: string; tcpPort: number; udpPort: number } }
  | { type: 'failed'; message: string }
  | ShardEvent
  | { type: 'conn-closed'; id: number }
  | ShardStatsReply
  /** A token of a per-IP admission budget, which the primary keeps for all shards. */
  | { type: 'budget-take'; id: number; kind: BudgetKind; ip: string }
  | { type: 'budget-refund'; kind: BudgetKind; ip: string };

type Fields = Record<string, unknown>;

/** Longer than any IP address as text (an IPv6 with an IPv4 tail is 45). */
const IP_TEXT_MAX = 64;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null;
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isString = (value: unknown): value is string => typeof value === 'string';

function isRefusal(value: unknown): value is ShardRefusal {
  return isObject(value) && isNumber(value.status) && isString(value.reason);
}

function isRoomSummary(value: unknown): value is RoomSummary {
  return isObject(value) && isString(value.name) && isNumber(value.members) && typeof value.hasPassword === 'boolean';
}

function isEventName(value: unknown): value is ServerEventName {
  return SERVER_EVENT_NAMES.some((name) => name === value);
}

/** The fields every event detail has (room, and name for member events); the rest is the shard's word. */
function isEventDetail(event: ServerEventName, detail: unknown): boolean {
  if (!isObject(detail) || !isString(detail.room)) return false;
  return event === 'room-created' || event === 'room-closed' || isString(detail.name);
}

export function isToShard(msg: unknown): msg is ToShard {
  if (!isObject(msg)) return false;
  switch (msg.type) {
    case 'conn':
      return (
        isNumber(msg.id) &&
        isString(msg.head) &&
        isNumber(msg.elapsedMs) &&
        (msg.refuse === null || isRefusal(msg.refuse))
      );
    case 'stats':
      return isNumber(msg.id);
    case 'budget':
      return isNumber(msg.id) && typeof msg.ok === 'boolean';
    case 'close':
      return true;
    default:
      return false;
  }
}

export function isFromShard(msg: unknown): msg is FromShard {
  if (!isObject(msg)) return false;
  switch (msg.type) {
    case 'ready':
      return isObject(msg.address) && isNumber(msg.address.tcpPort);
    case 'failed':
      return isString(msg.message);
    case 'event':
      return (
        isEventName(msg.event) && isEventDetail(msg.event, msg.detail) && (msg.room === null || isRoomSummary(msg.room))
      );
    case 'conn-closed':
      return isNumber(msg.id);
    case 'stats':
      return (
        isNumber(msg.id) &&
        isObject(msg.stats) &&
        Array.isArray(msg.rooms) &&
        msg.rooms.every(isRoomSummary) &&
        isNumber(msg.cpuMicros) &&
        isNumber(msg.rssBytes)
      );
    case 'budget-take':
      return isNumber(msg.id) && isBudgetKind(msg.kind) && isString(msg.ip) && msg.ip.length <= IP_TEXT_MAX;
    case 'budget-refund':
      return isBudgetKind(msg.kind) && isString(msg.ip) && msg.ip.length <= IP_TEXT_MAX;
    default:
      return false;
  }
}
