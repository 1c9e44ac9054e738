// Two users, two separate web-mode backends, two browser contexts: the full chat scenario.
import { expect } from '@playwright/test';
import { test } from '../fixtures/two-users.js';
import { runChatScenario, shot } from '../scenario.js';
import { must } from '../../test/support/must.js';

test('two users host, join with a password, chat, leave, rejoin and close', async ({ alice, bob }) => {
  const errors: string[] = [];
  for (const page of [alice.page, bob.page]) {
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
  }
  await runChatScenario(alice.page, bob.page, 'web');
  expect(errors, 'no page errors or CSP violations').toEqual([]);
});

test('the per-run token leaves the page URL once the page has it', async ({ alice }) => {
  await expect(alice.page.getByRole('button', { name: 'Host a room' })).toBeVisible();
  const token = new URL(alice.backend.url).hash.replace('#token=', '');
  expect(token.length).toBeGreaterThan(10);
  await expect.poll(() => alice.page.url()).not.toContain(token);
  // replaceState: going back leaves the page rather than landing on the URL with the token.
  await alice.page.goBack();
  expect(alice.page.url()).not.toContain(token);
});

test('the backend refuses a WebSocket without the token or from another origin', async ({ alice }) => {
  const base = new URL(alice.backend.url);
  const result = await alice.page.evaluate(async (wsBase) => {
    const attempt = (url: string) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(url);
        ws.onopen = () => {
          ws.close();
          resolve('open');
        };
        ws.onerror = () => resolve('refused');
      });
    return { noToken: await attempt(`${wsBase}/ws`), badToken: await attempt(`${wsBase}/ws?token=nope`) };
  }, `ws://${base.host}`);
  expect(result).toEqual({ noToken: 'refused', badToken: 'refused' });
  // A page from another origin (about:blank here has none of ours) cannot use the token either.
  const other = await alice.page.context().newPage();
  await other.goto('about:blank');
  const token = base.hash.replace('#token=', '');
  const fromOther = await other.evaluate(
    async ({ host, token }) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://${host}/ws?token=${token}`);
        ws.onopen = () => resolve('open');
        ws.onerror = () => resolve('refused');
      }),
    { host: base.host, token },
  );
  expect(fromOther).toBe('refused');
  await other.close();
});

test('preferences persist in the data folder across page reloads', async ({ alice }) => {
  const page = alice.page;
  await page.getByRole('button', { name: 'Host a room' }).click();
  await page.getByLabel('Room name').fill('prefs');
  await page.getByLabel('Your display name').fill('Alice Ünïcode');
  await page.getByLabel('Port', { exact: true }).fill('0');
  await page.getByLabel('Listen on').selectOption('127.0.0.1');
  await page.getByRole('button', { name: 'Host room' }).click();
  await expect(page.getByTestId('room-state')).toHaveText('Connected');
  // A reload reconnects: the token left the address bar but this tab kept it (sessionStorage).
  expect(page.url()).not.toContain('token=');
  await page.reload();
  // The room and its history are still there (kept by the backend), and the name is remembered.
  await expect(page.getByRole('heading', { name: 'prefs', level: 1 })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Messages' })).toContainText('You are hosting "prefs"');
  await page.getByRole('button', { name: 'Join a room' }).click();
  await expect(page.getByLabel('Your display name')).toHaveValue('Alice Ünïcode');
});

test('several rooms at once: one embedded server, sidebar with unread counts, history kept', async ({ alice, bob }) => {
  const a = alice.page;
  const b = bob.page;
  const host = async (room: string) => {
    await a.getByRole('button', { name: 'Host a room' }).click();
    await a.getByLabel('Room name').fill(room);
    await a.getByLabel('Your display name').fill('Alice');
    await a.getByLabel('Port', { exact: true }).fill('0');
    await a.getByLabel('Listen on').selectOption('127.0.0.1');
    await a.getByRole('button', { name: 'Host room' }).click();
    await expect(a.getByRole('heading', { name: room, level: 1 })).toBeVisible();
    return must(
      await a.getByRole('list', { name: 'Host addresses' }).locator('code').first().textContent(),
      'the first host address',
    ).trim();
  };
  const first = await host('general');
  const second = await host('random');
  expect(second).toBe(first); // both rooms on the same embedded server

  for (const room of ['general', 'random']) {
    await b.getByRole('button', { name: 'Join a room' }).click();
    await b.getByLabel('Host address').fill(first);
    await b.getByLabel('Room name').fill(room);
    await b.getByLabel('Your display name').fill('Bob');
    await b.getByRole('button', { name: 'Join room' }).click();
    await expect(b.getByRole('heading', { name: room, level: 1 })).toBeVisible();
  }
  // Bob looks at "random"; Alice writes in "general" twice.
  await a.getByTestId('room-item-general').click();
  await expect(a.getByRole('list', { name: 'Member list' })).toContainText('Bob');
  for (const text of ['first ☕', 'second 🍰']) {
    const box = a.getByLabel('Message', { exact: true });
    await box.fill(text);
    await box.press('Enter');
  }
  await expect(b.getByTestId('room-item-general').getByLabel('2 unread')).toBeVisible();
  await expect(b.getByTestId('room-item-random').getByLabel(/unread/)).toHaveCount(0);
  await expect(b).toHaveTitle('(2) Tincan');
  await shot(b, 'web-8-sidebar-unread');
  await b.getByTestId('room-item-general').click();
  await expect(b.getByRole('list', { name: 'Messages' })).toContainText('second 🍰');
  await expect(b.getByTestId('room-item-general').getByLabel(/unread/)).toHaveCount(0);
  await expect(b).toHaveTitle('Tincan');
  // Switching back keeps each room's history.
  await b.getByTestId('room-item-random').click();
  await expect(b.getByRole('list', { name: 'Messages' })).toContainText('You joined "random"');
  await b.getByTestId('room-item-general').click();
  await expect(b.getByRole('list', { name: 'Messages' })).toContainText('first ☕');
});
