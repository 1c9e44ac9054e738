// Older history in the message list (#14 item 2): scrolling to the top asks for the page before the
// oldest line, and the line at the top of the view stays there once the page is put above it.
// jsdom has no layout, so the scroller gets a viewport and every row a fixed height.
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatEntry } from '../../src-shared/ipc/contract.js';
import { App } from '../App.js';
import { chatStore } from '../store/chat-store.js';
import { OLDER_PAGE } from '../store/history-paging-slice.js';
import { roomView, type FakeApi } from './fake-api.js';
import { withFakeBridge } from './fake-bridge.js';

let fake: FakeApi;
withFakeBridge((f) => (fake = f));

const ROW_PX = 30;
const VIEWPORT_PX = 400;

const line = (key: string): ChatEntry => ({
  kind: 'chat',
  key,
  from: 'alice',
  text: `said ${key}`,
  own: false,
  at: 1,
  seq: null,
  pending: false,
});
const lines = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => line(`${prefix}${i}`));

const restore: Array<() => void> = [];
function stub<K extends keyof HTMLElement>(key: K, get: (el: HTMLElement) => unknown) {
  const own = Object.getOwnPropertyDescriptor(HTMLElement.prototype, key);
  const inherited = own ?? Object.getOwnPropertyDescriptor(Element.prototype, key);
  Object.defineProperty(HTMLElement.prototype, key, {
    configurable: true,
    get(this: HTMLElement) {
      return get(this) ?? inherited?.get?.call(this);
    },
  });
  restore.push(() =>
    own ? Object.defineProperty(HTMLElement.prototype, key, own) : delete (HTMLElement.prototype as never)[key],
  );
}

beforeEach(() => {
  const isScroller = (el: HTMLElement) => el.classList.contains('message-scroller');
  stub('clientHeight', (el) => (isScroller(el) ? VIEWPORT_PX : undefined));
  stub('clientWidth', (el) => (isScroller(el) ? 600 : undefined));
  // The canvas's height is what the browser would scroll through.
  stub('scrollHeight', (el) =>
    isScroller(el) ? parseFloat((el.firstElementChild as HTMLElement).style.height) : undefined,
  );
  const rect = HTMLElement.prototype.getBoundingClientRect;
  HTMLElement.prototype.getBoundingClientRect = function (this: HTMLElement) {
    return this.dataset.pos !== undefined ? new DOMRect(0, 0, 600, ROW_PX) : rect.call(this);
  };
  restore.push(() => (HTMLElement.prototype.getBoundingClientRect = rect));
});
afterEach(() => {
  while (restore.length > 0) restore.pop()?.();
});

const scroller = () => screen.getByRole('log', { name: 'Message history' });

/** Where a rendered row starts in the scrolled content: the rows' offset plus the rows before it. */
function rowTop(text: string): number {
  const li = screen.getByText(text).closest('li')!;
  const list = li.parentElement!;
  const offset = parseFloat(/translateY\(([-\d.]+)px\)/.exec(list.style.transform)?.[1] ?? 'NaN');
  return offset + [...list.children].indexOf(li) * ROW_PX;
}

/** The line at the top of the view and how far above the view's edge it starts. */
function topLine(): { text: string; above: number } {
  const top = scroller().scrollTop;
  const li = [...scroller().querySelectorAll('li')].find((row) => {
    const start = rowTop(row.querySelector('.msg-text')!.textContent!);
    return start <= top && top < start + ROW_PX;
  })!;
  const text = li.querySelector('.msg-text')!.textContent!;
  return { text, above: top - rowTop(text) };
}

/** getOlderHistory answers when the test says so. */
function deferPages(): (page: ChatEntry[]) => void {
  let answer: (page: ChatEntry[]) => void = () => {};
  fake.api.getOlderHistory = (args) => {
    fake.calls.push({ name: 'getOlderHistory', args });
    return new Promise((resolve) => (answer = (value) => resolve({ ok: true, value })));
  };
  return (page) => answer(page);
}

async function openRoom(shown: ChatEntry[]) {
  render(<App />);
  act(() => {
    fake.emit('roomUpdated', roomView());
    chatStore.getState().setHistory('r1', shown);
    chatStore.getState().selectRoom('r1');
  });
  await screen.findByText(`said ${shown.at(-1)!.key}`);
}

async function scrollTo(top: number) {
  await act(async () => {
    scroller().scrollTop = top;
    fireEvent.scroll(scroller());
  });
}

const olderRequests = () => fake.calls.filter((c) => c.name === 'getOlderHistory').map((c) => c.args);

describe('message list: older history', () => {
  it('asks for the page before the oldest line at the top and keeps the line read in place', async () => {
    await openRoom(lines('n', 50));
    const answer = deferPages();
    await scrollTo(2 * ROW_PX);
    expect(olderRequests()).toEqual([{ roomId: 'r1', before: 'n0', limit: OLDER_PAGE }]);
    // Rows measured (their heights replace the estimate) before the page comes: what the reader sees.
    await waitFor(() => expect(screen.getByText('said n0').closest('li')?.getAttribute('data-pos')).toBe('0'));
    const seen = topLine();
    await act(async () => answer(lines('o', OLDER_PAGE)));
    expect(chatStore.getState().history.r1?.start).toBe(-OLDER_PAGE);
    // The page is above, the same line at the same place in the view: the offset grew by the page.
    await waitFor(() => expect(topLine()).toEqual(seen));
    expect(scroller().scrollTop).toBeGreaterThanOrEqual(OLDER_PAGE * ROW_PX);
    expect(screen.queryByText('said o0')).toBeNull();
  });

  it('shows the beginning of history after a short page, and asks no more', async () => {
    await openRoom(lines('n', 50));
    fake.respond('getOlderHistory', { ok: true, value: lines('o', 5) });
    await scrollTo(ROW_PX);
    await waitFor(() => expect(screen.getByText('said o4')).toBeTruthy());
    await scrollTo(0);
    expect(await screen.findByText('Beginning of history')).toBeTruthy();
    expect(olderRequests()).toHaveLength(1);
  });

  it('says it is loading while the page is on its way', async () => {
    await openRoom(lines('n', 50));
    const answer = deferPages();
    await scrollTo(0);
    expect(screen.getByText('Loading earlier messages…')).toBeTruthy();
    await act(async () => answer([]));
    expect(screen.queryByText('Loading earlier messages…')).toBeNull();
  });
});
