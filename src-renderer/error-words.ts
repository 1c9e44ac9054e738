// An API failure in plain words, with the form field it concerns. Raw codes and socket errors
// ("ECONNREFUSED", "RoomNameSize 72 is outside 1..28") go to a details line, never the message.

export type FormField = 'address' | 'room' | 'username' | 'password' | 'port' | 'bindHost';

export interface PlainError {
  /** The field at fault, or null when the whole request failed. */
  field: FormField | null;
  text: string;
  /** What the API said, for a details line; null when `text` already is that. */
  details: string | null;
}

// Codes whose message the service already writes in plain words for the user.
const PLAIN: Record<string, FormField | null> = {
  BAD_ADDRESS: 'address',
  PORT_IN_USE: 'port',
  PORT_DENIED: 'port',
  BAD_INTERFACE: 'bindHost',
  ALREADY_IN_ROOM: 'room',
  NO_SUCH_MEMBER: null,
  NOT_CONNECTED: null,
  TEXT_TOO_LONG: null,
  NO_SUCH_SESSION: null,
  FORBIDDEN: null,
  NO_API: null,
  SERVER_RUNNING: null,
};

// Codes whose message is technical: our words, theirs in the details.
const WORDED: Record<string, [FormField | null, string]> = {
  UNREACHABLE: [
    'address',
    'Could not reach that address. Check the host address and port, and that the room is still hosted.',
  ],
  TIMEOUT: ['address', 'No answer from that address. Check the host address and port.'],
  PROTOCOL: ['address', 'That address did not answer like a Tincan server. Check the host address and port.'],
  NO_SUCH_ROOM: ['room', 'There is no room with that name on this server. Check the spelling with the host.'],
  ROOM_EXISTS: ['room', 'A room with that name already exists on this server. Pick another name.'],
  NAME_TAKEN: ['username', 'Someone in this room already uses that name. Pick another display name.'],
  WRONG_PASSWORD: ['password', 'Wrong password. Please try again.'],
  PASSWORD_REQUIRED: ['password', 'This room needs a password.'],
  SERVER_FULL: [null, 'The server is full. Try again later.'],
  ROOM_FULL: [null, 'The room is full. Try again later.'],
  RATE_LIMITED: [null, 'Too many attempts. Wait a moment, then try again.'],
  ABORTED: [null, 'Joining was cancelled.'],
  BAD_REQUEST: [null, 'The server refused the request.'],
  TOO_LARGE: [null, 'The server refused the request as too large.'],
  HANDSHAKE_TIMEOUT: [null, 'The server gave up waiting. Please try again.'],
  INTERNAL_ERROR: [null, 'The server could not handle the request. Please try again.'],
  // encrypted transport (#16): nothing was sent to the host, and there is no "connect anyway".
  CERTIFICATE_MISMATCH: [
    'address',
    "This host's certificate is not the one your invite names, so nothing was sent. Someone may be posing as the host: ask the host for a new invite.",
  ],
  DOWNGRADE: [
    'address',
    'This host answered without encryption, though it is known to use it, so nothing was sent. Someone may be in the way: check with the host.',
  ],
  TLS_FAILED: [
    'address',
    'The encrypted connection to this host could not be set up. Check the host address and port.',
  ],
  ENCRYPTION_REQUIRED: [
    null,
    'This room admits encrypted members only, and this connection could not be encrypted. Check with the host.',
  ],
};

/** BAD_NAME carries which name is wrong only in its message. */
function nameField(message: string): FormField | null {
  if (/room name/i.test(message)) return 'room';
  if (/display name|username/i.test(message)) return 'username';
  if (/password/i.test(message)) return 'password';
  return null;
}

export function explainError(code: string | null, message: string): PlainError {
  if (code === 'BAD_NAME') return { field: nameField(message), text: message, details: null };
  if (code !== null && code in PLAIN) return { field: PLAIN[code] ?? null, text: message, details: null };
  const worded = code === null ? undefined : WORDED[code];
  if (worded) {
    const [field, text] = worded;
    // A message that only repeats our words adds nothing.
    const said = message.toLowerCase().replace(/[.\s]+$/u, '');
    return { field, text, details: said && !text.toLowerCase().includes(said) ? message : null };
  }
  // An OS or unknown code: say that something failed and keep the raw words for whoever debugs it.
  return {
    field: null,
    text: 'Something went wrong. Please try again.',
    details: code ? `${code}: ${message}` : message,
  };
}
