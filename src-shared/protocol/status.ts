// TCRP status codes carried as one unsigned byte in a state-1 reply, written once with their names
// and messages. 0..3 are the codes every implementation we know of agrees on; 4.. are ours.

export const STATUSES = [
  { code: 0, name: 'OK', message: 'ok' },
  { code: 1, name: 'ROOM_EXISTS', message: 'a room with that name already exists' },
  { code: 2, name: 'NO_SUCH_ROOM', message: 'no room with that name' },
  { code: 3, name: 'WRONG_PASSWORD', message: 'wrong password' },
  { code: 4, name: 'NAME_TAKEN', message: 'that name is already taken in this room' },
  { code: 5, name: 'BAD_REQUEST', message: 'the request was malformed' },
  { code: 6, name: 'TOO_LARGE', message: 'the request was too large' },
  { code: 7, name: 'SERVER_FULL', message: 'the server is full' },
  { code: 8, name: 'ROOM_FULL', message: 'the room is full' },
  { code: 9, name: 'RATE_LIMITED', message: 'too many attempts, try again later' },
  // Sent only to clients that negotiated the Tincan dialect; plain clients get WRONG_PASSWORD.
  { code: 10, name: 'PASSWORD_REQUIRED', message: 'this room needs a password' },
  { code: 11, name: 'HANDSHAKE_TIMEOUT', message: 'the handshake took too long' },
  { code: 12, name: 'INTERNAL_ERROR', message: 'the server failed to handle the request' },
  // encrypted transport (#16): the host admits encrypted members only; this request came in clear.
  { code: 13, name: 'ENCRYPTION_REQUIRED', message: 'encrypted members only: this host refuses plain connections' },
] as const;

type Entry = (typeof STATUSES)[number];

/** Status codes by name (Status.WRONG_PASSWORD === 3). */
export const Status = Object.freeze(Object.fromEntries(STATUSES.map((s) => [s.name, s.code]))) as {
  readonly [E in Entry as E['name']]: E['code'];
};

export type StatusCode = Entry['code'];
export type StatusName = Entry['name'];

const BY_CODE = new Map<number, Entry>(STATUSES.map((s) => [s.code, s]));

export function statusName(code: number): StatusName | `UNKNOWN_${number}` {
  return BY_CODE.get(code)?.name ?? `UNKNOWN_${code}`;
}

export function statusMessage(code: number): string {
  return BY_CODE.get(code)?.message ?? `unknown status ${code}`;
}
