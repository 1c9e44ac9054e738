// Browser e2e: "web" drives the built renderer in Debian's Chromium against real web-mode backends
// (one per user); "electron" launches the real app twice and skips when the binary is missing.
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, systemChromium } from './e2e/fixtures/system-chromium.js';

const executablePath = systemChromium();

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  globalSetup: './e2e/global-setup.ts',
  timeout: 90_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure' },
  projects: [
    {
      name: 'web',
      testMatch: /web\/.*\.spec\.ts/,
      use: {
        browserName: 'chromium',
        viewport: { width: 1200, height: 800 },
        launchOptions: {
          ...(executablePath ? { executablePath } : {}),
          args: CHROMIUM_ARGS,
        },
      },
    },
    { name: 'electron', testMatch: /electron\/.*\.spec\.ts/ },
  ],
});
