// One readable line for each way joining or creating a room can fail.
import { formatHostAddress } from '../../src-shared/address.js';

export interface ConnectTarget {
  host: string;
  port: number;
  room: string;
  name: string;
  mode: 'create' | 'join';
}

interface CodedError {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

function causeCode(err: CodedError): string | null {
  const cause = err.cause as CodedError | undefined;
  return cause && typeof cause.code === 'string' ? cause.code : null;
}

const SOCKET_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'name lookup failed',
};

export function describeConnectError(err: unknown, target: ConnectTarget): string {
  const address = formatHostAddress({ host: target.host, port: target.port });
  const coded = (typeof err === 'object' && err !== null ? err : {}) as CodedError;
  const code = typeof coded.code === 'string' ? coded.code : '';
  const message = typeof coded.message === 'string' ? coded.message : String(err);
  const room = JSON.stringify(target.room);
  switch (code) {
    case 'ROOM_EXISTS':
      return `room ${room} already exists on ${address}; pick another name or join it`;
    case 'NO_SUCH_ROOM':
      return `there is no room ${room} on ${address}`;
    case 'WRONG_PASSWORD':
      return `wrong password for room ${room}`;
    case 'PASSWORD_REQUIRED':
      // Mostly reached with no terminal to ask on; not --password, which shows in the process list.
      return `room ${room} needs a password: set TINCAN_PASSWORD, or type it when a terminal asks for it`;
    case 'NAME_TAKEN':
      return `the name ${JSON.stringify(target.name)} is already taken in room ${room}; pick another with --name`;
    case 'ROOM_FULL':
      return `room ${room} is full`;
    case 'SERVER_FULL':
      return `the server at ${address} is full, try again later`;
    // Not only wrong passwords: an address also spends its budgets on new rooms, on requests that
    // cost a password hash and on answers about rooms (PROTOCOL.md §1), so name them all.
    case 'RATE_LIMITED':
      return `the server at ${address} is refusing requests from this address for now (too many attempts: wrong passwords, new rooms or joins of missing rooms); wait a while and try again`;
    case 'UNREACHABLE': {
      const reason = SOCKET_REASONS[causeCode(coded) ?? ''] ?? message;
      return `cannot reach ${address} (${reason}); is a Tincan server running there?`;
    }
    // encrypted transport (#16)
    case 'CERTIFICATE_MISMATCH':
      return `refusing ${address}: it presented certificate ${String((coded as { presented?: unknown }).presented)}, not the pinned ${String((coded as { expected?: unknown }).expected)}; someone may be intercepting the connection`;
    case 'CERTIFICATE_CHANGED':
      return `refusing ${address}: its certificate changed from ${String((coded as { expected?: unknown }).expected)} to ${String((coded as { presented?: unknown }).presented)}; someone may be intercepting the connection. If the host really made a new identity, check the new fingerprint with the host and run again with --fingerprint ${String((coded as { presented?: unknown }).presented)} to trust it`;
    case 'ENCRYPTION_REQUIRED':
      return `${address} admits encrypted members only; connect without --plain (the Tincan client encrypts by default)`;
    case 'DOWNGRADE':
      return `refusing ${address}: it answered without TLS, but it spoke TLS before (or its fingerprint is pinned); someone may be stripping the encryption. If the host really turned TLS off, --plain connects in clear`;
    case 'TIMEOUT':
      return `${address} did not answer in time; is it a Tincan server, and is the port open?`;
    case 'PROTOCOL':
      return `${address} does not speak the chat protocol: ${message}`;
    default:
      return code && !message.includes(code) ? `${message} (${code})` : message;
  }
}
