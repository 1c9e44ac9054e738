// The message list with a long history, in Chromium against a real web-mode backend: a scripted
// member on a real server fills the room, and the list must keep a bounded number of rows in the
// DOM, offer "jump to latest" when scrolled up, and not move the view when new lines arrive.
import { expect, test, type Page } from '@playwright/test';
import { startRoomFeeder, type RoomFeeder } from '../../bench/ui/room-feeder.js';
import { startWebBackend, type WebBackend } from '../fixtures/web-backend.js';

const HISTORY = 3000;

let feeder: RoomFeeder;
let backend: WebBackend;

test.beforeEach(async () => {
  feeder = await startRoomFeeder('long');
  backend = await startWebBackend('message-list');
});

test.afterEach(async () => {
  await backend.stop();
  await feeder.close();
});

async function joinFeederRoom(page: Page): Promise<void> {
  await page.goto(backend.url);
  await page.getByLabel('Host address').fill(feeder.address);
  await page.getByLabel('Room name').fill(feeder.room);
  await page.getByLabel('Your display name').fill('reader');
  await page.getByRole('button', { name: 'Join room' }).click();
  await expect(page.getByRole('heading', { name: feeder.room, level: 1 })).toBeVisible();
}

/** The row at the top edge of the viewport and its distance from that edge. */
function topRow(page: Page) {
  return page.getByRole('log', { name: 'Message history' }).evaluate((scroller) => {
    const edge = scroller.getBoundingClientRect().top;
    for (const row of scroller.querySelectorAll<HTMLElement>('ol > li')) {
      const box = row.getBoundingClientRect();
      if (box.bottom > edge) return { pos: row.dataset.pos, offset: box.top - edge, text: row.textContent };
    }
    return null;
  });
}

test('thousands of lines keep a bounded DOM; scrolled up, new lines wait behind "jump to latest"', async ({ page }) => {
  await joinFeederRoom(page);
  const list = page.getByRole('list', { name: 'Messages' });
  const scroller = page.getByRole('log', { name: 'Message history' });

  await feeder.preload(HISTORY, 2000);
  await expect(list).toContainText('preload-end', { timeout: 60_000 });
  const rows = await list.locator(':scope > li').count();
  expect(rows).toBeGreaterThan(5);
  expect(rows).toBeLessThan(120); // a window of rows, not the history
  await expect(page.getByRole('button', { name: /Jump to latest/ })).toHaveCount(0);

  // Scroll up by hand: the list stops following and offers the way back.
  await scroller.hover();
  await page.mouse.wheel(0, -4000);
  const jump = page.getByRole('button', { name: /Jump to latest/ });
  await expect(jump).toBeVisible();
  await expect(list).not.toContainText('preload-end');
  const before = await topRow(page);
  expect(before).not.toBeNull();

  // New lines while scrolled up: counted on the button, and the view does not move.
  await feeder.burst(5, 50);
  await expect(jump).toContainText('5 new messages');
  const after = await topRow(page);
  expect(after?.pos).toBe(before?.pos);
  expect(Math.abs((after?.offset ?? 0) - (before?.offset ?? 0))).toBeLessThanOrEqual(1);
  expect(await list.locator(':scope > li').count()).toBeLessThan(120);

  // Deep in the history, the rows are still a bounded window.
  await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight / 3));
  await expect(list).toContainText(/pre \d+ /);
  expect(await list.locator(':scope > li').count()).toBeLessThan(120);

  await jump.click();
  await expect(list).toContainText('burst#4');
  await expect(jump).toHaveCount(0);
  await expect(scroller).toBeFocused();
});

test('your own line scrolls you down to it', async ({ page }) => {
  await joinFeederRoom(page);
  const list = page.getByRole('list', { name: 'Messages' });
  await feeder.preload(500, 2000);
  await expect(list).toContainText('preload-end', { timeout: 30_000 });
  await page.getByRole('log', { name: 'Message history' }).hover();
  await page.mouse.wheel(0, -3000);
  await expect(page.getByRole('button', { name: /Jump to latest/ })).toBeVisible();

  const composer = page.getByLabel('Message', { exact: true });
  await composer.fill('back to the bottom, please');
  await composer.press('Enter');
  await expect(list.getByTestId('chat-message').last()).toContainText('back to the bottom, please');
  await expect(list.getByTestId('chat-message').last()).toBeInViewport();
  await expect(page.getByRole('button', { name: /Jump to latest/ })).toHaveCount(0);
});
