// Two limiters: wrong-password backoff per (IP, room), and a per-member token bucket for chat.

const MAX_BACKOFF_ENTRIES = 100_000;

interface BackoffEntry {
  failures: number;
  blockedUntil: number;
  lastFailure: number;
}

/**
 * After `freeAttempts` wrong passwords from one IP for one room, further attempts are refused for
 * `baseMs`, doubling with each further failure up to `maxMs`.
 */
export class PasswordBackoff {
  private readonly entries = new Map<string, BackoffEntry>();

  constructor(
    private readonly freeAttempts: number,
    private readonly baseMs = 1_000,
    private readonly maxMs = 300_000,
  ) {}

  static key(ip: string, room: string): string {
    return `${ip}\u0000${room}`;
  }

  /** Milliseconds until this key may try again; 0 if it may try now. */
  blockedFor(key: string, now: number): number {
    const entry = this.entries.get(key);
    return entry && entry.blockedUntil > now ? entry.blockedUntil - now : 0;
  }

  recordFailure(key: string, now: number): void {
    let entry = this.entries.get(key);
    if (!entry) {
      // Bound memory: forget the oldest entry rather than grow without limit.
      if (this.entries.size >= MAX_BACKOFF_ENTRIES) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
      entry = { failures: 0, blockedUntil: 0, lastFailure: now };
      this.entries.set(key, entry);
    }
    entry.failures++;
    entry.lastFailure = now;
    const over = entry.failures - this.freeAttempts;
    if (over >= 0) entry.blockedUntil = now + Math.min(this.baseMs * 2 ** Math.min(over, 30), this.maxMs);
  }

  recordSuccess(key: string): void {
    this.entries.delete(key);
  }

  /** Drops entries that are no longer blocking and have been quiet for `maxMs`. */
  sweep(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.blockedUntil <= now && now - entry.lastFailure > this.maxMs) this.entries.delete(key);
    }
  }
}

/** State of one token bucket, kept on the member itself so the hot path does no lookup. */
export interface Bucket {
  bucketTokens: number;
  bucketAt: number;
}

/** Takes one token from the bucket (refilled at `ratePerSecond`, capped at `burst`); false if empty. */
export function takeToken(bucket: Bucket, now: number, ratePerSecond: number, burst: number): boolean {
  const elapsed = now - bucket.bucketAt;
  if (elapsed > 0) {
    bucket.bucketTokens = Math.min(burst, bucket.bucketTokens + (elapsed * ratePerSecond) / 1000);
    bucket.bucketAt = now;
  }
  if (bucket.bucketTokens < 1) return false;
  bucket.bucketTokens -= 1;
  return true;
}
