import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatEntry } from '../../../../src-shared/ipc/contract.js';
import { HistoryStore } from '../history-store.js';

const dirs: string[] = [];
const stores: HistoryStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function makeStore(bound: { value: number }, dir = mkdtempSync(join(tmpdir(), 'tincan-history-'))) {
  if (!dirs.includes(dir)) dirs.push(dir);
  const store = new HistoryStore(dir, { bound: () => bound.value });
  stores.push(store);
  return { store, dir };
}

const chat = (n: number): Extract<ChatEntry, { kind: 'chat' }> => ({
  kind: 'chat',
  key: `k${n}`,
  from: 'alice',
  text: `message ${n}`,
  own: false,
  at: 1_700_000_000_000 + n,
  seq: n,
  pending: false,
});
const lobby = { server: '10.0.0.5:7777', room: 'lobby' };
const keys = (entries: ChatEntry[]) => entries.map((e) => e.key);

describe('HistoryStore', () => {
  it('keeps each host and room apart, and across a reopen', () => {
    const { store, dir } = makeStore({ value: 100 });
    store.room(lobby).append(chat(1));
    store.room({ ...lobby, room: 'den' }).append(chat(2));
    store.room({ ...lobby, server: '10.0.0.6:7777' }).append(chat(3));
    store.close();
    const again = makeStore({ value: 100 }, dir).store;
    expect(again.room(lobby).latest(10)).toEqual([chat(1)]);
    expect(keys(again.room({ ...lobby, room: 'den' }).latest(10))).toEqual(['k2']);
    // File names say nothing about the room or host.
    expect(readdirSync(join(dir, 'history')).join()).not.toMatch(/lobby|den|10\.0/);
  });

  it('serves the newest page first, then older pages before a key', () => {
    const history = makeStore({ value: 1000 }).store.room(lobby);
    for (let n = 1; n <= 25; n++) history.append(chat(n));
    expect(keys(history.latest(10))).toEqual(['k16', 'k17', 'k18', 'k19', 'k20', 'k21', 'k22', 'k23', 'k24', 'k25']);
    expect(keys(history.before('k16', 10))).toEqual(['k6', 'k7', 'k8', 'k9', 'k10', 'k11', 'k12', 'k13', 'k14', 'k15']);
    expect(keys(history.before('k6', 10))).toEqual(['k1', 'k2', 'k3', 'k4', 'k5']);
    expect(history.before('k1', 10)).toEqual([]);
    expect(history.before('not stored', 10)).toEqual([]);
  });

  it('keeps at most the bound, dropping the oldest, also after a reopen', () => {
    const bound = { value: 100 };
    const { store, dir } = makeStore(bound);
    for (let n = 1; n <= 400; n++) store.room(lobby).append(chat(n));
    const history = store.room(lobby);
    expect(history.size).toBeLessThanOrEqual(100 + 50);
    expect(keys(history.latest(1000))).toEqual(Array.from({ length: 100 }, (_, i) => `k${301 + i}`));
    expect(history.before('k301', 10)).toEqual([]);
    store.close();
    expect(makeStore(bound, dir).store.room(lobby).all()).toHaveLength(100);
  });

  it('clears one room and leaves the others', () => {
    const { store, dir } = makeStore({ value: 100 });
    store.room(lobby).append(chat(1));
    store.room({ ...lobby, room: 'den' }).append(chat(2));
    store.room(lobby).clear();
    store.room(lobby).append(chat(3));
    store.close();
    const again = makeStore({ value: 100 }, dir).store;
    expect(keys(again.room(lobby).all())).toEqual(['k3']);
    expect(keys(again.room({ ...lobby, room: 'den' }).all())).toEqual(['k2']);
  });

  it('keeps system lines and never brings back a pending flag', () => {
    const history = makeStore({ value: 100 }).store.room(lobby);
    const system: ChatEntry = { kind: 'system', key: 's1', text: 'bob joined', at: 5, tone: 'info' };
    history.append(system);
    history.append({ ...chat(2), own: true, pending: true });
    expect(history.all()).toEqual([system, { ...chat(2), own: true, pending: false }]);
  });
});
