// Web mode's desktop notifications, in Chromium against a real backend and a scripted member on a
// real server. The page's Notification constructor is wrapped (init script) to record what the app
// asks the browser to show; the permission is granted to the page's origin as a user would, after
// the app asked for it from the preference switch. Which lines notify is the desktop app's rule
// (src-shared/message-notification.ts): focused, only a mention of you outside the room in view;
// in the background, every line.
import { expect, test, type Page } from '@playwright/test';
import { startRoomFeeder, type RoomFeeder } from '../../bench/ui/room-feeder.js';
import { startWebBackend, type WebBackend } from '../fixtures/web-backend.js';

interface Shown {
  title: string;
  body: string;
}

/** Runs in the page before the app: records every notification the app constructs. */
function recordNotifications(): void {
  const shown: Shown[] = [];
  Reflect.set(window, '__shown', shown);
  const Real = window.Notification;
  class Recorded extends Real {
    constructor(title: string, options?: NotificationOptions) {
      super(title, options);
      shown.push({ title, body: options?.body ?? '' });
      Reflect.set(window, '__lastNotification', this);
    }
  }
  window.Notification = Recorded;
}

const shown = (page: Page) => page.evaluate(() => Reflect.get(window, '__shown') as Shown[]);

let feeder: RoomFeeder;
let backend: WebBackend;

test.beforeEach(async () => {
  feeder = await startRoomFeeder('notify');
  backend = await startWebBackend('notifications');
});

test.afterEach(async () => {
  await backend.stop();
  await feeder.close();
});

test('a mention notifies through the browser when the page is not in front; a click opens the room', async ({
  page,
  context,
}) => {
  await context.grantPermissions(['notifications'], { origin: new URL(backend.url).origin });
  await page.addInitScript({ content: `(${recordNotifications.toString()})();` });
  await page.goto(backend.url);
  await page.getByLabel('Host address').fill(feeder.address);
  await page.getByLabel('Room name').fill(feeder.room);
  await page.getByLabel('Your display name').fill('reader');
  await page.getByRole('button', { name: 'Join room' }).click();
  await expect(page.getByRole('heading', { name: 'notify', level: 1 })).toBeVisible();

  // Off until the user turns it on: the switch is what asks the browser.
  const toggle = page.getByRole('checkbox', { name: 'Desktop notifications' });
  await expect(toggle).not.toBeChecked();
  await toggle.check();
  await expect(toggle).toBeChecked();
  const list = page.getByRole('list', { name: 'Messages' });

  // Focused, in the room: nothing, mention or not (the line is on screen).
  feeder.say('plain line in view');
  feeder.say('@reader mentioned in view');
  await expect(list).toContainText('@reader mentioned in view');
  expect(await shown(page)).toEqual([]);

  // Focused, elsewhere (the Join screen): a plain line is only counted; a mention notifies.
  await page.getByRole('button', { name: 'Join a room' }).click();
  feeder.say('plain line elsewhere');
  feeder.say('hey @reader, over here');
  await expect
    .poll(() => shown(page))
    .toEqual([{ title: 'feeder mentioned you in notify', body: 'hey @reader, over here' }]);

  // Another page in front: this one loses the focus (Playwright lets every page think it has the
  // focus unless told otherwise). The mention's text reaches the OS plain and trimmed.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: false });
  const other = await context.newPage();
  await other.bringToFront();
  await expect.poll(() => page.evaluate(() => document.hasFocus())).toBe(false);
  feeder.say(`@reader \u202Egnp.exe\u200B ${'x'.repeat(300)}`);
  await expect.poll(async () => (await shown(page)).length).toBe(2);
  const away = (await shown(page))[1];
  expect(away?.title).toBe('feeder mentioned you in notify');
  expect(away?.body.startsWith('@reader gnp.exe xxx')).toBe(true);
  expect(Array.from(away?.body ?? '')).toHaveLength(200);

  // Clicking it brings the page forward and opens the room.
  await page.bringToFront();
  await other.close();
  await expect(page.getByRole('heading', { name: 'notify', level: 1 })).toHaveCount(0);
  await page.evaluate(() =>
    (Reflect.get(window, '__lastNotification') as Notification).dispatchEvent(new Event('click')),
  );
  await expect(page.getByRole('heading', { name: 'notify', level: 1 })).toBeVisible();
});

test('without the switch turned on, nothing is shown and the browser is never asked', async ({ page }) => {
  await page.addInitScript({ content: `(${recordNotifications.toString()})();` });
  await page.addInitScript({
    content: `Notification.requestPermission = () => { window.__asked = true; return Promise.resolve('denied'); };`,
  });
  await page.goto(backend.url);
  await page.getByLabel('Host address').fill(feeder.address);
  await page.getByLabel('Room name').fill(feeder.room);
  await page.getByLabel('Your display name').fill('reader');
  await page.getByRole('button', { name: 'Join room' }).click();
  await expect(page.getByRole('heading', { name: 'notify', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Join a room' }).click();
  feeder.say('@reader are you there');
  await expect(page.getByRole('button', { name: /notify/ }).getByLabel('1 unread')).toBeVisible();
  expect(await shown(page)).toEqual([]);
  expect(await page.evaluate(() => Reflect.get(window, '__asked') === true)).toBe(false);
});
