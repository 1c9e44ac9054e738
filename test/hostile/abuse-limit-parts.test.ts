// The parts behind the abuse limits, on their own: the per-IP budget (and its IPv6 /64 key), the
// bounded hash queue and the windowed limit log.
import { describe, expect, it } from 'vitest';
import { HashQueue } from '../../src-main/engine/server/hash-queue.js';
import { budgetKey, IpBudget } from '../../src-main/engine/server/ip-budget.js';
import { LimitLog } from '../../src-main/engine/server/limit-log.js';
import { createLogger } from '../../src-main/engine/log.js';

describe('IpBudget', () => {
  it('keys IPv4 by address and IPv6 by its /64, however it is written', () => {
    expect(budgetKey('10.0.0.1')).toBe('10.0.0.1');
    expect(budgetKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2');
    expect(budgetKey('2001:db8:1:2::ffff')).toBe('2001:db8:1:2');
    expect(budgetKey('2001:db8::1')).toBe('2001:db8:0:0');
    expect(budgetKey('::1')).toBe('0:0:0:0');
    expect(budgetKey('fe80:0:0:0:1:2:3:4')).toBe('fe80:0:0:0');
  });

  it('spends the burst, refills at the rate, and one source does not spend another', () => {
    const budget = new IpBudget(2, 3);
    const t = 1_000_000;
    expect([1, 2, 3, 4].map(() => budget.take('10.0.0.1', t))).toEqual([true, true, true, false]);
    expect(budget.take('10.0.0.2', t)).toBe(true);
    expect(budget.take('10.0.0.1', t + 499)).toBe(false);
    expect(budget.take('10.0.0.1', t + 500)).toBe(true);
    // Addresses in one /64 share a budget.
    const v6 = new IpBudget(0, 1);
    expect(v6.take('2001:db8::1', t)).toBe(true);
    expect(v6.take('2001:db8::2', t)).toBe(false);
  });

  it('gives back refunded tokens up to the burst, and a burst of 0 lifts the limit', () => {
    const budget = new IpBudget(0, 1);
    expect(budget.take('a', 0)).toBe(true);
    budget.refund('a');
    budget.refund('a');
    expect([budget.take('a', 0), budget.take('a', 0)]).toEqual([true, false]);
    const off = new IpBudget(0, 0);
    expect(Array.from({ length: 100 }, () => off.take('a', 0)).every(Boolean)).toBe(true);
    expect(off.size).toBe(0);
  });

  it('forgets sources whose budget has refilled', () => {
    const budget = new IpBudget(1, 1);
    for (let i = 0; i < 100; i++) budget.take(`10.0.${i}.1`, 0);
    expect(budget.size).toBe(100);
    budget.take('10.1.0.1', 60_000); // long after: everyone above is full again and swept
    expect(budget.size).toBe(1);
  });
});

describe('HashQueue', () => {
  /** A job the test finishes by hand. */
  function gate(): { job: () => Promise<string>; open: () => void; started: boolean } {
    let release: (v: string) => void = () => undefined;
    const g = {
      started: false,
      job: () => {
        g.started = true;
        return new Promise<string>((resolve) => (release = resolve));
      },
      open: () => release('done'),
    };
    return g;
  }

  it('runs up to the concurrency, queues up to the cap, refuses beyond at once', async () => {
    const queue = new HashQueue({ concurrency: 1, maxQueued: 1, maxPerSource: 1 });
    const a = gate();
    const b = gate();
    const first = queue.submit('a', a.job);
    const second = queue.submit('b', b.job);
    expect(queue.submit('c', gate().job)).toBe('queue-full');
    expect(a.started && !b.started).toBe(true);
    expect(queue.queued).toBe(1);
    a.open();
    await expect(first).resolves.toBe('done');
    expect(b.started).toBe(true);
    b.open();
    await expect(second).resolves.toBe('done');
    expect(queue.started).toBe(2);
  });

  it('lets one source hold only its share, and frees it when its job ends, even on failure', async () => {
    const queue = new HashQueue({ concurrency: 4, maxQueued: 10, maxPerSource: 1 });
    const a = gate();
    const running = queue.submit('x', a.job);
    expect(queue.submit('x', gate().job)).toBe('source-busy');
    const other = gate();
    expect(queue.submit('y', other.job)).toBeInstanceOf(Promise);
    a.open();
    await running;
    const failing = queue.submit('x', () => Promise.reject(new Error('boom')));
    await expect(failing).rejects.toThrow('boom');
    expect(queue.submit('x', gate().job)).toBeInstanceOf(Promise);
  });

  it('gives a freed slot to the source holding the fewest places, not to the next of a flood', async () => {
    const queue = new HashQueue({ concurrency: 1, maxQueued: 10, maxPerSource: 3 });
    const flood = [gate(), gate(), gate()];
    const floodDone = flood.map((g) => queue.submit('x', g.job));
    expect(queue.submit('x', gate().job)).toBe('source-busy');
    const newcomer = gate();
    const joined = queue.submit('y', newcomer.job);
    flood[0]?.open();
    await floodDone[0];
    expect(newcomer.started).toBe(true);
    expect(flood[1]?.started).toBe(false);
    newcomer.open();
    await joined;
    expect(flood[1]?.started).toBe(true);
  });
});

describe('LimitLog', () => {
  it('writes one line for many refusals, with counts, sources and the busiest source', () => {
    const lines: string[] = [];
    const log = new LimitLog(createLogger({ level: 'info', write: (l) => void lines.push(l) }), 60_000);
    for (let i = 0; i < 500; i++) log.tripped('hash-budget', '10.0.0.1');
    for (let i = 0; i < 3; i++) log.tripped('enumeration', `10.0.0.${i + 2}`);
    expect(lines).toHaveLength(0);
    log.flush();
    log.flush(); // nothing new: no second line
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      level: 'warn',
      event: 'limits-tripped',
      'hash-budget': 500,
      enumeration: 3,
      sources: 4,
      top: '10.0.0.1',
      topCount: 500,
    });
  });
});
