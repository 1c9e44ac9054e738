// tincan:// links in the real app: on the command line of a cold start, and handed to the running
// instance by a second launch (Windows and Linux). Both show the filled Join form; neither joins.
// Skips where the Electron binary is not installed.
import { spawn } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { appArgs, electronBinary, launchApp, type LaunchedApp } from '../fixtures/electron-app.js';

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

test('a link on the command line opens the filled Join form', async () => {
  const link = 'tincan://join?v=1&host=10.0.0.7&port=7001&room=cold%20start';
  apps = [await launchApp('cold-link', binary!, [link])];
  const page = apps[0]!.window;
  await expect(page.getByLabel('Host address', { exact: true })).toHaveValue('10.0.0.7:7001');
  await expect(page.getByLabel('Room name')).toHaveValue('cold start');
  await expect(page.getByRole('heading', { name: 'cold start', level: 1 })).toHaveCount(0);
});

test('a second launch with a link hands it to the running instance and quits', async () => {
  apps = [await launchApp('second-link', binary!)];
  const first = apps[0]!;
  const link = 'tincan://join?v=1&host=[fd00::7]&port=7002&room=second%20instance';
  const second = spawn(binary!, appArgs(first.profile, [link]), {
    env: { ...process.env, TINCAN_E2E: '1' },
    stdio: 'ignore',
  });
  await new Promise<void>((resolve) => second.once('exit', () => resolve()));
  await expect(first.window.getByLabel('Host address', { exact: true })).toHaveValue('[fd00::7]:7002');
  await expect(first.window.getByLabel('Room name')).toHaveValue('second instance');
  expect(await first.app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
});
