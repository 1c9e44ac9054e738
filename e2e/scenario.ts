// The two-user scenario shared by the web and Electron projects: A hosts a protected room, B joins
// (wrong password first), both chat (emoji, CJK, multi-line), the composer refuses an oversized
// message, B leaves and rejoins, A closes the room. Screenshots go to e2e-artifacts/screenshots/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { must } from '../test/support/must.js';

const SHOTS = join(import.meta.dirname, '..', 'e2e-artifacts', 'screenshots');

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

const messages = (page: Page) => page.getByRole('list', { name: 'Messages' });
const members = (page: Page) => page.getByRole('list', { name: 'Member list' });

async function send(page: Page, text: string): Promise<void> {
  const box = page.getByLabel('Message', { exact: true });
  await box.fill(text);
  await box.press('Enter');
  await expect(box).toHaveValue('');
}

export async function runChatScenario(a: Page, b: Page, prefix: string): Promise<void> {
  // --- A hosts a password-protected room on a free loopback port.
  await a.getByRole('button', { name: 'Host a room' }).click();
  await a.getByLabel('Room name').fill('lobby');
  await a.getByLabel('Your display name').fill('Alice');
  await a.getByLabel('Password (optional)').fill('s3cret');
  await a.getByLabel('Port', { exact: true }).fill('0');
  await a.getByLabel('Listen on').selectOption('127.0.0.1');
  await shot(a, `${prefix}-1-host-form`);
  await a.getByRole('button', { name: 'Host room' }).click();
  await expect(a.getByRole('heading', { name: 'lobby', level: 1 })).toBeVisible();
  await expect(a.getByTestId('room-state')).toHaveText('Connected');
  const address = must(
    await a.getByRole('list', { name: 'Host addresses' }).locator('code').first().textContent(),
    'the first host address',
  ).trim();
  expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
  await expect(a.getByLabel('Invite text', { exact: true })).toContainText(address);
  await expect(members(a)).toContainText('Alice');
  await shot(a, `${prefix}-2-hosting`);

  // --- B joins with a wrong password: the dialog shows the error and keeps the rest of the form.
  await b.getByLabel('Host address').fill(address);
  await b.getByLabel('Room name').fill('lobby');
  await b.getByLabel('Your display name').fill('Bob');
  await b.getByLabel('Password (if the room has one)').fill('wrong');
  await b.getByRole('button', { name: 'Join room' }).click();
  const dialog = b.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('alert')).toHaveText(/wrong password/i);
  await shot(b, `${prefix}-3-wrong-password`);
  await dialog.getByLabel('Room password').fill('s3cret');
  await dialog.getByRole('button', { name: 'Join' }).click();
  await expect(dialog).toBeHidden();
  await expect(b.getByRole('heading', { name: 'lobby', level: 1 })).toBeVisible();
  await expect(b.getByTestId('room-state')).toHaveText('Connected');

  // --- Member lists update on both sides; the host is marked.
  await expect(members(a)).toContainText('Bob');
  await expect(members(b).getByRole('listitem').filter({ hasText: 'Alice' })).toContainText('host');
  await expect(members(b)).toContainText('Bob');
  await expect(messages(a)).toContainText('Bob joined the room.');

  // --- Messages both ways: emoji, CJK, a newline with Shift+Enter.
  await send(a, 'Hello Bob 👋 café');
  await expect(messages(b)).toContainText('Hello Bob 👋 café');
  await expect(messages(a).locator('.msg.own')).toContainText('Hello Bob 👋 café');
  await send(b, '你好，Alice！🎉 こんにちは');
  await expect(messages(a)).toContainText('你好，Alice！🎉 こんにちは');

  // --- @mentions: a member's name is highlighted (matched whatever its case); the named member's
  // line is marked on their side only.
  await send(a, 'Thanks @bob, see you');
  const mentionAtB = messages(b).getByTestId('chat-message').filter({ hasText: 'Thanks @bob' });
  await expect(mentionAtB).toHaveClass(/mentions-me/);
  await expect(mentionAtB.locator('.mention.mention-me')).toHaveText('@bob');
  const mentionAtA = messages(a).getByTestId('chat-message').filter({ hasText: 'Thanks @bob' });
  await expect(mentionAtA.locator('.mention')).toHaveText('@bob');
  await expect(mentionAtA).not.toHaveClass(/mentions-me/);
  await shot(b, `${prefix}-4b-mention`);
  const box = b.getByLabel('Message', { exact: true });
  await box.fill('line one');
  await box.press('Shift+Enter');
  await box.pressSequentially('line two');
  await expect(box).toHaveValue('line one\nline two');
  await box.press('Enter');
  await expect(messages(a).getByTestId('chat-message').last()).toContainText('line one\nline two', {
    useInnerText: true,
  });
  await shot(a, `${prefix}-4-chat-host`);
  await shot(b, `${prefix}-5-chat-member`);

  // --- The composer refuses a message over the byte limit (3800): 1901 × "é" = 3802 bytes.
  const abox = a.getByLabel('Message', { exact: true });
  await abox.fill('é'.repeat(1901));
  await expect(a.getByTestId('byte-counter')).toContainText('3802 / 3800 bytes');
  await expect(a.getByTestId('byte-counter')).toContainText('2 too many');
  await expect(a.getByRole('button', { name: 'Send' })).toBeDisabled();
  await abox.press('Enter');
  await expect(abox).toHaveValue('é'.repeat(1901)); // Enter did not send it
  await shot(a, `${prefix}-6-too-long`);
  await abox.fill('');

  // --- B leaves → A sees it; B rejoins with one click.
  await b.getByRole('button', { name: 'Leave' }).click();
  await expect(b.getByRole('alert').filter({ hasText: 'You left this room.' })).toBeVisible();
  await expect(messages(a)).toContainText('Bob left the room.');
  await expect(members(a)).not.toContainText('Bob');
  await b.getByRole('button', { name: 'Rejoin' }).click();
  await expect(b.getByTestId('room-state')).toHaveText('Connected');
  await expect(members(a)).toContainText('Bob');
  await expect(messages(b)).toContainText('Hello Bob 👋 café'); // history kept across the rejoin

  // --- Host tools (#14 item 7): A sees B typing; A removes B, who is told and may join again.
  await b.getByLabel('Message', { exact: true }).pressSequentially('typing…');
  await expect(a.getByTestId('typing-line')).toHaveText('Bob is typing…');
  await b.getByLabel('Message', { exact: true }).fill('');
  await members(a).getByRole('button', { name: 'Remove Bob' }).click();
  await a.getByRole('button', { name: 'Yes, remove' }).click();
  await expect(b.getByRole('alert').filter({ hasText: 'The host removed you from this room.' })).toBeVisible();
  await expect(b.getByTestId('room-state')).toHaveText('Closed');
  await expect(messages(a)).toContainText('Bob was removed by the host.');
  await expect(members(a)).not.toContainText('Bob');
  await shot(b, `${prefix}-6b-removed`);
  await b.getByRole('button', { name: 'Rejoin' }).click();
  await expect(b.getByTestId('room-state')).toHaveText('Connected');
  await expect(members(a)).toContainText('Bob');

  // --- A closes the room → B sees it closed and may rejoin later.
  await a.getByRole('button', { name: 'Close room' }).click();
  await a.getByRole('button', { name: 'Yes, close room' }).click();
  await expect(a.getByTestId('room-state')).toHaveText('Closed');
  await expect(b.getByRole('alert').filter({ hasText: 'The host closed this room.' })).toBeVisible();
  await expect(b.getByTestId('room-state')).toHaveText('Closed');
  await expect(b.getByRole('button', { name: 'Rejoin' })).toBeVisible();
  await shot(b, `${prefix}-7-room-closed`);
}
