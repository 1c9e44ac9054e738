// A shard's admission budgets (shard-budgets.ts): each token asked of the primary and its answer
// taken as it comes; without a primary to ask, the shard's own share of each budget decides.
import { describe, expect, it, vi } from 'vitest';
import { PrimaryBudgets, shareOf } from '../../src-main/engine/server/shard-budgets.js';
import { isFromShard, isToShard, type FromShard } from '../../src-main/engine/server/shard-messages.js';

const OPTIONS = {
  hashesPerIpPerSecond: 1,
  hashBurstPerIp: 10,
  createsPerIpPerMinute: 30,
  createBurstPerIp: 10,
  refusalsPerIpPerSecond: 2,
  refusalBurstPerIp: 20,
};

describe('PrimaryBudgets', () => {
  it('asks the primary for each token and gives refunds back to it', async () => {
    const sent: FromShard[] = [];
    const budgets = new PrimaryBudgets((msg) => sent.push(msg) > 0, OPTIONS, 2);
    const taken = budgets.take('hash', '192.0.2.7');
    expect(sent).toEqual([{ type: 'budget-take', id: 1, kind: 'hash', ip: '192.0.2.7' }]);
    budgets.answer(1, false);
    expect(await taken).toBe(false);
    budgets.refund('answer', '192.0.2.7');
    expect(sent[1]).toEqual({ type: 'budget-refund', kind: 'answer', ip: '192.0.2.7' });
    expect(sent.every(isFromShard)).toBe(true);
  });

  it('decides with its own share when the primary cannot be asked or does not answer in time', async () => {
    const unreachable = new PrimaryBudgets(() => false, { ...OPTIONS, createBurstPerIp: 4 }, 2);
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await unreachable.take('create', '192.0.2.8'));
    expect(results).toEqual([true, true, false]);

    vi.useFakeTimers();
    try {
      const silent = new PrimaryBudgets(() => true, OPTIONS, 2);
      const taken = silent.take('hash', '192.0.2.9');
      await vi.advanceTimersByTimeAsync(1_000);
      expect(await taken).toBe(true);
      silent.answer(1, false); // too late: nobody waits for it
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('shareOf', () => {
  it('divides every budget among the shards, a burst never below one', () => {
    expect(shareOf(OPTIONS, 4)).toEqual({
      hashesPerIpPerSecond: 0.25,
      hashBurstPerIp: 3,
      createsPerIpPerMinute: 7.5,
      createBurstPerIp: 3,
      refusalsPerIpPerSecond: 0.5,
      refusalBurstPerIp: 5,
    });
    expect(shareOf({ ...OPTIONS, hashBurstPerIp: 1 }, 8).hashBurstPerIp).toBe(1);
  });
});

describe('the budget messages', () => {
  it('are checked like every other message', () => {
    expect(isToShard({ type: 'budget', id: 3, ok: true })).toBe(true);
    expect(isToShard({ type: 'budget', id: 3, ok: 'yes' })).toBe(false);
    expect(isFromShard({ type: 'budget-take', id: 1, kind: 'hash', ip: '::1' })).toBe(true);
    expect(isFromShard({ type: 'budget-take', id: 1, kind: 'everything', ip: '::1' })).toBe(false);
    expect(isFromShard({ type: 'budget-refund', kind: 'create', ip: 'x'.repeat(65) })).toBe(false);
  });
});
