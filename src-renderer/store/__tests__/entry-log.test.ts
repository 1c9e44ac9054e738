import { describe, expect, it } from 'vitest';
import type { ChatEntry } from '../../../src-shared/ipc/contract.js';
import { EntryLog } from '../entry-log.js';

const line = (key: string, text = `text ${key}`): ChatEntry => ({
  kind: 'chat',
  key,
  from: 'alice',
  text,
  own: false,
  at: 1,
  seq: null,
  pending: false,
});

describe('EntryLog', () => {
  it('appends, replaces by key in place and reads by absolute position', () => {
    const log = new EntryLog(10);
    expect(log.upsert(line('a'))).toBe(true);
    expect(log.upsert(line('b'))).toBe(true);
    expect(log.upsert(line('a', 'acked'))).toBe(false);
    expect(log.length).toBe(2);
    expect(log.at(0)?.text).toBe('acked');
    expect(log.positionOf('b')).toBe(1);
    expect(log.at(2)).toBeUndefined();
  });

  it('trims the oldest entries past the limit, keeping positions and keys consistent across chunks', () => {
    const log = new EntryLog(300);
    for (let i = 0; i < 1000; i++) log.upsert(line(`k${i}`));
    expect(log.length).toBe(300);
    expect(log.start).toBe(700);
    expect(log.end).toBe(1000);
    expect(log.at(699)).toBeUndefined();
    expect(log.at(700)?.key).toBe('k700');
    expect(log.at(999)?.key).toBe('k999');
    expect(log.positionOf('k10')).toBeUndefined();
    expect(log.positionOf('k850')).toBe(850);
    // A trimmed key is new again.
    expect(log.upsert(line('k10'))).toBe(true);
    expect(log.toArray().map((e) => e.key)).toEqual([...Array.from({ length: 299 }, (_, i) => `k${i + 701}`), 'k10']);
  });

  it('appends in constant time: 100k entries into a full log stay fast', () => {
    const log = new EntryLog(10_000);
    const started = performance.now();
    for (let i = 0; i < 100_000; i++) log.upsert(line(`k${i}`));
    // Generous bound: a copy of the history per append would take seconds here.
    expect(performance.now() - started).toBeLessThan(1500);
    expect(log.length).toBe(10_000);
  });
});
