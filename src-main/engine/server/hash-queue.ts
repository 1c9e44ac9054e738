// A bounded queue of password-hash jobs. scrypt is deliberately expensive, so the server runs only a
// few at once (the libuv pool also serves DNS and files) and queues a bounded number more. One source
// may hold only a few places (a household behind one NAT joining together must not be refused), and
// a freed slot goes to the waiting job whose source holds the fewest places, so a flood from one IP
// never stands in front of a newcomer. A job that does not fit is refused at once: waiting would
// only hand the attacker our sockets.

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
  /** Jobs held (running or waiting) per source; also the fairness key when a slot frees. */
  private readonly held = new Map<string, number>();
  /** Jobs started since the server started (for stats and tests). */
  started = 0;

  constructor(private readonly limits: HashQueueLimits) {}

  /** Runs `job` when a slot is free, or says at once why it cannot be queued. */
  submit<T>(source: string, job: () => Promise<T>): Promise<T> | HashQueueRefusal {
    const held = this.held.get(source) ?? 0;
    if (held >= this.limits.maxPerSource) return 'source-busy';
    if (this.running >= this.limits.concurrency && this.waiting.length >= this.limits.maxQueued) return 'queue-full';
    this.held.set(source, held + 1);
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
    bump(this.held, source, -1);
    this.next()?.run();
  }

  /** The oldest waiting job among the sources holding the fewest places. The queue is bounded (maxQueued), so the scan is too. */
  private next(): Job | undefined {
    let best = -1;
    let fewest = Infinity;
    for (let i = 0; i < this.waiting.length && fewest > 1; i++) {
      const job = this.waiting[i];
      const places = job ? (this.held.get(job.source) ?? 0) : Infinity;
      if (places < fewest) {
        fewest = places;
        best = i;
      }
    }
    return best < 0 ? undefined : this.waiting.splice(best, 1)[0];
  }
}

function bump(counts: Map<string, number>, source: string, by: number): void {
  const n = (counts.get(source) ?? 0) + by;
  if (n <= 0) counts.delete(source);
  else counts.set(source, n);
}
