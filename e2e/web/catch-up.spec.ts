// Catch-up seen by a late joiner (#14 item 3): Alice hosts and talks alone; Bob joins afterwards and
// sees her lines marked "earlier", a line saying where they end, and both headers say how many
// earlier lines new members see. The quieter look of earlier lines passes axe, light and dark.
import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { test } from '../fixtures/two-users.js';
import { must } from '../../test/support/must.js';

const messages = (page: Page) => page.getByRole('list', { name: 'Messages' });

async function send(page: Page, text: string): Promise<void> {
  const box = page.getByLabel('Message', { exact: true });
  await box.fill(text);
  await box.press('Enter');
  await expect(messages(page).getByTestId('chat-message').filter({ hasText: text })).toBeVisible();
}

test('a late joiner sees what was said before, marked earlier, once', async ({ alice, bob }) => {
  const a = alice.page;
  await a.getByRole('button', { name: 'Host a room' }).click();
  await a.getByLabel('Room name').fill('porch');
  await a.getByLabel('Your display name').fill('Alice');
  await a.getByLabel('Port', { exact: true }).fill('0');
  await a.getByLabel('Listen on').selectOption('127.0.0.1');
  await a.getByRole('button', { name: 'Host room' }).click();
  await expect(a.getByTestId('room-state')).toHaveText('Connected');
  await expect(a.getByTestId('room-catch-up')).toHaveText(' · new members see the last 100 messages');
  const address = must(
    await a.getByRole('list', { name: 'Host addresses' }).locator('code').first().textContent(),
    'the host address',
  ).trim();
  await send(a, 'first thing said alone');
  await send(a, 'second thing said alone');

  const b = bob.page;
  await b.getByLabel('Host address').fill(address);
  await b.getByLabel('Room name').fill('porch');
  await b.getByLabel('Your display name').fill('Bob');
  await b.getByRole('button', { name: 'Join room' }).click();
  await expect(b.getByTestId('room-state')).toHaveText('Connected');
  await expect(b.getByTestId('room-catch-up')).toHaveText(' · new members see the last 100 messages');

  await expect(messages(b)).toContainText('2 earlier messages from before you joined.');
  for (const text of ['first thing said alone', 'second thing said alone']) {
    const row = messages(b).getByTestId('chat-message').filter({ hasText: text });
    await expect(row).toHaveCount(1);
    await expect(row).toHaveClass(/\bearlier\b/);
    await expect(row.locator('.earlier-tag')).toHaveText('earlier');
  }

  await send(a, 'said once bob was in');
  const live = messages(b).getByTestId('chat-message').filter({ hasText: 'said once bob was in' });
  await expect(live).toBeVisible();
  await expect(live).not.toHaveClass(/\bearlier\b/);

  for (const colorScheme of ['light', 'dark'] as const) {
    await b.emulateMedia({ colorScheme });
    const { violations } = await new AxeBuilder({ page: b }).analyze();
    const found = violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(found, `room with earlier lines (${colorScheme})`).toEqual([]);
  }
});
