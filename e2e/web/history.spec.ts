// History kept across a backend restart (#14 item 2): Bob's web backend quits and starts again on
// the same data folder; the room is listed under "From last time" with its history, Rejoin asks for
// the password (web mode has no secret store to keep it), and the catch-up adds no second copy.
import { expect, type Page } from '@playwright/test';
import { test } from '../fixtures/two-users.js';
import { must } from '../../test/support/must.js';

const messages = (page: Page) => page.getByRole('list', { name: 'Messages' });

async function send(page: Page, text: string): Promise<void> {
  const box = page.getByLabel('Message', { exact: true });
  await box.fill(text);
  await box.press('Enter');
  await expect(box).toHaveValue('');
}

test('history is kept across a backend restart, and the room is one click from rejoining', async ({ alice, bob }) => {
  const a = alice.page;
  await a.getByRole('button', { name: 'Host a room' }).click();
  await a.getByLabel('Room name').fill('den');
  await a.getByLabel('Your display name').fill('Alice');
  await a.getByLabel('Password (optional)').fill('s3cret');
  await a.getByLabel('Port', { exact: true }).fill('0');
  await a.getByLabel('Listen on').selectOption('127.0.0.1');
  await a.getByRole('button', { name: 'Host room' }).click();
  await expect(a.getByTestId('room-state')).toHaveText('Connected');
  const address = must(
    await a.getByRole('list', { name: 'Host addresses' }).locator('code').first().textContent(),
    'the host address',
  ).trim();

  let b = bob.page;
  await b.getByLabel('Host address').fill(address);
  await b.getByLabel('Room name').fill('den');
  await b.getByLabel('Your display name').fill('Bob');
  await b.getByLabel('Password (if the room has one)').fill('s3cret');
  await b.getByRole('button', { name: 'Join room' }).click();
  await expect(b.getByTestId('room-state')).toHaveText('Connected');
  await send(a, 'said before the restart');
  await expect(messages(b)).toContainText('said before the restart');
  await send(b, 'bob was here');
  await expect(messages(a)).toContainText('bob was here');

  await bob.backend.restart();
  b = await bob.page.context().newPage();
  await bob.page.close();
  await b.goto(bob.backend.url);

  const remembered = b.getByRole('list', { name: 'From last time' });
  await expect(remembered).toContainText('den');
  await remembered.getByTestId('room-item-den').click();
  await expect(messages(b)).toContainText('said before the restart');
  await expect(messages(b)).toContainText('bob was here');

  await remembered.getByRole('button', { name: 'Rejoin den' }).click();
  const dialog = b.getByRole('dialog');
  await dialog.getByLabel('Room password').fill('s3cret');
  await dialog.getByRole('button', { name: 'Join' }).click();
  await expect(b.getByTestId('room-state')).toHaveText('Connected');
  await expect(b.getByRole('list', { name: 'From last time' })).toHaveCount(0);

  await send(a, 'said after the restart');
  await expect(messages(b)).toContainText('said after the restart');
  // The host's catch-up resent both earlier lines; each is shown once.
  await expect(messages(b).getByText('said before the restart')).toHaveCount(1);
  await expect(messages(b).getByText('bob was here')).toHaveCount(1);
});
