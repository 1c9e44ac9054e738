// The per-IP budgets admission spends (password hashes, creates, answers that tell about rooms),
// behind one interface so a sharded server can keep them in its primary: a shard alone would give
// an IP one allowance per shard. A single ChatServer keeps them here, in process.
import { IpBudget } from './ip-budget.js';
import type { ServerOptions } from './options.js';

export const BUDGET_KINDS = ['hash', 'create', 'answer'] as const;
export type BudgetKind = (typeof BUDGET_KINDS)[number];

export interface AdmissionBudgets {
  /** Takes one token of `kind` for `ip`; false when that budget is spent (the request is refused). */
  take(kind: BudgetKind, ip: string): boolean | Promise<boolean>;
  /** Gives back a token taken for a request that turned out not to count. */
  refund(kind: BudgetKind, ip: string): void;
}

export type BudgetOptions = Pick<
  ServerOptions,
  | 'hashesPerIpPerSecond'
  | 'hashBurstPerIp'
  | 'createsPerIpPerMinute'
  | 'createBurstPerIp'
  | 'refusalsPerIpPerSecond'
  | 'refusalBurstPerIp'
>;

/** The budgets of one process: token buckets per IP (IPv6 per /64). */
export class LocalBudgets implements AdmissionBudgets {
  private readonly buckets: Record<BudgetKind, IpBudget>;

  constructor(options: BudgetOptions) {
    this.buckets = {
      hash: new IpBudget(options.hashesPerIpPerSecond, options.hashBurstPerIp),
      create: new IpBudget(options.createsPerIpPerMinute / 60, options.createBurstPerIp),
      answer: new IpBudget(options.refusalsPerIpPerSecond, options.refusalBurstPerIp),
    };
  }

  take(kind: BudgetKind, ip: string): boolean {
    return this.buckets[kind].take(ip, Date.now());
  }

  refund(kind: BudgetKind, ip: string): void {
    this.buckets[kind].refund(ip);
  }
}

export function isBudgetKind(value: unknown): value is BudgetKind {
  return BUDGET_KINDS.some((kind) => kind === value);
}
