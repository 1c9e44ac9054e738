// The host's one password change in flight: SET_PASSWORD goes out with an id, and the server answers
// ACK(id, seq 0) once the new password is in place, or ERROR (not host, hash limits, bad text).
import { ChatSessionError } from './errors.js';

/** How long to wait for the server's answer (scrypt may queue behind other hashes). */
const ANSWER_TIMEOUT_MS = 10_000;

/** The ERROR codes that answer a SET_PASSWORD. */
const ANSWERING_ERRORS: ReadonlySet<string> = new Set(['NOT_HOST', 'RATE_LIMITED', 'BAD_TEXT']);

interface Waiting {
  id: number;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class PasswordChange {
  private waiting: Waiting | null = null;

  /** Starts waiting for the answer to request `id`; a change still pending is superseded. */
  wait(id: number): Promise<void> {
    this.fail(new ChatSessionError('SUPERSEDED', 'a newer password change was sent'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(new ChatSessionError('TIMEOUT', 'the server did not confirm the password change')),
        ANSWER_TIMEOUT_MS,
      );
      timer.unref();
      this.waiting = { id, resolve, reject, timer };
    });
  }

  /** An ACK with seq 0 arrived; true when it answered the pending change. */
  acked(id: number): boolean {
    const waiting = this.waiting;
    if (waiting === null || waiting.id !== id) return false;
    this.finish().resolve();
    return true;
  }

  /** An ERROR arrived; true when it is taken as the answer to the pending change. */
  refused(code: string, message: string): boolean {
    if (this.waiting === null || !ANSWERING_ERRORS.has(code)) return false;
    this.fail(new ChatSessionError(code, message));
    return true;
  }

  /** Rejects the pending change, if any (also when the session ends). */
  fail(err: Error): void {
    if (this.waiting !== null) this.finish().reject(err);
  }

  private finish(): Waiting {
    const waiting = this.waiting as Waiting;
    this.waiting = null;
    clearTimeout(waiting.timer);
    return waiting;
  }
}
