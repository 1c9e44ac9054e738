// TCRP status codes carried as one unsigned byte in a state-1 reply.
// 0..3 are the codes every implementation we know of agrees on; 4.. are ours.

export const Status = {
  OK: 0,
  ROOM_EXISTS: 1,
  NO_SUCH_ROOM: 2,
  WRONG_PASSWORD: 3,
  NAME_TAKEN: 4,
  BAD_REQUEST: 5,
  TOO_LARGE: 6,
  SERVER_FULL: 7,
  ROOM_FULL: 8,
  RATE_LIMITED: 9,
  /** Sent only to clients that negotiated the Tincan dialect; plain clients get WRONG_PASSWORD. */
  PASSWORD_REQUIRED: 10,
  HANDSHAKE_TIMEOUT: 11,
  INTERNAL_ERROR: 12,
} as const;

export type StatusCode = (typeof Status)[keyof typeof Status];
export type StatusName = keyof typeof Status;

const NAMES = new Map<number, StatusName>(
  (Object.entries(Status) as [StatusName, number][]).map(([name, code]) => [code, name]),
);

const MESSAGES: Record<StatusName, string> = {
  OK: 'ok',
  ROOM_EXISTS: 'a room with that name already exists',
  NO_SUCH_ROOM: 'no room with that name',
  WRONG_PASSWORD: 'wrong password',
  NAME_TAKEN: 'that name is already taken in this room',
  BAD_REQUEST: 'the request was malformed',
  TOO_LARGE: 'the request was too large',
  SERVER_FULL: 'the server is full',
  ROOM_FULL: 'the room is full',
  RATE_LIMITED: 'too many attempts, try again later',
  PASSWORD_REQUIRED: 'this room needs a password',
  HANDSHAKE_TIMEOUT: 'the handshake took too long',
  INTERNAL_ERROR: 'the server failed to handle the request',
};

export function statusName(code: number): StatusName | `UNKNOWN_${number}` {
  return NAMES.get(code) ?? `UNKNOWN_${code}`;
}

export function statusMessage(code: number): string {
  const name = NAMES.get(code);
  return name ? MESSAGES[name] : `unknown status ${code}`;
}
