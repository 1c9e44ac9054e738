// Runtime validators for every request argument and event payload of the contract. Main checks every
// request before the service sees it; the renderer checks every event before the store sees it.
import { z } from 'zod';
import {
  MESSAGE_TEXT_MAX_BYTES,
  PASSWORD_MAX_BYTES,
  ROOM_NAME_MAX_BYTES,
  USERNAME_MAX_BYTES,
} from '../protocol/limits.js';
import { LINK_MAX_LENGTH } from '../invite/join-link.js';
import { bracket, linkHostProblem } from '../invite/link-host.js';
import { checkRoomName } from '../protocol/names.js';
import { externalLinkProblem } from '../links.js';
import { CLOSED_REASON_NAMES } from '../protocol/closed-reasons.js';
import { CONNECTION_STATE_NAMES, DIALECTS, ROLES } from '../protocol/session-kinds.js';
import { utf8ByteLength } from '../protocol/utf8.js';
import { PORT_MAPPING_KINDS } from '../reach/port-mapping-status.js';
import { STUN_SERVER_MAX_LENGTH, stunServerPrefProblem } from '../reach/stun-server.js';
import { FINGERPRINT, NEARBY_ROOMS_MAX } from '../nearby/advert.js';
import { HISTORY_BOUND_MAX, HISTORY_BOUND_MIN, HISTORY_PAGE_MAX } from './history-limit.js';
import {
  ROOM_TRANSPORTS,
  SYSTEM_TONES,
  type ApiResult,
  type EventName,
  type Events,
  type RequestName,
  type Requests,
} from './contract.js';

/** A string whose UTF-8 form is at most `max` bytes (names are checked in detail by the service). */
const bytes = (max: number) =>
  z.string().refine((s) => utf8ByteLength(s) <= max, { message: `at most ${max} bytes of UTF-8` });

const roomId = z.string().min(1).max(64);
const empty = z.object({}).strict();
const roomRef = z.object({ roomId }).strict();
const port = z.number().int().min(0).max(65535);
const shortText = z.string().max(256);

// port mapping (#17 item 3)
const portMapping = {
  view: z
    .object({
      kind: z.enum(PORT_MAPPING_KINDS),
      line: z.string().max(1000),
      externalAddress: z.string().max(300).nullable(),
    })
    .strict(),
  pref: z.boolean(),
  request: z.boolean().optional(),
  // The same rule and words as the Host form and the CLI's --stun.
  stunServer: z
    .string()
    .max(STUN_SERVER_MAX_LENGTH)
    .superRefine((text, ctx) => {
      const problem = stunServerPrefProblem(text);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
    }),
};
// end of port mapping (#17 item 3)

const prefsPatch = z
  .object({
    displayName: bytes(USERNAME_MAX_BYTES),
    recentHosts: z.array(shortText).max(20),
    recentRooms: z.array(shortText).max(20),
    hostPort: port,
    hostInterface: shortText,
    hostUpnp: portMapping.pref,
    stunServer: portMapping.stunServer,
    hostEncryptedOnly: z.boolean(),
    keepHistory: z.boolean(),
    historyBound: z.number().int().min(HISTORY_BOUND_MIN).max(HISTORY_BOUND_MAX),
  })
  .partial()
  .strict();

export const requestSchemas: { [K in RequestName]: z.ZodType<Requests[K]['args']> } = {
  hostRoom: z
    .object({
      room: bytes(ROOM_NAME_MAX_BYTES),
      username: bytes(USERNAME_MAX_BYTES),
      password: bytes(PASSWORD_MAX_BYTES),
      port,
      // No default interface: the UI names one (the service checks it is on offer).
      bindHost: shortText.min(1),
      allowPrivilegedPort: z.boolean().optional(),
      upnp: portMapping.request,
      encryptedOnly: z.boolean().optional(),
    })
    .strict(),
  joinRoom: z
    .object({
      address: shortText,
      room: bytes(ROOM_NAME_MAX_BYTES),
      username: bytes(USERNAME_MAX_BYTES),
      password: bytes(PASSWORD_MAX_BYTES),
      // encrypted transport (#16)
      fingerprint: z.string().regex(FINGERPRINT).optional(),
    })
    .strict(),
  rejoinRoom: z.object({ roomId, password: bytes(PASSWORD_MAX_BYTES).optional() }).strict(),
  sendMessage: z
    .object({ roomId, text: bytes(MESSAGE_TEXT_MAX_BYTES).refine((s) => s.length > 0, 'empty message') })
    .strict(),
  leaveRoom: roomRef,
  closeRoom: roomRef,
  dismissRoom: roomRef,
  listRooms: empty,
  getHistory: roomRef,
  listInterfaces: empty,
  getPrefs: empty,
  setPrefs: prefsPatch,
  setActiveRoom: z.object({ roomId: roomId.nullable() }).strict(),
  // Only what the renderer could have made clickable: an allowlisted scheme, nothing deceptive.
  openExternal: z
    .object({
      url: z
        .string()
        .max(2048)
        .refine((u) => externalLinkProblem(u) === null, 'not a link that may be opened'),
    })
    .strict(),
  // nearby rooms (#17 item 1)
  getNearby: empty,
  setRoomListed: z.object({ roomId, listed: z.boolean() }).strict(),
  // host tools (#14 item 7)
  kickMember: z.object({ roomId, name: bytes(USERNAME_MAX_BYTES).refine((s) => s.length > 0, 'empty name') }).strict(),
  setRoomPassword: z.object({ roomId, password: bytes(PASSWORD_MAX_BYTES) }).strict(),
  notifyTyping: roomRef,
  // history persistence (#14 item 2)
  getOlderHistory: z
    .object({ roomId, before: z.string().min(1).max(100), limit: z.number().int().min(1).max(HISTORY_PAGE_MAX) })
    .strict(),
  clearHistory: roomRef,
  // encrypted transport (#16)
  trustHostCertificate: z
    .object({
      host: z.string().min(1).max(253),
      port: z.number().int().min(1).max(65535),
      fingerprint: z.string().regex(FINGERPRINT),
    })
    .strict(),
  knownHostTransport: z.object({ address: shortText }).strict(),
};

const member = z.object({ name: z.string().max(64), host: z.boolean(), plain: z.boolean().optional() });
const roomView = z.object({
  id: roomId,
  room: z.string().max(64),
  server: z.string().max(300),
  username: z.string().max(64),
  role: z.enum(ROLES),
  hosted: z.boolean(),
  passwordProtected: z.boolean(),
  state: z.enum(CONNECTION_STATE_NAMES),
  attempt: z.number().int().nonnegative().nullable(),
  closedReason: z.enum(CLOSED_REASON_NAMES).nullable(),
  dialect: z.enum(DIALECTS).nullable(),
  members: z.array(member).max(5000),
  share: z
    .object({
      port,
      addresses: z.array(z.string().max(300)).max(200),
      invite: z.string().max(20_000),
      // encrypted transport (#16)
      fingerprint: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
      portMapping: portMapping.view.nullable(),
    })
    .nullable(),
  remembered: z.boolean(),
  catchUp: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).nullable(),
  transport: z.enum(ROOM_TRANSPORTS).nullable(),
  encryptedOnly: z.boolean(),
});
const chatEntry = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('chat'),
    key: z.string().max(100),
    from: z.string().max(64),
    text: z.string().max(MESSAGE_TEXT_MAX_BYTES * 2),
    own: z.boolean(),
    at: z.number(),
    seq: z.number().int().nullable(),
    pending: z.boolean(),
    earlier: z.boolean().optional(),
  }),
  z.object({
    kind: z.literal('system'),
    key: z.string().max(100),
    text: z.string().max(10_000),
    at: z.number(),
    tone: z.enum(SYSTEM_TONES),
  }),
]);

// The same rules as the link parser, so main cannot push a prefill the parser would have refused.
const joinLink = z
  .object({
    host: z.string().refine((h) => !h.startsWith('[') && linkHostProblem(bracket(h)) === null, 'not a valid link host'),
    port: z.number().int().min(1).max(65535),
    room: z.string().refine((r) => checkRoomName(r) === null, 'not a valid room name'),
    fingerprint: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .nullable(),
  })
  .strict();

// nearby rooms (#17 item 1): the same bounds as the browser's, and the one name rule for room names.
const nearbyRoom = z
  .object({
    id: z.string().min(1).max(600),
    room: z.string().refine((r) => checkRoomName(r) === null, 'not a valid room name'),
    host: z.string().max(64),
    port: z.number().int().min(1).max(65535),
    passwordRequired: z.boolean(),
    fingerprint: z.string().regex(FINGERPRINT).nullable(),
  })
  .strict();
const nearbyState = z
  .object({
    rooms: z.array(nearbyRoom).max(NEARBY_ROOMS_MAX),
    problem: z.string().max(500).nullable(),
    unlisted: z.array(roomId).max(1000),
    lanUnreachable: z.array(roomId).max(1000),
  })
  .strict();

export const eventSchemas: { [K in EventName]: z.ZodType<Events[K]> } = {
  roomUpdated: roomView,
  roomMessage: z.object({ roomId, entry: chatEntry }),
  roomRemoved: roomRef,
  focusRoom: roomRef,
  joinLink,
  // Malformed links the OS opens (issue 17 item 2): the parser's words, bounded like the link itself.
  joinLinkRefused: z
    .object({
      reason: z
        .string()
        .min(1)
        .max(LINK_MAX_LENGTH + 200),
    })
    .strict(),
  // nearby rooms (#17 item 1)
  nearbyUpdated: nearbyState,
  // host tools (#14 item 7)
  roomTyping: z.object({ roomId, name: z.string().max(64) }),
};

/** Validates a request argument; on failure a BAD_ARGS result naming the first problem. */
export function parseRequest<K extends RequestName>(
  name: K,
  args: unknown,
): { ok: true; value: Requests[K]['args'] } | Extract<ApiResult<never>, { ok: false }> {
  const schema = requestSchemas[name] as z.ZodType<Requests[K]['args']> | undefined;
  if (!schema) return { ok: false, code: 'BAD_ARGS', message: `unknown request "${String(name)}"` };
  const parsed = schema.safeParse(args);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return {
    ok: false,
    code: 'BAD_ARGS',
    message: `invalid ${String(name)} request: ${where}${issue?.message ?? 'bad value'}`,
  };
}

/** Validates an event payload; null if it does not match the contract. */
export function parseEvent<K extends EventName>(name: K, payload: unknown): Events[K] | null {
  const schema = eventSchemas[name] as z.ZodType<Events[K]> | undefined;
  if (!schema) return null;
  const parsed = schema.safeParse(payload);
  return parsed.success ? parsed.data : null;
}

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requestSchemas, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(eventSchemas, name);
}
