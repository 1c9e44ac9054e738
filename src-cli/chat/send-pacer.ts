// Keeps our outgoing chat under the server's per-member rate limit (PROTOCOL.md: 50/s sustained,
// bursts of 200), so a script piping a long file loses nothing: a token bucket a little below that,
// and a queue that waits while the connection is down.

export interface PacerOptions {
  ratePerSecond: number;
  burst: number;
}

/** Below the server's defaults, with room for heartbeats and clock jitter. */
export const DEFAULT_PACE: PacerOptions = { ratePerSecond: 40, burst: 150 };

export class SendPacer {
  private readonly queue: string[] = [];
  private head = 0;
  private tokens = 0;
  private last = 0;
  private timer: NodeJS.Timeout | null = null;
  private held = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly transmit: (text: string) => void,
    private readonly options: PacerOptions = DEFAULT_PACE,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = options.burst;
    this.last = now();
  }

  /** Lines waiting to go out. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  push(text: string): void {
    if (this.stopped) return;
    this.queue.push(text);
    this.pump();
  }

  /** While held (reconnecting), nothing is sent; the queue keeps growing. */
  hold(held: boolean): void {
    this.held = held;
    if (!held) this.pump();
  }

  /** Resolves when the queue is empty (at once if it is), or when the pacer stops. */
  whenIdle(): Promise<void> {
    if (this.pending === 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
    this.head = 0;
    this.wakeIdle();
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.options.burst, this.tokens + ((now - this.last) / 1000) * this.options.ratePerSecond);
    this.last = now;
  }

  private pump(): void {
    if (this.stopped || this.held || this.timer) return;
    this.refill();
    while (this.pending > 0 && this.tokens >= 1) {
      const text = this.queue[this.head] as string;
      this.head++;
      this.tokens--;
      this.transmit(text);
      if (this.stopped || this.held) break;
    }
    // Drop consumed entries now and then instead of shifting one by one.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.pending === 0) {
      this.wakeIdle();
      return;
    }
    if (this.stopped || this.held) return;
    const waitMs = Math.max(1, Math.ceil(((1 - this.tokens) / this.options.ratePerSecond) * 1000));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, waitMs);
  }

  private wakeIdle(): void {
    for (const wake of this.idleWaiters.splice(0)) wake();
  }
}
