// Packaged builds ship without DevTools (they can read and drive everything the UI holds); development
// runs keep them. Electron itself is replaced by a recorder: only the options we pass are checked.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => ({
  app: { isPackaged: false },
  created: [] as { webPreferences?: { devTools?: boolean } }[],
}));

vi.mock('electron', () => ({
  app: electron.app,
  session: {},
  BrowserWindow: class {
    constructor(options: { webPreferences?: { devTools?: boolean } }) {
      electron.created.push(options);
    }
    once(): void {}
    loadURL(): Promise<void> {
      return Promise.resolve();
    }
  },
}));

const { createMainWindow } = await import('../src-main/electron/window.js');

beforeEach(() => {
  electron.created.length = 0;
});

describe('DevTools', () => {
  it('are off in a packaged build', () => {
    electron.app.isPackaged = true;
    createMainWindow({ preloadPath: '/p.cjs', size: null, devServerUrl: null });
    expect(electron.created[0]?.webPreferences?.devTools).toBe(false);
  });

  it('stay on in a development run', () => {
    electron.app.isPackaged = false;
    createMainWindow({ preloadPath: '/p.cjs', size: null, devServerUrl: null });
    expect(electron.created[0]?.webPreferences?.devTools).toBe(true);
  });
});
