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

  it('stays at its bound through 100k appends, keeping the newest in order', () => {
    // No clock here (speed is bench:ui's); that an append copies nothing is the chat-store test's.
    const log = new EntryLog(10_000);
    for (let i = 0; i < 100_000; i++) log.upsert(line(`k${i}`));
    expect(log.length).toBe(10_000);
    // Positions are absolute (they never move); the trimmed ones are forgotten.
    expect(log.positionOf('k90000')).toBe(90_000);
    expect(log.positionOf('k99999')).toBe(99_999);
    expect(log.positionOf('k89999')).toBeUndefined();
    const kept = log.toArray();
    expect([kept[0]?.key, kept.at(-1)?.key]).toEqual(['k90000', 'k99999']);
  });

  describe('prepend (older history)', () => {
    const keys = (log: EntryLog) => log.toArray().map((e) => e.key);

    it('puts older entries before the head without moving the rows already kept', () => {
      const log = new EntryLog(1000);
      log.upsert(line('n0'));
      log.upsert(line('n1'));
      // 300 older lines cross a chunk boundary below position 0.
      const older = Array.from({ length: 300 }, (_, i) => line(`o${i}`));
      expect(log.prepend(older)).toBe(300);
      expect(log.start).toBe(-300);
      expect(log.positionOf('n0')).toBe(0);
      expect(log.positionOf('o299')).toBe(-1);
      expect(log.at(-300)?.key).toBe('o0');
      expect(keys(log)).toEqual([...older.map((e) => e.key), 'n0', 'n1']);
      log.upsert(line('n2'));
      expect(log.at(2)?.key).toBe('n2');
    });

    it('skips keys it already has', () => {
      const log = new EntryLog(10);
      log.upsert(line('b'));
      log.upsert(line('c'));
      expect(log.prepend([line('a'), line('b', 'again')])).toBe(1);
      expect(keys(log)).toEqual(['a', 'b', 'c']);
      expect(log.at(log.positionOf('b') ?? NaN)?.text).toBe('text b');
    });

    it('takes only what the limit leaves room for, the newest of the page, so the log stays contiguous', () => {
      const log = new EntryLog(4);
      log.upsert(line('c'));
      log.upsert(line('d'));
      expect(log.prepend([line('x'), line('y'), line('a'), line('b')])).toBe(2);
      expect(keys(log)).toEqual(['a', 'b', 'c', 'd']);
      expect(log.prepend([line('z')])).toBe(0);
    });

    it('trims prepended entries like any others when new lines push past the limit', () => {
      const log = new EntryLog(300);
      log.upsert(line('n0'));
      log.prepend(Array.from({ length: 299 }, (_, i) => line(`o${i}`)));
      for (let i = 1; i <= 300; i++) log.upsert(line(`n${i}`));
      expect(log.length).toBe(300);
      expect(log.positionOf('o0')).toBeUndefined();
      expect(log.at(log.start)?.key).toBe('n1');
      expect(log.at(log.end - 1)?.key).toBe('n300');
    });

    it('prepends onto a cleared log whose tail is mid-chunk', () => {
      const log = new EntryLog(1000);
      for (let i = 0; i < 300; i++) log.upsert(line(`k${i}`));
      log.clear();
      log.prepend([line('a'), line('b')]);
      log.upsert(line('c'));
      expect(keys(log)).toEqual(['a', 'b', 'c']);
      expect(log.positionOf('c')).toBe(300);
    });
  });
});
