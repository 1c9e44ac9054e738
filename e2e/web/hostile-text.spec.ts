// Text that lies, in a real browser (issue 15): a peer's link hiding a right-to-left override stays
// plain text while an honest link is clickable, and a name built to look like someone else's is
// refused at the field before any request.
import { expect } from '@playwright/test';
import { fillJoin, hostRoom } from '../fixtures/room-forms.js';
import { test } from '../fixtures/two-users.js';

const DECEPTIVE = 'https://evil.example/\u202Efdp.exe.moc.elgoog';
const HONEST = 'https://example.org/page';

test('a link hiding a bidi override stays plain text; an honest link is clickable', async ({ alice, bob }) => {
  const address = await hostRoom(alice.page, 'links');
  await fillJoin(bob.page, address, 'links', 'Bob');
  await expect(bob.page.getByRole('heading', { name: 'links', level: 1 })).toBeVisible();

  const box = bob.page.getByLabel('Message', { exact: true });
  for (const text of [`look ${DECEPTIVE}`, `and ${HONEST}`]) {
    await box.fill(text);
    await box.press('Enter');
    await expect(box).toHaveValue('');
  }

  const messages = alice.page.getByRole('list', { name: 'Messages' });
  await expect(messages).toContainText('and https://example.org/page');
  await expect(messages.getByRole('link', { name: HONEST })).toHaveAttribute('href', HONEST);
  await expect(messages).toContainText('evil.example');
  // Nothing on the page links to the deceptive host.
  await expect(alice.page.locator('a[href*="evil.example"]')).toHaveCount(0);
});

test('a name with a right-to-left override is refused at the field, before any request', async ({ alice, bob }) => {
  const address = await hostRoom(alice.page, 'names');
  await fillJoin(bob.page, address, 'names', '\u202Eecila');
  const name = bob.page.getByLabel('Your display name');
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(bob.page.getByRole('heading', { name: 'names', level: 1 })).toHaveCount(0);
  // The host's room still has only the host in it.
  await expect(alice.page.getByRole('list', { name: 'Member list' }).getByRole('listitem')).toHaveCount(1);
});
