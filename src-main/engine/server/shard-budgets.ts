// A shard's side of the admission budgets (docs/MULTICORE.md): every token is asked of the primary,
// which keeps one set of per-IP budgets for all shards, so an IP gets the same allowance from N
// shards as from one server. Should the primary not answer in time, this shard's own share decides.
import { LocalBudgets, type AdmissionBudgets, type BudgetKind, type BudgetOptions } from './admission-budgets.js';
import type { FromShard } from './shard-messages.js';

/** How long a take may wait for the primary before the local share answers. */
const ANSWER_TIMEOUT_MS = 1_000;

export class PrimaryBudgets implements AdmissionBudgets {
  private lastId = 0;
  private readonly waiting = new Map<number, (ok: boolean) => void>();
  /** The fallback: this shard's share of each budget (the whole budget divided by the shards). */
  private readonly local: LocalBudgets;

  constructor(
    private readonly send: (msg: FromShard) => boolean,
    options: BudgetOptions,
    shards: number,
  ) {
    this.local = new LocalBudgets(shareOf(options, shards));
  }

  take(kind: BudgetKind, ip: string): Promise<boolean> {
    const id = ++this.lastId;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve(this.local.take(kind, ip));
      }, ANSWER_TIMEOUT_MS);
      this.waiting.set(id, (ok) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(ok);
      });
      if (!this.send({ type: 'budget-take', id, kind, ip })) this.waiting.get(id)?.(this.local.take(kind, ip));
    });
  }

  refund(kind: BudgetKind, ip: string): void {
    this.send({ type: 'budget-refund', kind, ip });
  }

  /** The primary's answer; one nobody waits for any more (timed out) is dropped. */
  answer(id: number, ok: boolean): void {
    this.waiting.get(id)?.(ok);
  }
}

/** Each budget divided among `shards`: what one shard may give an IP when it must decide alone. */
export function shareOf(options: BudgetOptions, shards: number): BudgetOptions {
  const n = Math.max(1, shards);
  return {
    hashesPerIpPerSecond: options.hashesPerIpPerSecond / n,
    hashBurstPerIp: Math.ceil(options.hashBurstPerIp / n),
    createsPerIpPerMinute: options.createsPerIpPerMinute / n,
    createBurstPerIp: Math.ceil(options.createBurstPerIp / n),
    refusalsPerIpPerSecond: options.refusalsPerIpPerSecond / n,
    refusalBurstPerIp: Math.ceil(options.refusalBurstPerIp / n),
  };
}
