// Invites in web mode: the host's invite text pasted into another user's Join form, and a page
// opened at a tincan:// link. Both fill the form; joining still takes the user's click.
import { expect, type Page } from '@playwright/test';
import { create } from 'qrcode';
import { test } from '../fixtures/two-users.js';
import { INVITE_QR_OPTIONS } from '../../src-renderer/components/invite-qr-options.js';

/** Pastes `text` into the focused field the way a browser does: a paste event carrying the clipboard. */
async function paste(page: Page, label: string, text: string): Promise<void> {
  await page.getByLabel(label, { exact: true }).focus();
  await page.evaluate((value) => {
    const data = new DataTransfer();
    data.setData('text/plain', value);
    document.activeElement?.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
  }, text);
}

test('the invite text pasted into the Join form fills it, and Join enters the room', async ({ alice, bob }) => {
  const a = alice.page;
  await a.getByRole('button', { name: 'Host a room' }).click();
  await a.getByLabel('Room name').fill('invite room');
  await a.getByLabel('Your display name').fill('Alice');
  await a.getByLabel('Port', { exact: true }).fill('0');
  await a.getByLabel('Listen on').selectOption('127.0.0.1');
  await a.getByRole('button', { name: 'Host room' }).click();
  await expect(a.getByRole('heading', { name: 'invite room', level: 1 })).toBeVisible();
  const invite = (await a.getByLabel('Invite text', { exact: true }).textContent()) ?? '';
  // The link names the host certificate too, so the member pins it (PROTOCOL.md §5a).
  expect(invite).toMatch(/^Link: tincan:\/\/join\?v=1&host=127\.0\.0\.1&port=\d+&room=invite%20room&fp=[0-9a-f]{64}$/m);
  const port = /port=(\d+)/.exec(invite)?.[1];

  // The QR code in the panel is the link's symbol: its pixels, read back from Chromium's canvas,
  // match qrcode's modules for the link one by one.
  const link = /tincan:\/\/\S+/.exec(invite)?.[0] ?? '';
  const qr = a.getByRole('img', { name: 'QR code of the invite link' });
  await expect(qr).toBeVisible();
  const { modules } = create(link, { errorCorrectionLevel: INVITE_QR_OPTIONS.errorCorrectionLevel });
  const { margin, scale } = INVITE_QR_OPTIONS;
  await expect
    .poll(() =>
      qr.evaluate(
        (canvas, at) => {
          const c = canvas as HTMLCanvasElement;
          const pixels = c.getContext('2d')?.getImageData(0, 0, c.width, c.height);
          if (!pixels || c.width !== at.width) return null;
          return at.centres.map(({ x, y }) => (pixels.data[(y * c.width + x) * 4] === 0 ? 1 : 0)).join('');
        },
        {
          width: (modules.size + 2 * margin) * scale,
          centres: Array.from({ length: modules.size * modules.size }, (_, i) => ({
            x: (margin + (i % modules.size)) * scale + scale / 2,
            y: (margin + Math.floor(i / modules.size)) * scale + scale / 2,
          })),
        },
      ),
    )
    .toBe(Array.from({ length: modules.size * modules.size }, (_, i) => (modules.data[i] ? 1 : 0)).join(''));
  await expect(a.locator('.invite-qr figcaption')).toContainText(link);

  const b = bob.page;
  await paste(b, 'Host address', invite);
  await expect(b.getByLabel('Host address', { exact: true })).toHaveValue(`127.0.0.1:${port}`);
  await expect(b.getByLabel('Room name')).toHaveValue('invite room');
  await expect(b.getByRole('status').filter({ hasText: 'Filled in from an invite' })).toBeVisible();
  await expect(b.getByRole('heading', { name: 'invite room', level: 1 })).toHaveCount(0);
  // The invite and the form both say how the password would travel (#16 item 5).
  expect(invite).toContain('Encrypted: the Tincan app connects over TLS, checks the host fingerprint below');
  await expect(b.getByText('Sent inside TLS, only to the host whose fingerprint is shown above.')).toBeVisible();

  await b.getByLabel('Your display name').fill('Bob');
  await b.getByRole('button', { name: 'Join room' }).click();
  await expect(b.getByRole('heading', { name: 'invite room', level: 1 })).toBeVisible();
  await expect(a.getByRole('list', { name: 'Member list' })).toContainText('Bob');
});

test('a page opened at a link shows the filled Join form and joins nothing', async ({ bob }) => {
  const link = 'tincan://join?v=1&host=[fd00::5]&port=7000&room=from%20a%20link';
  await bob.page.goto(`${bob.backend.url}&join=${encodeURIComponent(link)}`);
  await expect(bob.page.getByLabel('Host address', { exact: true })).toHaveValue('[fd00::5]:7000');
  await expect(bob.page.getByLabel('Room name')).toHaveValue('from a link');
  await expect(bob.page.getByRole('button', { name: 'Join room' })).toBeEnabled();
  await expect(bob.page.getByRole('heading', { name: 'from a link', level: 1 })).toHaveCount(0);
});

test('a page opened at a malformed link shows the Join form saying why', async ({ bob }) => {
  const link = 'tincan://join?v=1&host=10.0.0.5&port=7000&room=r&password=secret';
  await bob.page.goto(`${bob.backend.url}&join=${encodeURIComponent(link)}`);
  const field = bob.page.getByLabel('Host address', { exact: true });
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(
    bob.page.getByText('That invite link can\'t be used: the link has an unknown parameter "password".'),
  ).toBeVisible();
  await expect(field).toHaveValue('');
});

test('an address pasted with a scheme and a slash fills the host field', async ({ bob }) => {
  await paste(bob.page, 'Host address', 'tincan://192.168.1.5:7777/');
  await expect(bob.page.getByLabel('Host address', { exact: true })).toHaveValue('192.168.1.5:7777');
  await paste(bob.page, 'Host address', 'http://127.0.0.1:5173/#token=x');
  await expect(bob.page.getByText('That is a web page address, not a Tincan host.', { exact: false })).toBeVisible();
});

test('a malformed pasted link is refused next to the host field', async ({ bob }) => {
  await paste(bob.page, 'Host address', 'tincan://join?host=h&port=1&room=r&password=secret');
  const field = bob.page.getByLabel('Host address', { exact: true });
  await expect(field).toHaveValue('');
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(bob.page.getByText('unknown parameter "password"')).toBeVisible();
});
