// The same two-user scenario in two real Electron instances, plus checks of the security settings.
// Skips cleanly where the Electron binary is not installed (it cannot be downloaded in this workplace).
import { expect, test } from '@playwright/test';
import { electronBinary, launchApp, type LaunchedApp } from '../fixtures/electron-app.js';
import { runChatScenario } from '../scenario.js';
import { must, mustAt } from '../../test/support/must.js';
import { letTimePass } from '../../test/support/wait.js';

const binary = electronBinary();
test.skip(
  binary === null,
  'the Electron binary is not installed (node_modules/electron/dist is missing; run where Electron can be downloaded, e.g. CI under xvfb)',
);

let apps: LaunchedApp[] = [];
test.afterEach(async () => {
  await Promise.all(apps.map((a) => a.close()));
  apps = [];
});

test('two app instances host, join with a password, chat, leave, rejoin and close', async () => {
  apps = [
    await launchApp('alice', must(binary, 'the Electron binary')),
    await launchApp('bob', must(binary, 'the Electron binary')),
  ];
  const [a, b] = apps as [LaunchedApp, LaunchedApp];
  await runChatScenario(a.window, b.window, 'electron');
});

test('the window runs sandboxed, isolated, from app:// with a named API only', async () => {
  apps = [await launchApp('solo', must(binary, 'the Electron binary'))];
  const { app, window: page } = mustAt(apps, 0, 'the app');
  expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  // Permissions outside the allowlist (notifications, clipboard write) are refused.
  expect(await page.evaluate(() => navigator.permissions.query({ name: 'geolocation' }).then((s) => s.state))).toBe(
    'denied',
  );
  expect(page.url()).toMatch(/^app:\/\/tincan\//);
  const surface = await page.evaluate(() => ({
    require: typeof (globalThis as { require?: unknown }).require,
    process: typeof (globalThis as { process?: unknown }).process,
    apiKeys: Object.keys((globalThis as { api?: object }).api ?? {}).sort(),
  }));
  expect(surface.require).toBe('undefined');
  expect(surface.process).toBe('undefined');
  expect(surface.apiKeys).toContain('hostRoom');
  expect(surface.apiKeys).toContain('onRoomMessage');
  expect(surface.apiKeys).not.toContain('invoke');
  // No network from the renderer, and no navigation away from the app.
  const fetched = await page.evaluate(() =>
    fetch('https://example.com/').then(
      () => 'ok',
      () => 'blocked',
    ),
  );
  expect(fetched).toBe('blocked');
  await page.evaluate(() => {
    window.location.href = 'https://example.com/';
  });
  await letTimePass(500, 'prove the window does not navigate away from app://');
  expect(page.url()).toMatch(/^app:\/\/tincan\//);
});
