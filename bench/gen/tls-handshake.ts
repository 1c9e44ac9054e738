// An encrypted member's handshake, exactly as our client does it: the engine's own `handshake()` —
// TLS 1.3 with the relay's certificate fingerprint pinned, TCRP inside, the UDP secret exported
// from the TLS session — and the sealed session its completion names.
import { HandshakeError, SealedChannel, TrustError, handshake } from '../../src-main/engine/index.js';
import { NO_STATUS } from './handshake.js';

export interface TlsHandshakeSpec {
  host: string;
  port: number;
  fingerprint: string;
  create: boolean;
  room: string;
  username: string;
  password: string;
  /** UDP port the member listens on, announced after the token (inside TLS). */
  udpPort: number;
  timeoutMs: number;
}

/** Status we report for a certificate or downgrade refusal: final, never retried. */
export const TRUST_REFUSED = -2;

export type TlsHandshakeOutcome = { ok: true; channel: SealedChannel } | { ok: false; status: number; reason: string };

export async function tlsHandshake(spec: TlsHandshakeSpec): Promise<TlsHandshakeOutcome> {
  try {
    const result = await handshake({
      host: spec.host,
      port: spec.port,
      room: spec.room,
      username: spec.username,
      password: spec.password,
      mode: spec.create ? 'create' : 'join',
      udpPort: spec.udpPort,
      timeoutMs: spec.timeoutMs,
      // The pin refuses any other certificate and any plain answer (no downgrade).
      encryption: { fingerprint: spec.fingerprint },
    });
    const sealed = result.info?.sealed;
    if (result.transport !== 'tls' || result.udpSecret === null || !sealed)
      return { ok: false, status: NO_STATUS, reason: 'the relay did not seal the session' };
    return { ok: true, channel: new SealedChannel(result.udpSecret, sealed) };
  } catch (err) {
    if (err instanceof TrustError) return { ok: false, status: TRUST_REFUSED, reason: err.code };
    if (err instanceof HandshakeError) return { ok: false, status: err.status ?? NO_STATUS, reason: err.code };
    return { ok: false, status: NO_STATUS, reason: (err as Error).message };
  }
}
