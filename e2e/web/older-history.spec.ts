// Older history on scrolling up (#14 item 2), in Chromium against a real web-mode backend: a room
// with more stored lines than the first page survives a backend restart; scrolling to the top loads
// the older lines from disk above the ones shown, without moving the line the reader is on.
import { expect, test, type Page } from '@playwright/test';
import { startRoomFeeder, type RoomFeeder } from '../../bench/ui/room-feeder.js';
import { startWebBackend, type WebBackend } from '../fixtures/web-backend.js';

/** More than the 200 lines a room opens with after a restart. */
const STORED = 300;

let feeder: RoomFeeder;
let backend: WebBackend;

test.beforeEach(async () => {
  feeder = await startRoomFeeder('older');
  backend = await startWebBackend('older-history');
});

test.afterEach(async () => {
  await backend.stop();
  await feeder.close();
});

/** Where the row holding `text` starts, in pixels below the list's top edge (null if not rendered). */
function rowOffset(page: Page, text: string) {
  return page.getByRole('log', { name: 'Message history' }).evaluate((scroller, wanted) => {
    const edge = scroller.getBoundingClientRect().top;
    for (const row of scroller.querySelectorAll<HTMLElement>('ol > li')) {
      if (row.querySelector('.msg-text')?.textContent === wanted) return row.getBoundingClientRect().top - edge;
    }
    return null;
  }, text);
}

/** The text of the first row whose bottom is below the list's top edge. */
function topText(page: Page) {
  return page.getByRole('log', { name: 'Message history' }).evaluate((scroller) => {
    const edge = scroller.getBoundingClientRect().top;
    for (const row of scroller.querySelectorAll<HTMLElement>('ol > li')) {
      const text = row.querySelector('.msg-text')?.textContent;
      if (text && row.getBoundingClientRect().bottom > edge) return text;
    }
    return null;
  });
}

const scrollTop = (page: Page) =>
  page.getByRole('log', { name: 'Message history' }).evaluate((scroller) => scroller.scrollTop);

const scrollTo = (page: Page, top: number) =>
  page.getByRole('log', { name: 'Message history' }).evaluate((scroller, y) => {
    scroller.scrollTop = y;
  }, top);

test('after a restart, scrolling up loads the older stored lines above, keeping the view in place', async ({
  page,
}) => {
  await page.goto(backend.url);
  await page.getByLabel('Host address').fill(feeder.address);
  await page.getByLabel('Room name').fill(feeder.room);
  await page.getByLabel('Your display name').fill('reader');
  await page.getByRole('button', { name: 'Join room' }).click();
  await expect(page.getByRole('heading', { name: feeder.room, level: 1 })).toBeVisible();
  await feeder.preload(STORED, 2000);
  const list = page.getByRole('list', { name: 'Messages' });
  await expect(list).toContainText('preload-end', { timeout: 30_000 });

  await backend.restart();
  const reopened = await page.context().newPage();
  await page.close();
  await reopened.goto(backend.url);
  await reopened.getByRole('list', { name: 'From last time' }).getByTestId(`room-item-${feeder.room}`).click();
  const messages = reopened.getByRole('list', { name: 'Messages' });
  await expect(messages).toContainText('preload-end');

  // Scrolled up, short of the top (older lines are asked for within 200 px): every row above is
  // rendered and measured, and the reader is on the line at the top edge.
  await scrollTo(reopened, 250);
  await expect
    .poll(() => reopened.getByRole('list', { name: 'Messages' }).evaluate((ol) => ol.style.transform))
    .toBe('translateY(0px)');
  const read = (await topText(reopened))!;
  const offset = (await rowOffset(reopened, read))!;
  // Measuring may have moved the offset from 250; the next step is relative to where it is.
  const readAt = await scrollTop(reopened);
  await expect(messages.getByText('pre 0 ', { exact: false })).toHaveCount(0);

  // Up to the top: the older page comes from disk and is put above, the line read stays put.
  await scrollTo(reopened, 150);
  await expect.poll(() => scrollTop(reopened)).toBeGreaterThan(2000);
  // Within a pixel: the browser keeps whole-pixel scroll offsets and fractional row heights.
  const expected = offset + readAt - 150;
  await expect.poll(async () => Math.abs((await rowOffset(reopened, read))! - expected)).toBeLessThan(1.5);

  // The start of what is stored: the first line and the note saying so.
  await scrollTo(reopened, 0);
  await expect(reopened.getByText('Beginning of history')).toBeVisible();
  await expect(messages).toContainText('pre 0 the quick brown fox');
});
