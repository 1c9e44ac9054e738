// The rows the list renders while it follows new lines: they cover the viewport, and the first one
// moves in steps, so the rows above are not re-laid out and repainted for every arriving line.
import { describe, expect, it } from 'vitest';
import type { ChatEntry } from '../../../../src-shared/ipc/contract.js';
import { EntryLog } from '../../../store/entry-log.js';
import { ListModel } from '../list-model.js';

const line = (i: number): ChatEntry => ({ kind: 'system', key: `k${i}`, text: `line ${i}`, at: i, tone: 'info' });

describe('ListModel window', () => {
  it('following a growing log, covers the viewport and moves its first row only in steps', () => {
    const log = new EntryLog(10_000);
    for (let i = 0; i < 300; i++) log.upsert(line(i));
    const model = new ListModel(log);
    const viewport = 600;
    const firsts = new Set<number>();
    for (let i = 300; i < 364; i++) {
      log.upsert(line(i));
      model.sync(log);
      const { first, last, offset, total } = model.window(log, 0, viewport);
      expect(last).toBe(log.end);
      expect(offset).toBeLessThanOrEqual(total - viewport);
      firsts.add(first);
    }
    // 64 appended lines of the same height: the first row changed 4 or 5 times, not 64.
    expect(firsts.size).toBeLessThanOrEqual(5);
  });
});
