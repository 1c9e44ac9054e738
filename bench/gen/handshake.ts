// One TCRP transaction over a raw TCP socket, as a user's client does it: request → status → token,
// then the optional 2-byte UDP port, then FIN. No timers beyond one timeout per connection.
import net from 'node:net';
import {
  Operation,
  State,
  Status,
  TcrpDecoder,
  encodeFrame,
  encodeRequestPayload,
  parseCompletionPayload,
  parseStatusPayload,
  TINCAN_DIALECT_VERSION,
} from '../../src-shared/protocol/index.js';

export interface HandshakeRequestSpec {
  host: string;
  port: number;
  localAddress?: string;
  create: boolean;
  room: Uint8Array;
  username: string;
  password: string;
  tincan: boolean;
  /** UDP port the user listens on; announced after the token like our client does. 0 = don't. */
  udpPort: number;
  timeoutMs: number;
}

export type HandshakeOutcome =
  { ok: true; token: Uint8Array; tincan: boolean } | { ok: false; status: number; reason: string };

/** Status code we report for failures that never produced a status byte. */
export const NO_STATUS = -1;

export function handshake(spec: HandshakeRequestSpec): Promise<HandshakeOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let status: number | null = null;
    const decoder = new TcrpDecoder({ maxPayloadBytes: 1024, allowEmptyRoom: true });
    const socket = net.connect({ host: spec.host, port: spec.port, localAddress: spec.localAddress, noDelay: true });
    const finish = (outcome: HandshakeOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (outcome.ok && spec.udpPort > 0) {
        const port = Buffer.allocUnsafe(2);
        port.writeUInt16BE(spec.udpPort, 0);
        socket.end(port);
      } else {
        socket.end();
      }
      // A server that never closes must not keep the socket (and the process) alive.
      socket.setTimeout(2_000, () => socket.destroy());
      resolve(outcome);
    };
    const timer = setTimeout(
      () => finish({ ok: false, status: NO_STATUS, reason: `timeout after ${spec.timeoutMs} ms` }),
      spec.timeoutMs,
    );
    socket.on('connect', () => {
      const payload = encodeRequestPayload({
        username: spec.username,
        password: spec.password,
        dialect: spec.tincan ? TINCAN_DIALECT_VERSION : 0,
      });
      socket.write(
        encodeFrame({
          operation: spec.create ? Operation.CREATE : Operation.JOIN,
          state: State.REQUEST,
          room: spec.room,
          payload,
        }),
      );
    });
    socket.on('data', (chunk: Buffer) => {
      if (settled) return;
      let frames;
      try {
        frames = decoder.push(chunk).frames;
      } catch (err) {
        finish({ ok: false, status: NO_STATUS, reason: `bad reply: ${(err as Error).message}` });
        return;
      }
      for (const frame of frames) {
        if (frame.state === State.RESPONSE) {
          status = parseStatusPayload(frame.payload);
          if (status !== Status.OK) {
            finish({ ok: false, status: status ?? NO_STATUS, reason: `status ${String(status)}` });
            return;
          }
        } else if (frame.state === State.COMPLETION) {
          const completion = parseCompletionPayload(frame.payload);
          if (!completion) {
            finish({ ok: false, status: NO_STATUS, reason: 'unusable token payload' });
          } else {
            finish({ ok: true, token: completion.token, tincan: completion.kind === 'tincan' });
          }
          return;
        }
      }
    });
    socket.on('error', (err) => finish({ ok: false, status: NO_STATUS, reason: err.message }));
    socket.on('close', () => finish({ ok: false, status: status ?? NO_STATUS, reason: 'closed before the token' }));
  });
}
