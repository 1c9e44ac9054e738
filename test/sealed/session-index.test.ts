import { describe, expect, it } from 'vitest';
import { SessionIndex } from '../../src-main/engine/sealed/session-index.js';

interface Entry {
  id: Buffer;
}

const entry = (hex: string): Entry => ({ id: Buffer.from(hex, 'hex') });

describe('session index', () => {
  it('finds each id inside a datagram, telling apart ids that share their first 4 bytes', () => {
    const index = new SessionIndex<Entry>((e) => e.id);
    const a = entry('0102030400000001');
    const b = entry('0102030480000001');
    const c = entry('ffffffffffffffff');
    for (const e of [a, b, c]) index.add(e);
    expect(index.size).toBe(3);
    for (const e of [a, b, c]) {
      const datagram = Buffer.concat([Buffer.from([0xfe, 1]), e.id, Buffer.alloc(8)]);
      expect(index.find(datagram, 2)).toBe(e);
    }
    expect(index.find(Buffer.from('0102030400000002', 'hex'), 0)).toBeUndefined();
    expect(index.find(Buffer.from('0000000000000001', 'hex'), 0)).toBeUndefined();
  });

  it('tells apart ids that differ only in a top bit (the halves are read as signed numbers)', () => {
    const index = new SessionIndex<Entry>((e) => e.id);
    const ids = ['0000000100000001', '8000000100000001', '0000000180000001', '8000000180000001'].map(entry);
    for (const e of ids) index.add(e);
    for (const e of ids) expect(index.find(e.id, 0)).toBe(e);
    expect(index.find(Buffer.from('7fffffff00000001', 'hex'), 0)).toBeUndefined();
  });

  it('forgets a deleted entry and keeps its bucket neighbour', () => {
    const index = new SessionIndex<Entry>((e) => e.id);
    const a = entry('0a0b0c0d00000001');
    const b = entry('0a0b0c0d00000002');
    index.add(a);
    index.add(b);
    index.delete(a);
    index.delete(a); // twice: nothing more happens
    expect(index.size).toBe(1);
    expect(index.find(a.id, 0)).toBeUndefined();
    expect(index.find(b.id, 0)).toBe(b);
    const fresh = index.newId();
    expect(fresh.length).toBe(8);
    expect(index.find(fresh, 0)).toBeUndefined();
  });
});
