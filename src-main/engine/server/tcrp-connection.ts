// One TCP connection's TCRP transaction: read exactly one request frame (incrementally, with a
// deadline), validate it, let admission decide, reply status (+ token), half-close, then read the
// optional 2-byte UDP port for a grace period and close. When the first two bytes open a TLS record
// and the server has an identity, the same transaction runs inside TLS 1.3 (PROTOCOL.md, "Encrypted
// transport"); the handshake deadline then covers the TLS handshake too.
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import {
  chooseCipher,
  checkRoomName,
  checkUsername,
  detectTransport,
  encodeFrame,
  exporterContext,
  encodeSessionInfo,
  encodeStatusPayload,
  IMPLIED_CIPHER_OFFER,
  isOperation,
  MESSAGE_TEXT_MAX_BYTES,
  parseRequestPayload,
  RESUME_PROOF_BYTES,
  RESUME_PROOF_LABEL,
  SealedCipher,
  State,
  Status,
  statusName,
  TcrpDecodeError,
  TcrpDecoder,
  negotiateDialect,
  UDP_SECRET_BYTES,
  UDP_SECRET_LABEL,
  utf8DecodeStrict,
  type CipherOffer,
  type SealedCipherId,
  type StatusCode,
  type TcrpFrame,
} from '../../../src-shared/protocol/index.js';
import type { Logger } from '../log.js';
import type { AdmissionRequest, AdmissionResult, CommitCheck } from './admission.js';
import type { ServerCounters } from './counters.js';
import { announcedHeartbeatMs } from './options.js';
import type { Member } from './room-registry.js';

/** Bytes a client may send after its request frame: the optional big-endian UDP port. */
const PORT_BYTES = 2;

export interface ConnectionSettings {
  handshakeTimeoutMs: number;
  portGraceMs: number;
  maxPayloadBytes: number;
  heartbeatIntervalMs: number;
  inactivityTimeoutMs: number;
  /** Messages a room keeps for catch-up; told to a client that asks for them. */
  historySize: number;
}

export interface ConnectionHooks {
  admit(req: AdmissionRequest, check: CommitCheck): Promise<AdmissionResult>;
  /**
   * The seat is taken and its TLS secrets (if any) exported; the completion is written next.
   * `cipher` is the one chosen from the request's offer for the member's own keys.
   */
  admitted(member: Member, cipher: SealedCipherId): void;
  /** The client told us its UDP port over TCP. */
  portLearned(member: Member, port: number): void;
  /** The request phase ended (replied or closed): the connection no longer counts as pending. */
  settled(conn: TcrpConnection): void;
  closed(conn: TcrpConnection): void;
}

type Phase = 'reading' | 'deciding' | 'grace' | 'draining' | 'closed';

export class TcrpConnection {
  private phase: Phase = 'reading';
  private readonly decoder: TcrpDecoder;
  private timer: NodeJS.Timeout | null = null;
  /** Operation byte of the request as soon as it is known, to echo in early replies. */
  private operationSeen = 0;
  private receivedBytes = 0;
  /** Bytes after the request frame (the UDP port); more than PORT_BYTES makes the request bad. */
  private readonly extra = Buffer.alloc(PORT_BYTES);
  private extraFill = 0;
  private extraOverflow = false;
  private member: Member | null = null;
  /** Until the first bytes tell TLS from TCRP (only asked when the server has an identity). */
  private transport: 'undecided' | 'tcrp' | 'tls';
  /** The first bytes while they cannot tell yet (at most one). */
  private peeked: Buffer | null = null;
  /** Inside TLS, once its handshake is done. */
  private secure = false;
  private readonly onRawData = (chunk: Buffer): void => this.onData(chunk);
  private readonly onRawEnd = (): void => this.onEnd();

  constructor(
    private socket: Socket,
    readonly ip: string,
    private readonly settings: ConnectionSettings,
    /** When set, the request is answered with this status whatever it asks (caps reached). */
    private readonly refuse: { status: Exclude<StatusCode, typeof Status.OK>; reason: string } | null,
    private readonly hooks: ConnectionHooks,
    private readonly log: Logger,
    private readonly counters: ServerCounters,
    /** The host identity's TLS context; null: this server speaks TCRP only. */
    private readonly tls: SecureContext | null = null,
  ) {
    this.decoder = new TcrpDecoder({ maxPayloadBytes: settings.maxPayloadBytes });
    this.transport = tls ? 'undecided' : 'tcrp';
    socket.setNoDelay(true);
    socket.on('data', this.onRawData);
    socket.on('end', this.onRawEnd);
    socket.on('error', (err) => this.log.debug('tcp-error', { ip: this.ip, err }));
    socket.on('close', () => this.onClose());
    this.timer = setTimeout(() => this.onHandshakeTimeout(), settings.handshakeTimeoutMs);
  }

  /**
   * A connection a primary accepted and routed here: the bytes it already read, and how long ago it
   * accepted it (the handshake deadline counts from then).
   */
  adopted(bytes: Buffer, elapsedMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.onHandshakeTimeout(), Math.max(0, this.settings.handshakeTimeoutMs - elapsedMs));
    if (bytes.length > 0) this.onData(bytes);
  }

  get pending(): boolean {
    return this.phase === 'reading' || this.phase === 'deciding';
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    switch (this.phase) {
      case 'reading':
        return this.transport === 'undecided' ? this.sniff(chunk) : this.read(chunk);
      case 'deciding':
        return this.keepExtra(chunk);
      case 'grace':
        this.keepExtra(chunk);
        return this.maybePort();
      default:
        return; // draining: discard, so closing does not reset the connection over unread bytes
    }
  }

  /** Tells a ClientHello from a TCRP request by the first two bytes; nothing read is lost either way. */
  private sniff(chunk: Buffer): void {
    const first = this.peeked ? Buffer.concat([this.peeked, chunk]) : chunk;
    const kind = detectTransport(first);
    if (kind === 'undecided') {
      this.peeked = first;
      this.receivedBytes = first.length;
      return;
    }
    this.peeked = null;
    this.receivedBytes = 0;
    this.transport = kind;
    if (kind === 'tcrp') this.read(first);
    else this.startTls(first);
  }

  /**
   * Hands the raw socket to a server-side TLSSocket, the bytes read so far put back first so TLS
   * parses them as the start of the ClientHello. From then on only decrypted bytes reach read():
   * nothing that arrived in clear can be taken as part of the request (CVE-2011-0411).
   */
  private startTls(first: Buffer): void {
    const raw = this.socket;
    raw.pause();
    raw.off('data', this.onRawData);
    raw.off('end', this.onRawEnd);
    raw.unshift(first);
    const secured = new TLSSocket(raw, { isServer: true, secureContext: this.tls ?? undefined });
    secured.on('secure', () => {
      this.secure = true;
    });
    secured.on('data', this.onRawData);
    secured.on('end', this.onRawEnd);
    secured.on('error', (err) => {
      this.log.debug('tls-error', { ip: this.ip, err });
      secured.destroy();
    });
    this.socket = secured;
  }

  private read(chunk: Buffer): void {
    if (this.receivedBytes < 2 && chunk.length > 1 - this.receivedBytes)
      this.operationSeen = chunk[1 - this.receivedBytes] ?? 0;
    this.receivedBytes += chunk.length;
    let frame: TcrpFrame | undefined;
    let used: number;
    try {
      const result = this.decoder.push(chunk, 1);
      frame = result.frames[0];
      used = result.used;
    } catch (err) {
      if (!(err instanceof TcrpDecodeError)) {
        this.log.error('handshake-failed', { ip: this.ip, err });
        this.fail(Status.INTERNAL_ERROR, 'decoder failure', this.operationSeen, new Uint8Array(0));
        return;
      }
      const status = err.code === 'PAYLOAD_TOO_LARGE' ? Status.TOO_LARGE : Status.BAD_REQUEST;
      // The body was never read, so the room name cannot be echoed: the reply carries an empty room.
      this.fail(status, err.message, err.header[1] ?? 0, new Uint8Array(0));
      return;
    }
    if (!frame) return;
    this.keepExtra(chunk.subarray(used));
    this.clearTimer();
    this.phase = 'deciding';
    this.decide(frame).catch((err: unknown) => {
      this.log.error('handshake-failed', { ip: this.ip, err });
      this.fail(Status.INTERNAL_ERROR, 'internal error', frame.operation, frame.room);
    });
  }

  private keepExtra(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const room = PORT_BYTES - this.extraFill;
    if (bytes.length > room) this.extraOverflow = true;
    const take = Math.min(room, bytes.length);
    this.extra.set(bytes.subarray(0, take), this.extraFill);
    this.extraFill += take;
  }

  private async decide(frame: TcrpFrame): Promise<void> {
    const op = frame.operation;
    const bad = (reason: string): void => this.fail(Status.BAD_REQUEST, reason, op, frame.room);
    if (frame.state !== State.REQUEST) return bad(`state ${frame.state} is not a request`);
    if (!isOperation(op)) return bad(`unknown operation ${op}`);
    if (this.extraOverflow) return bad('trailing bytes after the request');
    const room = utf8DecodeStrict(frame.room);
    if (room === null) return bad('room name is not UTF-8');
    const roomProblem = checkRoomName(room);
    if (roomProblem) return bad(`room name: ${roomProblem}`);
    const parsed = parseRequestPayload(frame.payload);
    if (typeof parsed === 'string') return bad(`payload: ${parsed}`);
    // From here on `dialect` is the version both sides speak, not the one offered.
    const request = { ...parsed, dialect: negotiateDialect(parsed.dialect) };
    const nameProblem = checkUsername(request.username);
    if (nameProblem) return bad(`username: ${nameProblem}`);
    const cipher = this.chosenCipher(request);
    if (typeof cipher === 'string') return bad(cipher);
    if (this.refuse) return this.fail(this.refuse.status, this.refuse.reason, op, frame.room, room);

    const check: CommitCheck = () => {
      if (this.socket.destroyed || this.phase !== 'deciding')
        return { status: Status.INTERNAL_ERROR, reason: 'client went away' };
      if (this.extraOverflow) return { status: Status.BAD_REQUEST, reason: 'trailing bytes after the request' };
      return null;
    };
    const result = await this.hooks.admit({ operation: op, room, request, ip: this.ip, encrypted: this.secure }, check);
    if (result.status !== Status.OK)
      return this.fail(result.status, result.reason, op, frame.room, room, request.username);

    const member = result.member;
    this.member = member;
    if (this.secure) this.exportSecrets(member, frame.room);
    this.hooks.admitted(member, cipher);
    const tincan = request.dialect > 0;
    // What the member has seen is only known for a resumed session of this same room.
    if (tincan && request.catchUp) member.catchUpAfter = result.resumed ? request.catchUp.since : 0;
    member.typing = tincan && request.typing === true;
    const completion = tincan
      ? encodeSessionInfo({
          tincan: member.dialect,
          token: member.token,
          role: member.host ? 'host' : 'member',
          heartbeatMs: announcedHeartbeatMs(this.settings),
          inactivityMs: this.settings.inactivityTimeoutMs,
          maxTextBytes: MESSAGE_TEXT_MAX_BYTES,
          ...(result.resumed ? { resumed: true } : {}),
          ...(request.catchUp && this.settings.historySize > 0 ? { history: this.settings.historySize } : {}),
          ...(member.sealed !== null
            ? {
                sealed: {
                  session: member.sealed.sessionId.toString('hex'),
                  cipher: member.sealed.cipher,
                  epoch: member.room.keyEpoch,
                },
              }
            : {}),
          ...(member.typing ? { typing: true } : {}),
          ...(member.room.encryptedOnly ? { encryptedOnly: true } : {}),
        })
      : member.tokenBytes;
    this.counters.countHandshake('OK');
    this.log.info('handshake-ok', {
      ip: this.ip,
      op: op === 1 ? 'create' : 'join',
      room,
      name: member.name,
      dialect: tincan ? 'tincan' : 'plain',
      resumed: result.resumed,
    });
    this.socket.write(
      Buffer.concat([
        encodeFrame({
          operation: op,
          state: State.RESPONSE,
          room: frame.room,
          payload: encodeStatusPayload(Status.OK),
        }),
        encodeFrame({ operation: op, state: State.COMPLETION, room: frame.room, payload: completion }),
      ]),
    );
    this.phase = 'grace';
    this.hooks.settled(this);
    this.socket.end();
    this.timer = setTimeout(() => this.socket.destroy(), this.settings.portGraceMs);
    this.maybePort();
  }

  /**
   * The cipher of the member's own keys, or why the offer is refused. Only a Tincan request inside
   * TLS gets a secret, so only there does `ciphers` count; absent, it offers AES-256-GCM alone.
   */
  private chosenCipher(request: { dialect: number; ciphers?: CipherOffer }): SealedCipherId | string {
    if (!this.secure || request.dialect === 0) return SealedCipher.AES_256_GCM;
    const offer = request.ciphers ?? { ids: IMPLIED_CIPHER_OFFER };
    if ('problem' in offer) return `ciphers: ${offer.problem}`;
    return chooseCipher(offer.ids) ?? `ciphers: none supported (offered ${offer.ids.join(', ')})`;
  }

  /** The seat's secrets, derived from this TLS session before the connection closes. */
  private exportSecrets(member: Member, room: Uint8Array): void {
    const tls = this.socket as TLSSocket;
    const context = exporterContext(room, member.tokenBytes);
    member.udpSecret = tls.exportKeyingMaterial(UDP_SECRET_BYTES, UDP_SECRET_LABEL, Buffer.from(context));
    member.resumeProof = tls.exportKeyingMaterial(RESUME_PROOF_BYTES, RESUME_PROOF_LABEL, Buffer.from(context));
  }

  /** Once two bytes followed the request, they are the member's UDP port. */
  private maybePort(): void {
    if (this.phase !== 'grace' || this.extraFill < PORT_BYTES || !this.member) return;
    const port = this.extra.readUInt16BE(0);
    const member = this.member;
    this.member = null;
    if (port !== 0 && member.active) this.hooks.portLearned(member, port);
    this.socket.destroy();
  }

  /** Replies a non-OK status and closes after the grace period (reading and discarding meanwhile). */
  private fail(
    status: StatusCode,
    reason: string,
    op: number,
    roomBytes: Uint8Array,
    room?: string,
    name?: string,
  ): void {
    if (this.phase === 'grace' || this.phase === 'draining' || this.phase === 'closed') return;
    this.clearTimer();
    if (this.transport === 'tls' && !this.secure) {
      // A TLS handshake that stalled or broke: there is no channel to answer on.
      this.counters.countHandshake(statusName(status));
      this.log.info('handshake-refused', { ip: this.ip, status: statusName(status), reason: `TLS: ${reason}` });
      this.phase = 'draining';
      this.hooks.settled(this);
      this.socket.destroy();
      return;
    }
    this.counters.countHandshake(statusName(status));
    this.log.info('handshake-refused', {
      ip: this.ip,
      status: statusName(status),
      code: status,
      reason,
      op,
      room,
      name,
    });
    if (!this.socket.destroyed) {
      this.socket.write(
        encodeFrame({
          operation: op & 0xff,
          state: State.RESPONSE,
          room: roomBytes,
          payload: encodeStatusPayload(status),
        }),
      );
      this.socket.end();
    }
    this.phase = 'draining';
    this.hooks.settled(this);
    this.timer = setTimeout(() => this.socket.destroy(), this.settings.portGraceMs);
  }

  private onHandshakeTimeout(): void {
    this.timer = null;
    if (this.phase !== 'reading') return;
    this.fail(
      Status.HANDSHAKE_TIMEOUT,
      `no complete request within ${this.settings.handshakeTimeoutMs} ms`,
      this.operationSeen,
      new Uint8Array(0),
    );
  }

  private onEnd(): void {
    // The client will send nothing more. In the request phase it can no longer complete a request.
    if (this.phase === 'reading') {
      if (this.receivedBytes > 0) {
        // Half of a request and a FIN: say so (the client can still read), then close.
        this.fail(Status.BAD_REQUEST, 'connection ended mid-request', this.operationSeen, new Uint8Array(0));
        return;
      }
      this.counters.countHandshake('ABANDONED');
      this.log.debug('handshake-abandoned', { ip: this.ip });
      this.socket.destroy();
    } else if (this.phase === 'grace' || this.phase === 'draining') {
      this.socket.destroy();
    }
    // 'deciding': keep the socket to send the reply; the client may still read it.
  }

  private onClose(): void {
    const wasPending = this.pending;
    this.phase = 'closed';
    this.clearTimer();
    if (wasPending) this.hooks.settled(this);
    this.hooks.closed(this);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
