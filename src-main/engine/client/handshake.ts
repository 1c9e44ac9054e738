// The TCRP exchange on its own: one TCP connection, request → status → token → close. Speaks to any
// spec server; offers the Tincan dialect unless told not to and falls back to plain when the server
// answers with a raw token. Given an encryption policy it runs the exchange inside TLS 1.3, checks
// the server's certificate against a pinned or known fingerprint before writing a byte, and exports
// the session's secrets (PROTOCOL.md, "Encrypted transport").
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import {
  type Completion,
  type SessionInfo,
  checkRoomName,
  checkUsername,
  CIPHER_OFFER_MAX,
  DEFAULT_CIPHER_PREFERENCE,
  describeNameProblem,
  encodeFrame,
  exporterContext,
  encodeRequestPayload,
  isSealedCipherId,
  Operation,
  parseCompletionPayload,
  parseFingerprint,
  parseStatusPayload,
  PASSWORD_MAX_BYTES,
  RESUME_PROOF_BYTES,
  RESUME_PROOF_LABEL,
  ROOM_NAME_MAX_BYTES,
  SEALED_CIPHER_NAMES,
  State,
  Status,
  TcrpDecoder,
  TINCAN_DIALECT_VERSION,
  UDP_SECRET_BYTES,
  UDP_SECRET_LABEL,
  USERNAME_MAX_BYTES,
  utf8ByteLength,
  utf8Encode,
  type SealedCipherId,
} from '../../../src-shared/protocol/index.js';
import { HandshakeError, TrustError } from './errors.js';
import { hostKeyOf, PLAIN_ENTRY, type TrustStore } from './known-hosts.js';
import type { ClientRole, Dialect } from './types.js';

export interface HandshakeOptions {
  host: string;
  port: number;
  room: string;
  username: string;
  password?: string;
  mode: 'create' | 'join';
  /** Offer the Tincan dialect (default true). */
  negotiate?: boolean;
  /** Token of an earlier session to take over (Tincan dialect only). */
  resume?: string | null;
  /** Ask for the room's recent chat, newer than `since` (Tincan dialect only). */
  catchUp?: { since: number } | null;
  /** Offer typing indicators (Tincan dialect only). */
  typing?: boolean;
  /** On create: ask for a room that admits encrypted members only (Tincan dialect, inside TLS). */
  encryptedOnly?: boolean;
  /** Whole exchange, TCP connect included (default 5000 ms). */
  timeoutMs?: number;
  /** Local UDP port to announce after the token (2 bytes, big-endian). */
  udpPort?: number;
  signal?: AbortSignal;
  // encrypted transport (#16)
  /** Speak TLS first (our servers); absent or null: plain TCRP only, as a spec client does. */
  encryption?: EncryptionPolicy | null;
  /** The previous session's resume proof, sent with `resume` inside TLS only. */
  resumeProof?: Uint8Array | null;
  /**
   * Ciphers for the sealed datagrams, most preferred first (default AES-256-GCM, then
   * ChaCha20-Poly1305). Offered inside TLS only; a completion choosing another one is refused.
   */
  ciphers?: readonly SealedCipherId[];
}

/**
 * Whom to trust. With `fingerprint`, no other certificate and no plain answer is accepted. Without
 * it the store decides: a known fingerprint is required again; an unknown server (or one known as
 * plain) is tried with TLS, and one that does not speak TLS is used in clear and remembered so.
 */
export interface EncryptionPolicy {
  fingerprint?: string | null;
  knownHosts?: TrustStore | null;
  /** The name the store keys this server by (default `host:port` of the options). */
  hostKey?: string;
}

/** Completion (state 2) as the client uses it: the token both as raw bytes and as text. */
type SessionResult = ({ kind: 'plain'; info: null } | { kind: 'tincan'; info: SessionInfo }) & {
  /** Raw token bytes, exactly as they go into every datagram. */
  tokenBytes: Uint8Array;
  role: ClientRole;
  dialect: Dialect;
  /** The token as text (Latin-1, so foreign binary tokens survive the round trip). */
  token: string;
  /** The server said it took over our earlier session instead of starting a new one. */
  resumed: boolean;
};

/** The session, and what the connection it was opened on was. */
export type HandshakeResult = SessionResult & {
  // encrypted transport (#16)
  /** Whether the exchange ran inside TLS. */
  transport: 'tls' | 'plain';
  /** The server certificate's fingerprint (TLS only). */
  fingerprint: string | null;
  /**
   * Why that certificate was accepted (TLS only): it matched a pin, the known-hosts entry, or it is
   * the first one seen for this address and is now remembered (trust on first use).
   */
  trust: CertificateTrust | null;
  /** 64 bytes exported for sealing UDP (TLS only). */
  udpSecret: Buffer | null;
  /** What a later resume of this seat presents (TLS only). */
  resumeProof: Buffer | null;
};

export type CertificateTrust = 'pinned' | 'known' | 'first-use';

/** What a TLS exchange expects of the server's certificate. */
interface TlsExpectation {
  /** The fingerprint required, or null to accept any (first use). */
  fingerprint: string | null;
  /** Where the requirement came from, for the error's wording and code. */
  source: 'pinned' | 'known';
  hostKey: string;
}

// The replies we expect are tiny; a larger declared size is a broken or hostile server.
const MAX_REPLY_PAYLOAD_BYTES = 4096;
// How long we keep the socket around after the token, to flush the port announcement.
const LINGER_MS = 1000;

function validate(opts: HandshakeOptions): void {
  const roomProblem = checkRoomName(opts.room);
  if (roomProblem) {
    throw new HandshakeError(
      'BAD_REQUEST',
      null,
      describeNameProblem('the room name', roomProblem, ROOM_NAME_MAX_BYTES),
    );
  }
  const userProblem = checkUsername(opts.username);
  if (userProblem) {
    throw new HandshakeError('BAD_REQUEST', null, describeNameProblem('the username', userProblem, USERNAME_MAX_BYTES));
  }
  if (utf8ByteLength(opts.password ?? '') > PASSWORD_MAX_BYTES) {
    throw new HandshakeError('BAD_REQUEST', null, `the password must be at most ${PASSWORD_MAX_BYTES} bytes`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) {
    throw new HandshakeError('BAD_REQUEST', null, `invalid port ${opts.port}`);
  }
  const ciphers = opts.ciphers;
  if (
    ciphers !== undefined &&
    (ciphers.length === 0 ||
      ciphers.length > CIPHER_OFFER_MAX ||
      new Set(ciphers).size !== ciphers.length ||
      !ciphers.every((id) => isSealedCipherId(id)))
  ) {
    throw new HandshakeError('BAD_REQUEST', null, `invalid cipher preference [${ciphers.join(', ')}]`);
  }
}

/** What the request offers for the sealed datagrams (inside TLS only). */
function cipherOffer(opts: HandshakeOptions): readonly SealedCipherId[] {
  return opts.ciphers ?? DEFAULT_CIPHER_PREFERENCE;
}

/**
 * A TLS completion that seals the session with a cipher the request did not offer: the server
 * ignored the offer (or someone changed it), so the client does not go on.
 */
function unofferedCipher(completion: Completion, opts: HandshakeOptions): HandshakeError | null {
  const cipher = completion.kind === 'tincan' ? completion.info.sealed?.cipher : undefined;
  if (cipher === undefined || cipherOffer(opts).includes(cipher)) return null;
  const offered = cipherOffer(opts)
    .map((id) => SEALED_CIPHER_NAMES[id])
    .join(', ');
  return HandshakeError.transport(
    'PROTOCOL',
    `the server chose cipher ${SEALED_CIPHER_NAMES[cipher]}, which we did not offer (${offered})`,
  );
}

function buildRequest(opts: HandshakeOptions, secure: boolean): Uint8Array {
  const negotiate = opts.negotiate !== false;
  const proof = secure && opts.resumeProof ? Buffer.from(opts.resumeProof).toString('hex') : null;
  const payload = encodeRequestPayload({
    username: opts.username,
    password: opts.password ?? '',
    dialect: negotiate ? TINCAN_DIALECT_VERSION : 0,
    // Resume is a Tincan field: never sent to a server we must treat as plain.
    resume: negotiate ? (opts.resume ?? null) : null,
    catchUp: negotiate ? (opts.catchUp ?? null) : null,
    // The proof never leaves in clear: a sniffed proof would be as good as the seat.
    proof,
    typing: negotiate && opts.typing === true,
    encryptedOnly: negotiate && opts.mode === 'create' && opts.encryptedOnly === true,
    // Only a TLS session has a secret to seal with; in clear the field would mean nothing.
    ciphers: negotiate && secure ? cipherOffer(opts) : null,
  });
  return encodeFrame({
    operation: opts.mode === 'create' ? Operation.CREATE : Operation.JOIN,
    state: State.REQUEST,
    room: utf8Encode(opts.room),
    payload,
  });
}

function finish(completion: Completion, opts: HandshakeOptions): SessionResult {
  const token = Buffer.from(completion.token).toString('latin1');
  if (completion.kind === 'tincan') {
    return {
      kind: 'tincan',
      info: completion.info,
      tokenBytes: completion.token,
      role: completion.info.role,
      dialect: 'tincan',
      token,
      resumed: completion.info.resumed === true,
    };
  }
  const role: ClientRole = opts.mode === 'create' ? 'host' : 'member';
  return { kind: 'plain', info: null, tokenBytes: completion.token, role, dialect: 'plain', token, resumed: false };
}

/**
 * Runs one TCRP transaction, inside TLS when the policy asks for it (see EncryptionPolicy). Rejects
 * with HandshakeError (TrustError for a certificate or downgrade refusal); never leaves a socket or
 * timer behind.
 */
export async function handshake(opts: HandshakeOptions): Promise<HandshakeResult> {
  validate(opts);
  const policy = opts.encryption;
  // The spec dialect is spoken in clear: a spec client has no TLS.
  if (!policy || opts.negotiate === false) return exchange(opts, null);
  const hostKey = policy.hostKey ?? hostKeyOf(opts.host, opts.port);
  const known = policy.fingerprint ? undefined : policy.knownHosts?.get(hostKey);
  const required = policy.fingerprint ?? (known !== undefined && known !== PLAIN_ENTRY ? known : null);
  const expectation: TlsExpectation = {
    fingerprint: required,
    source: policy.fingerprint ? 'pinned' : 'known',
    hostKey,
  };
  try {
    const result = await exchange(opts, expectation);
    // First use, or a pin the user gave: either way this certificate is the one to expect next time.
    if (result.fingerprint && known !== result.fingerprint) policy.knownHosts?.remember(hostKey, result.fingerprint);
    if (result.transport !== 'tls') return result;
    const trust: CertificateTrust = policy.fingerprint ? 'pinned' : required !== null ? 'known' : 'first-use';
    return { ...result, trust };
  } catch (err) {
    if (!(err instanceof HandshakeError) || err.code !== 'TLS_FAILED') throw err;
    if (required !== null) {
      throw new TrustError(
        'DOWNGRADE',
        `${hostKey} did not answer with TLS, but it is expected to (${expectation.source === 'pinned' ? 'pinned fingerprint' : 'it did before'}); refusing to talk to it in clear`,
        hostKey,
        required,
        null,
      );
    }
  }
  // First contact with a server that has no TLS (a spec server): plain, and remembered as such.
  const result = await exchange(opts, null);
  if (known === undefined) policy.knownHosts?.remember(hostKey, PLAIN_ENTRY);
  return result;
}

/** One connection, one transaction: in clear (`tls` null) or inside TLS with that expectation. */
function exchange(opts: HandshakeOptions, tls: TlsExpectation | null): Promise<HandshakeResult> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const request = buildRequest(opts, tls !== null);

  return new Promise<HandshakeResult>((resolve, reject) => {
    const decoder = new TcrpDecoder({ allowEmptyRoom: true, maxPayloadBytes: MAX_REPLY_PAYLOAD_BYTES });
    let connected = false;
    let settled = false;
    let sawOk = false;

    let secured = false;
    let fingerprint: string | null = null;
    // No session is offered for resumption: every connection proves the server's key afresh.
    const socket: Socket = tls
      ? tlsConnect({
          host: opts.host,
          port: opts.port,
          minVersion: 'TLSv1.3',
          maxVersion: 'TLSv1.3',
          // Self-signed: chain validation always fails; the fingerprint check below is the trust.
          rejectUnauthorized: false,
        })
      : tcpConnect({ host: opts.host, port: opts.port });
    socket.setNoDelay(true);

    const timer = setTimeout(() => {
      fail(HandshakeError.transport('TIMEOUT', `no answer from ${opts.host}:${opts.port} within ${timeoutMs} ms`));
    }, timeoutMs);

    const onAbort = (): void => fail(HandshakeError.transport('ABORTED', 'the handshake was cancelled'));
    if (opts.signal?.aborted) {
      queueMicrotask(onAbort);
    } else {
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    }

    function cleanup(): void {
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('data');
      // Errors after we are done (EPIPE, ECONNRESET from a server that already closed) are harmless.
      socket.removeAllListeners('error');
      socket.on('error', () => {});
    }

    function fail(err: HandshakeError): void {
      if (settled) return;
      cleanup();
      socket.destroy();
      reject(err);
    }

    function succeed(session: SessionResult): void {
      if (settled) return;
      // Exported before the connection closes, bound to this room and this seat's token.
      const secrets = tls ? exportSecrets(socket as TLSSocket, opts.room, session.tokenBytes) : null;
      const result: HandshakeResult = {
        ...session,
        transport: tls ? 'tls' : 'plain',
        fingerprint,
        trust: null,
        udpSecret: secrets?.udpSecret ?? null,
        resumeProof: secrets?.resumeProof ?? null,
      };
      cleanup();
      if (opts.udpPort !== undefined && opts.udpPort > 0) {
        socket.end(Uint8Array.of((opts.udpPort >>> 8) & 0xff, opts.udpPort & 0xff));
      } else {
        socket.end();
      }
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
      resolve(result);
    }

    socket.on('connect', () => {
      connected = true;
      if (!tls) socket.write(request);
    });

    socket.on('secureConnect', () => {
      if (!tls) return;
      const presented = parseFingerprint((socket as TLSSocket).getPeerCertificate().fingerprint256 ?? '');
      if (presented === null) {
        fail(HandshakeError.transport('PROTOCOL', 'the server presented no usable certificate'));
        return;
      }
      if (tls.fingerprint !== null && presented !== tls.fingerprint) {
        fail(certificateRefusal(tls, presented));
        return;
      }
      secured = true;
      fingerprint = presented;
      socket.write(request);
    });

    socket.on('data', (chunk: Buffer) => {
      let frames;
      try {
        frames = decoder.push(chunk).frames;
      } catch (err) {
        fail(HandshakeError.transport('PROTOCOL', `malformed reply: ${(err as Error).message}`, err));
        return;
      }
      for (const frame of frames) {
        if (frame.state === State.RESPONSE) {
          const status = parseStatusPayload(frame.payload);
          if (status === null) {
            fail(HandshakeError.transport('PROTOCOL', 'unreadable status in the reply'));
            return;
          }
          if (status !== Status.OK) {
            fail(HandshakeError.fromStatus(status));
            return;
          }
          sawOk = true;
        } else if (frame.state === State.COMPLETION) {
          // Liberal: a completion without a preceding OK still carries a token.
          const completion = parseCompletionPayload(frame.payload);
          if (completion === null) {
            fail(HandshakeError.transport('PROTOCOL', 'unusable token in the reply'));
            return;
          }
          const refusal = tls ? unofferedCipher(completion, opts) : null;
          if (refusal) {
            fail(refusal);
            return;
          }
          succeed(finish(completion, opts));
          return;
        } else {
          fail(HandshakeError.transport('PROTOCOL', `unexpected reply state ${frame.state}`));
          return;
        }
      }
    });

    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (tls && connected && !secured) {
        fail(
          HandshakeError.transport(
            'TLS_FAILED',
            `no TLS handshake with ${opts.host}:${opts.port} (${err.code ?? err.message})`,
            err,
          ),
        );
      } else if (!connected) {
        fail(
          HandshakeError.transport(
            'UNREACHABLE',
            `cannot connect to ${opts.host}:${opts.port} (${err.code ?? err.message})`,
            err,
          ),
        );
      } else {
        fail(
          HandshakeError.transport(
            'PROTOCOL',
            `connection failed during the handshake (${err.code ?? err.message})`,
            err,
          ),
        );
      }
    });

    socket.on('close', () => {
      if (tls && !secured) {
        fail(
          HandshakeError.transport(
            'TLS_FAILED',
            `${opts.host}:${opts.port} closed the connection during the TLS handshake`,
          ),
        );
        return;
      }
      const what = sawOk ? 'after OK but before the token' : 'before answering';
      fail(HandshakeError.transport('PROTOCOL', `the server closed the connection ${what}`));
    });
  });
}

function exportSecrets(socket: TLSSocket, room: string, token: Uint8Array): { udpSecret: Buffer; resumeProof: Buffer } {
  const context = Buffer.from(exporterContext(utf8Encode(room), token));
  return {
    udpSecret: socket.exportKeyingMaterial(UDP_SECRET_BYTES, UDP_SECRET_LABEL, context),
    resumeProof: socket.exportKeyingMaterial(RESUME_PROOF_BYTES, RESUME_PROOF_LABEL, context),
  };
}

function certificateRefusal(tls: TlsExpectation, presented: string): TrustError {
  const expected = tls.fingerprint ?? '';
  return tls.source === 'pinned'
    ? new TrustError(
        'CERTIFICATE_MISMATCH',
        `${tls.hostKey} presented certificate ${presented}, not the pinned ${expected}: refusing to connect (someone may be intercepting the connection)`,
        tls.hostKey,
        expected,
        presented,
      )
    : new TrustError(
        'CERTIFICATE_CHANGED',
        `the certificate of ${tls.hostKey} changed: it was ${expected}, it is now ${presented}. If the host made a new identity, trust the new certificate; otherwise someone may be intercepting the connection`,
        tls.hostKey,
        expected,
        presented,
      );
}
