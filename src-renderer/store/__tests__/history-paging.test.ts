import { describe, expect, it } from 'vitest';
import type { ChatEntry } from '../../../src-shared/ipc/contract.js';
import { fakeApi, roomView } from '../../__tests__/fake-api.js';
import { createChatStore, UI_HISTORY_LIMIT } from '../chat-store.js';
import { OLDER_PAGE } from '../history-paging-slice.js';
import { chatSelectors } from '../selectors.js';

const line = (key: string): ChatEntry => ({
  kind: 'chat',
  key,
  from: 'alice',
  text: `text ${key}`,
  own: false,
  at: 1,
  seq: null,
  pending: false,
});

const lines = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => line(`${prefix}${i}`));

function setUp(shown: ChatEntry[]) {
  const store = createChatStore();
  const fake = fakeApi();
  const s = () => store.getState();
  s().attachApi(fake.api);
  s().upsertRoom(roomView({ id: 'r1' }));
  s().setHistory('r1', shown);
  const keys = () =>
    chatSelectors
      .entries('r1')(s())
      .map((e) => e.key);
  const requests = () => fake.calls.filter((c) => c.name === 'getOlderHistory').map((c) => c.args);
  return { store, fake, s, keys, requests };
}

describe('chat store: older history pages', () => {
  it('asks for the page before the oldest entry and puts it first, oldest first, without moving shown rows', async () => {
    const { fake, s, keys, requests } = setUp([line('n0'), line('n1')]);
    const page = lines('o', OLDER_PAGE);
    fake.respond('getOlderHistory', { ok: true, value: page });
    await s().loadOlderHistory('r1');
    expect(requests()).toEqual([{ roomId: 'r1', before: 'n0', limit: OLDER_PAGE }]);
    expect(keys()).toEqual([...page.map((e) => e.key), 'n0', 'n1']);
    // Rows already shown keep their positions: the list anchors on them.
    expect(s().history.r1?.positionOf('n0')).toBe(0);
    expect(s().history.r1?.start).toBe(-OLDER_PAGE);
    expect(s().olderHistory.r1).toBe('more');

    fake.respond('getOlderHistory', { ok: true, value: [line('p0')] });
    await s().loadOlderHistory('r1');
    expect(requests()[1]).toEqual({ roomId: 'r1', before: 'o0', limit: OLDER_PAGE });
    expect(keys()[0]).toBe('p0');
  });

  it('sends one request at a time per room', async () => {
    const { fake, s, requests } = setUp([line('n0')]);
    fake.respond('getOlderHistory', { ok: true, value: lines('o', OLDER_PAGE) });
    const first = s().loadOlderHistory('r1');
    expect(s().olderHistory.r1).toBe('loading');
    await s().loadOlderHistory('r1');
    await first;
    expect(requests()).toHaveLength(1);
  });

  it('stops at a short page: the beginning of history', async () => {
    const { fake, s, keys, requests } = setUp([line('n0')]);
    fake.respond('getOlderHistory', { ok: true, value: [line('o0'), line('o1')] });
    await s().loadOlderHistory('r1');
    expect(s().olderHistory.r1).toBe('start');
    await s().loadOlderHistory('r1');
    expect(requests()).toHaveLength(1);
    expect(keys()).toEqual(['o0', 'o1', 'n0']);
  });

  it('adds no second copy of a line it already shows', async () => {
    const { fake, s, keys } = setUp([line('b'), line('c')]);
    fake.respond('getOlderHistory', { ok: true, value: [line('a'), line('b')] });
    await s().loadOlderHistory('r1');
    expect(keys()).toEqual(['a', 'b', 'c']);
  });

  it('tries again after a failed request', async () => {
    const { fake, s, requests } = setUp([line('n0')]);
    fake.respond('getOlderHistory', { ok: false, code: 'INTERNAL', message: 'disk' });
    await s().loadOlderHistory('r1');
    expect(s().olderHistory.r1).toBe('more');
    await s().loadOlderHistory('r1');
    expect(requests()).toHaveLength(2);
  });

  it('drops a page that no longer joins onto the log (history cleared meanwhile)', async () => {
    const { fake, s, keys } = setUp([line('n0')]);
    fake.respond('getOlderHistory', { ok: true, value: [line('o0')] });
    const loading = s().loadOlderHistory('r1');
    s().emptyHistory('r1');
    s().addEntry('r1', line('fresh'));
    await loading;
    expect(keys()).toEqual(['fresh']);
  });

  it('keeps the newest lines and the ones scrolled up to at the in-memory bound, and says loading stopped', async () => {
    const { fake, s, keys, requests } = setUp(lines('n', UI_HISTORY_LIMIT - 50));
    fake.respond('getOlderHistory', { ok: true, value: lines('o', OLDER_PAGE) });
    await s().loadOlderHistory('r1');
    const kept = keys();
    expect(kept).toHaveLength(UI_HISTORY_LIMIT);
    // The 50 newest of the page fit; the newest line of the room is still there.
    expect(kept[0]).toBe(`o${OLDER_PAGE - 50}`);
    expect(kept.at(-1)).toBe(`n${UI_HISTORY_LIMIT - 51}`);
    expect(s().olderHistory.r1).toBe('bound');
    await s().loadOlderHistory('r1');
    expect(requests()).toHaveLength(1);
  });
});
