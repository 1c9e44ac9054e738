// What the engine or the OS threw, turned into a ServiceError with a stable code. One function per
// place an error can come from, each matching the types that place throws: no guessing by shape.
import { parseHostAddress } from '../../src-shared/address.js';
import { HandshakeError, NotConnectedError, TrustError } from '../engine/index.js';
import { ServiceError } from './service-error.js';

export function capitalize(text: string): string {
  return text.length > 0 ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

function messageOf(err: unknown): string {
  return capitalize(err instanceof Error ? err.message : String(err));
}

/** Anything we did not expect: a bug, reported as INTERNAL with its message. */
export function unexpectedFailure(err: unknown): ServiceError {
  if (err instanceof ServiceError) return err;
  return new ServiceError('INTERNAL', messageOf(err));
}

/** ChatClient.connect() rejects with a HandshakeError: a TCRP status name or a transport failure. */
export function connectFailure(err: unknown): ServiceError {
  if (!(err instanceof HandshakeError)) return unexpectedFailure(err);
  const error = ServiceError.foreign(err.code, messageOf(err));
  // encrypted transport (#16): a changed certificate is the user's decision, so it says what changed.
  if (err instanceof TrustError && err.code === 'CERTIFICATE_CHANGED' && err.presented !== null) {
    const { host, port } = parseHostAddress(err.hostKey, 0);
    error.certificateChange = { host, port, known: err.expected, presented: err.presented };
  }
  return error;
}

/**
 * ChatClient.send() throws NotConnectedError without a session and a RangeError for a text that does
 * not fit. (An empty text is refused before send() is called, so a RangeError here means too long.)
 */
export function sendFailure(err: unknown): ServiceError {
  if (err instanceof NotConnectedError) return new ServiceError('NOT_CONNECTED', messageOf(err));
  if (err instanceof RangeError) return new ServiceError('TEXT_TOO_LONG', messageOf(err));
  return unexpectedFailure(err);
}

/** Node's system errors carry an errno name in `code`; they have no class of their own. */
function isSystemError(err: unknown): err is NodeJS.ErrnoException & { code: string } {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
}

/** ChatServer.listen() fails with a system error of the TCP or UDP socket. */
export function listenFailure(err: unknown): ServiceError {
  if (err instanceof ServiceError) return err;
  if (!isSystemError(err)) return unexpectedFailure(err);
  switch (err.code) {
    case 'EADDRINUSE':
      return new ServiceError(
        'PORT_IN_USE',
        'That port is already in use on this computer. Pick another port (or 0 for any free one).',
      );
    case 'EACCES':
      return new ServiceError(
        'PORT_DENIED',
        'This computer does not allow listening on that port. Try a port above 1024.',
      );
    case 'EADDRNOTAVAIL':
      return new ServiceError('BAD_INTERFACE', 'That interface address is not available on this computer.');
    default:
      return ServiceError.foreign(err.code, messageOf(err));
  }
}
