// Accessibility and small windows in web mode: axe finds no violations on the start page, the host
// form, the join form with its password dialog and a room with messages, in light and dark; at
// 640x420 the message list and composer stay visible and usable.
import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { test } from '../fixtures/two-users.js';

/** Runs axe in light and then dark colours; `what` names the view in the failure message. */
async function expectNoViolations(page: Page, what: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const { violations } = await new AxeBuilder({ page }).analyze();
    const found = violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(found, `${what} (${colorScheme})`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: null });
}

async function hostRoom(page: Page, room: string, password = ''): Promise<string> {
  await page.getByRole('button', { name: 'Host a room' }).click();
  await page.getByLabel('Room name').fill(room);
  await page.getByLabel('Your display name').fill('Alice');
  if (password) await page.getByLabel('Password (optional)').fill(password);
  await page.getByLabel('Port', { exact: true }).fill('0');
  await page.getByLabel('Listen on').selectOption('127.0.0.1');
  await page.getByRole('button', { name: 'Host room' }).click();
  await expect(page.getByRole('heading', { name: room, level: 1 })).toBeVisible();
  await expect(page.getByTestId('room-state')).toHaveText('Connected');
  const invite = (await page.getByLabel('Invite text', { exact: true }).textContent()) ?? '';
  return /port=(\d+)/.exec(invite)?.[1] ?? '';
}

async function send(page: Page, text: string): Promise<void> {
  const box = page.getByLabel('Message', { exact: true });
  await box.fill(text);
  await box.press('Enter');
  await expect(page.getByRole('list', { name: 'Messages' })).toContainText(text);
}

// axe is slow on a busy 2-core machine: one view per test keeps each well inside the time limit.
test('the start page and the host form have no axe violations', async ({ bob }) => {
  await expectNoViolations(bob.page, 'start page (join form)');
  await bob.page.getByRole('button', { name: 'Host a room' }).click();
  await expectNoViolations(bob.page, 'host form');
});

async function askPassword(page: Page, port: string, room: string): Promise<void> {
  await page.getByLabel('Host address', { exact: true }).fill(`127.0.0.1:${port}`);
  await page.getByLabel('Room name').fill(room);
  await page.getByLabel('Your display name').fill('Bob');
  await page.getByRole('button', { name: 'Join room' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await expect(page.getByLabel('Room password')).toBeFocused();
}

test('the join form with the password dialog has no axe violations', async ({ alice, bob }) => {
  const port = await hostRoom(alice.page, 'axe door', 'sesame');
  await askPassword(bob.page, port, 'axe door');
  await expectNoViolations(bob.page, 'join form with the password dialog');
});

test('a room with messages has no axe violations, for the host and a member', async ({ alice, bob }) => {
  const port = await hostRoom(alice.page, 'axe room', 'sesame');
  const b = bob.page;
  await askPassword(b, port, 'axe room');
  await b.getByLabel('Room password').fill('sesame');
  await b.getByLabel('Room password').press('Enter');
  await expect(b.getByRole('heading', { name: 'axe room', level: 1 })).toBeVisible();
  for (let i = 1; i <= 6; i++) await send(i % 2 ? alice.page : b, `line ${i} for @Bob, with some words`);
  await expect(b.getByRole('list', { name: 'Messages' })).toContainText('line 6');
  await expectNoViolations(alice.page, 'room with messages (host, invite panel open)');
  await expectNoViolations(b, 'room with messages (member)');
});

test('the password dialog keeps Tab inside and Escape gives focus back to Join room', async ({ alice, bob }) => {
  const port = await hostRoom(alice.page, 'locked', 'sesame');
  const b = bob.page;
  await askPassword(b, port, 'locked');
  const dialog = b.getByRole('dialog');
  for (let i = 0; i < 5; i++) {
    await b.keyboard.press('Tab');
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  await b.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(b.getByRole('button', { name: 'Join room' })).toBeFocused();
});

test('at 640x420 the message list and composer stay usable; invite and members are toggles', async ({ alice }) => {
  const a = alice.page;
  await a.setViewportSize({ width: 640, height: 420 });
  await hostRoom(a, 'narrow one');
  const list = a.getByRole('list', { name: 'Messages' });
  const box = a.getByLabel('Message', { exact: true });
  const inViewport = async (what: typeof box) => {
    const r = await what.boundingBox();
    expect(r, 'laid out').not.toBeNull();
    return r ?? { x: 0, y: 0, width: 0, height: 0 };
  };

  // Even with the invite panel open, the list has room and the composer is entirely on screen.
  const scroller = a.locator('.message-scroller');
  expect((await inViewport(scroller)).height).toBeGreaterThanOrEqual(100);
  const composer = await inViewport(a.locator('form.composer'));
  expect(composer.y + composer.height).toBeLessThanOrEqual(420);
  await send(a, 'typed in a small window');
  await expect(list.getByText('typed in a small window')).toBeInViewport();

  // Collapsed, the invite panel stays collapsed in the next room and back again.
  await a.getByText('Invite others').click();
  await expect(a.getByLabel('Invite text', { exact: true })).toBeHidden();
  const tall = (await inViewport(scroller)).height;
  await hostRoom(a, 'narrow two');
  await expect(a.getByRole('heading', { name: 'narrow two', level: 1 })).toBeVisible();
  await expect(a.getByLabel('Invite text', { exact: true })).toBeHidden();
  await a.getByTestId('room-item-narrow one').click();
  await expect(a.getByLabel('Invite text', { exact: true })).toBeHidden();
  expect((await inViewport(scroller)).height).toBeGreaterThanOrEqual(tall - 1);

  // The member list is hidden at this width but one click away.
  const members = a.getByRole('list', { name: 'Member list' });
  await expect(members).toBeHidden();
  await a.getByRole('button', { name: /^Members \(1\)$/ }).click();
  await expect(members).toBeVisible();
  await expect(members).toContainText('Alice');
  await a.getByRole('button', { name: 'Hide members' }).click();
  await expect(members).toBeHidden();
  await expect(box).toBeEditable();
});

test('from 640x420 to 1920x1080 the list has room and the composer is fully on screen', async ({ alice }) => {
  const a = alice.page;
  await hostRoom(a, 'sizes');
  for (const [width, height] of [
    [640, 420],
    [800, 600],
    [1024, 768],
    [1366, 768],
    [1920, 1080],
  ] as const) {
    await a.setViewportSize({ width, height });
    const list = await a.locator('.message-scroller').boundingBox();
    const composer = await a.locator('form.composer').boundingBox();
    expect(list?.height ?? 0, `list height at ${width}x${height}`).toBeGreaterThanOrEqual(100);
    expect((composer?.y ?? height) + (composer?.height ?? 0), `composer at ${width}x${height}`).toBeLessThanOrEqual(
      height,
    );
    expect((composer?.x ?? width) + (composer?.width ?? 0), `composer width at ${width}x${height}`).toBeLessThanOrEqual(
      width,
    );
    await expect(a.getByLabel('Message', { exact: true })).toBeEditable();
  }
});
