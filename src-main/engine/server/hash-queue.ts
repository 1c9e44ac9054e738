// A bounded queue of password-hash jobs. scrypt is deliberately expensive, so the server runs only a
// few at once (the libuv pool also serves DNS and files) and queues a bounded number more; one source
// may hold only a few places, so a flood from one IP cannot stand in front of everyone else. A job
// that does not fit is refused at once: waiting would only hand the attacker our sockets.

export type HashQueueRefusal = 'queue-full' | 'source-busy';

export interface HashQueueLimits {
  /** Hash jobs running at the same time. */
  concurrency: number;
  /** Jobs waiting for a free slot, from all sources together. */
  maxQueued: number;
  /** Jobs one source may have running or waiting. */
  maxPerSource: number;
}

interface Job {
  source: string;
  run: () => void;
}

export class HashQueue {
  private running = 0;
  private readonly waiting: Job[] = [];
  private readonly perSource = new Map<string, number>();
  /** Jobs started since the server started (for stats and tests). */
  started = 0;

  constructor(private readonly limits: HashQueueLimits) {}

  /** Runs `job` when a slot is free, or says at once why it cannot be queued. */
  submit<T>(source: string, job: () => Promise<T>): Promise<T> | HashQueueRefusal {
    const held = this.perSource.get(source) ?? 0;
    if (held >= this.limits.maxPerSource) return 'source-busy';
    if (this.running >= this.limits.concurrency && this.waiting.length >= this.limits.maxQueued) return 'queue-full';
    this.perSource.set(source, held + 1);
    return new Promise<T>((resolve, reject) => {
      const run = (): void => {
        this.running++;
        this.started++;
        let work: Promise<T>;
        try {
          work = job();
        } catch (err) {
          work = Promise.reject(err as Error);
        }
        // The place is free before the caller goes on, so its next request can take it.
        work.then(
          (value) => {
            this.done(source);
            resolve(value);
          },
          (err: unknown) => {
            this.done(source);
            reject(err);
          },
        );
      };
      if (this.running < this.limits.concurrency) run();
      else this.waiting.push({ source, run });
    });
  }

  get queued(): number {
    return this.waiting.length;
  }

  private done(source: string): void {
    this.running--;
    const held = (this.perSource.get(source) ?? 1) - 1;
    if (held <= 0) this.perSource.delete(source);
    else this.perSource.set(source, held);
    this.waiting.shift()?.run();
  }
}
