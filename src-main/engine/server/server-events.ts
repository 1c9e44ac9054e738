// What a chat server tells its owner about rooms and members: one event map for ChatServer and
// ShardedChatServer (whose shards forward theirs), so `on` and `emit` are typed on both.
import type { ClosedReasonName, LeftReasonName } from './room-lifecycle.js';

/** Why a room closed; 'server-error' only from a sharded server, when the shard holding it died. */
export type RoomClosedReason = ClosedReasonName | 'server-error';

export interface RoomCreatedEvent {
  room: string;
}

export interface RoomClosedEvent {
  room: string;
  reason: RoomClosedReason;
}

export interface MemberJoinedEvent {
  room: string;
  name: string;
}

export interface MemberLeftEvent {
  room: string;
  name: string;
  reason: LeftReasonName;
}

/** Event name → listener arguments, in the form Node's typed EventEmitter takes. */
export interface ServerEvents {
  'room-created': [RoomCreatedEvent];
  'room-closed': [RoomClosedEvent];
  'member-joined': [MemberJoinedEvent];
  'member-left': [MemberLeftEvent];
}

export type ServerEventName = keyof ServerEvents;

/** Every event name, for code that forwards them all (a shard to its primary). */
export const SERVER_EVENT_NAMES: readonly ServerEventName[] = [
  'room-created',
  'room-closed',
  'member-joined',
  'member-left',
];
