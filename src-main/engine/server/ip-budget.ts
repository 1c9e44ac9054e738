// A token bucket per source address: the per-IP budgets for password hashes, creates and
// enumeration answers. IPv6 sources count per /64, since one machine usually owns a whole /64.
// Memory is bounded: idle (refilled) buckets are forgotten, and past the cap the oldest go first.

/** Distinct sources tracked per budget before the oldest are forgotten. */
const MAX_SOURCES = 50_000;
/** How often idle buckets are swept out, at most. */
const SWEEP_EVERY_MS = 30_000;

interface SourceBucket {
  tokens: number;
  at: number;
}

/** The key a source is budgeted under: the IPv4 address, or the first 64 bits of an IPv6 address. */
export function budgetKey(ip: string): string {
  if (!ip.includes(':')) return ip;
  const [head = '', tail] = ip.split('::');
  const front = head === '' ? [] : head.split(':');
  if (tail === undefined) return front.slice(0, 4).join(':');
  const back = tail === '' ? [] : tail.split(':');
  const zeros = Array.from({ length: Math.max(0, 8 - front.length - back.length) }, () => '0');
  return [...front, ...zeros, ...back].slice(0, 4).join(':');
}

export class IpBudget {
  private readonly buckets = new Map<string, SourceBucket>();
  private lastSweep = 0;

  /**
   * @param perSecond tokens each source regains per second
   * @param burst tokens a source starts with and can save up; 0 or less disables the budget
   */
  constructor(
    readonly perSecond: number,
    readonly burst: number,
  ) {}

  get enabled(): boolean {
    return this.burst > 0 && Number.isFinite(this.burst);
  }

  /** Takes one token for `ip`; false when its budget is spent (the request should be refused). */
  take(ip: string, now: number): boolean {
    if (!this.enabled) return true;
    const bucket = this.bucketOf(budgetKey(ip), now);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Gives back a token taken for a request that turned out not to count. */
  refund(ip: string): void {
    if (!this.enabled) return;
    const bucket = this.buckets.get(budgetKey(ip));
    if (bucket) bucket.tokens = Math.min(this.burst, bucket.tokens + 1);
  }

  get size(): number {
    return this.buckets.size;
  }

  private bucketOf(key: string, now: number): SourceBucket {
    let bucket = this.buckets.get(key);
    if (bucket) {
      const elapsed = now - bucket.at;
      if (elapsed > 0) {
        bucket.tokens = Math.min(this.burst, bucket.tokens + (elapsed * this.perSecond) / 1000);
        bucket.at = now;
      }
      return bucket;
    }
    if (now - this.lastSweep > SWEEP_EVERY_MS || this.buckets.size >= MAX_SOURCES) this.sweep(now);
    bucket = { tokens: this.burst, at: now };
    this.buckets.set(key, bucket);
    return bucket;
  }

  /** Forgets sources whose bucket has refilled (they would start full anyway), then the oldest over the cap. */
  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) * this.perSecond) / 1000 >= this.burst) this.buckets.delete(key);
    }
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < MAX_SOURCES) break;
      this.buckets.delete(key);
    }
  }
}
