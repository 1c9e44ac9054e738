// The client's way back after the server stopped answering: wait with exponential backoff, hand-
// shake again (offering the old token so the server can resume our session), and give up after a
// number of attempts or at once when retrying cannot help.
import { setTimeout as sleep } from 'node:timers/promises';
import type { StatusName } from '../../../src-shared/protocol/index.js';
import { backoffDelay } from './backoff.js';
import { HandshakeError } from './errors.js';
import type { HandshakeResult } from './handshake.js';

/** Statuses after which retrying the handshake cannot help. */
const FATAL_ON_RECONNECT = new Set<string>([
  'WRONG_PASSWORD',
  'PASSWORD_REQUIRED',
  'BAD_REQUEST',
  'TOO_LARGE',
  // The server's identity is not the one this session started with: retrying cannot fix that.
  'CERTIFICATE_MISMATCH',
  'CERTIFICATE_CHANGED',
  'DOWNGRADE',
] satisfies (StatusName | 'CERTIFICATE_MISMATCH' | 'CERTIFICATE_CHANGED' | 'DOWNGRADE')[]);

export interface ReconnectPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** What the loop needs from the client it brings back. */
export interface Reconnectable {
  /** The client was closed; the loop stops at its next step. */
  isStopped(): boolean;
  /** Aborts the backoff wait when the client is closed. */
  readonly stopSignal: AbortSignal;
  /** We were the room's host in the last session. */
  isHost(): boolean;
  attemptStarted(attempt: number, reason: string): void;
  /** One handshake; rejects with HandshakeError. */
  handshake(mode: 'create' | 'join', resumeToken: string): Promise<HandshakeResult>;
  /** Opens the session the handshake granted and announces it. */
  resume(result: HandshakeResult, attempt: number): Promise<void>;
  /** Retrying cannot help (the error, when there is one, is reported first). */
  giveUp(err: Error | null): void;
}

/**
 * Runs attempts until one succeeds, the client is closed, a fatal status comes back or the
 * attempts run out. A host first tries to create the room again (the server may have restarted)
 * and falls back to joining it; a member joins. Both offer the old token.
 */
export async function reconnect(
  client: Reconnectable,
  policy: ReconnectPolicy,
  oldToken: string,
  firstReason: string,
): Promise<void> {
  let reason = firstReason;
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    if (client.isStopped()) return;
    client.attemptStarted(attempt, reason);
    const delay = backoffDelay(attempt, { baseMs: policy.baseDelayMs, maxMs: policy.maxDelayMs });
    try {
      await sleep(delay, undefined, { signal: client.stopSignal });
    } catch {
      return; // stopped while waiting
    }
    if (client.isStopped()) return;
    try {
      const result = await handshakeAgain(client, oldToken);
      if (client.isStopped()) return;
      await client.resume(result, attempt);
      return;
    } catch (err) {
      if (client.isStopped()) return;
      const code = err instanceof HandshakeError ? err.code : 'PROTOCOL';
      if (FATAL_ON_RECONNECT.has(code)) {
        client.giveUp(err as Error);
        return;
      }
      reason = (err as Error).message;
    }
  }
  client.giveUp(null);
}

async function handshakeAgain(client: Reconnectable, oldToken: string): Promise<HandshakeResult> {
  if (!client.isHost()) return client.handshake('join', oldToken);
  try {
    return await client.handshake('create', oldToken);
  } catch (err) {
    if (err instanceof HandshakeError && err.code === 'ROOM_EXISTS') return client.handshake('join', oldToken);
    throw err;
  }
}
