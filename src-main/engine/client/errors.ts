// Errors the client library throws or rejects with. Each carries a stable `code` a UI can switch on.
import { statusMessage, statusName } from '../../../src-shared/protocol/index.js';

/** Codes that are not TCRP statuses: the server could not be reached, did not answer in time, or spoke nonsense. */
export type TransportFailure = 'UNREACHABLE' | 'TIMEOUT' | 'PROTOCOL' | 'ABORTED' | 'TLS_FAILED';

/** The TCRP exchange failed: `code` is a status name from status.ts (`status` set) or a transport failure (`status` null). */
export class HandshakeError extends Error {
  override name = 'HandshakeError';
  readonly code: string;
  readonly status: number | null;

  constructor(code: string, status: number | null, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.status = status;
  }

  /** The server answered with a non-OK status. */
  static fromStatus(status: number): HandshakeError {
    return new HandshakeError(statusName(status), status, statusMessage(status));
  }

  static transport(code: TransportFailure, message: string, cause?: unknown): HandshakeError {
    return new HandshakeError(code, null, message, cause === undefined ? undefined : { cause });
  }
}

// encrypted transport (#16)
/**
 * The server's identity is not the one expected (PROTOCOL.md, "Encrypted transport"): nothing was
 * sent. CERTIFICATE_MISMATCH: a pinned fingerprint (invite, --fingerprint) was not presented;
 * CERTIFICATE_CHANGED: a known host presents a new certificate (the user may choose to trust it);
 * DOWNGRADE: a server expected to speak TLS answered without it.
 */
export class TrustError extends HandshakeError {
  override name = 'TrustError';
  constructor(
    code: 'CERTIFICATE_MISMATCH' | 'CERTIFICATE_CHANGED' | 'DOWNGRADE',
    message: string,
    /** The server as the known-hosts store names it (`host:port`). */
    readonly hostKey: string,
    /** The fingerprint we expected ('plain' never: a plain server expecting TLS is a DOWNGRADE). */
    readonly expected: string,
    /** What the server presented: a fingerprint, or null when it did not speak TLS. */
    readonly presented: string | null,
  ) {
    super(code, null, message);
  }
}

/**
 * send() while there is no session (before connect, while reconnecting, after close). A RangeError,
 * like the "text too long" case, so a caller can guard send() with one check.
 */
export class NotConnectedError extends RangeError {
  override name = 'NotConnectedError';
  readonly code = 'NOT_CONNECTED';
}

/** An ERROR datagram from a Tincan server, or a problem on the UDP socket, reported through the 'error' event. */
export class ChatSessionError extends Error {
  override name = 'ChatSessionError';
  constructor(
    readonly code: string,
    message: string,
    /** The id of the message the server refused, when it said which (CHAT_ERROR). */
    readonly chatId?: number,
  ) {
    super(message);
  }
}
