#!/usr/bin/env node
// `npm start`: builds if needed and launches the Electron app. If the Electron binary is missing or
// cannot start, says so in one line and runs web mode instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runWeb } from './web.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/**
 * Path of the Electron binary, or null with the reason it is unusable. Found without
 * require('electron'): the package would try to download a missing binary.
 */
function findElectron() {
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { binary: null, reason: 'the electron package is not installed' };
  }
  const pathFile = join(pkgDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron';
  const binary = join(process.env.ELECTRON_OVERRIDE_DIST_PATH || join(pkgDir, 'dist'), relative);
  if (!existsSync(binary)) return { binary: null, reason: `the Electron binary is missing (${binary})` };
  const probe = spawnSync(binary, ['--version'], {
    encoding: 'utf8',
    timeout: 15_000,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  if (probe.status !== 0) {
    const why = (probe.stderr || probe.error?.message || `exit ${probe.status}`).trim().split('\n')[0];
    return { binary: null, reason: `the Electron binary cannot start (${why})` };
  }
  return { binary, reason: null };
}

function ensureBuilt() {
  const needed = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
  if (needed.every((f) => existsSync(join(root, f)))) return;
  process.stderr.write('tincan: building the app (first run)…\n');
  const result = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (result.status !== 0) {
    process.stderr.write('tincan: the build failed (see above)\n');
    process.exit(1);
  }
}

/**
 * The folder Electron would use as userData for this app (appData/<package name>), so that web mode
 * started as a fallback remembers the same preferences across restarts.
 */
function appUserDataDir() {
  const appData =
    process.platform === 'win32'
      ? process.env.APPDATA || join(homedir(), 'AppData', 'Roaming')
      : process.platform === 'darwin'
        ? join(homedir(), 'Library', 'Application Support')
        : process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  const { name } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return join(appData, name);
}

const args = process.argv.slice(2);
const { binary, reason } = findElectron();
if (!binary) {
  process.stderr.write(`tincan: ${reason}; starting web mode instead — open the URL below in your browser.\n`);
  runWeb(args.includes('--data-dir') ? args : [...args, '--data-dir', appUserDataDir()]);
} else {
  ensureBuilt();
  const child = spawn(binary, [join(root, 'out/main/index.js'), ...args], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
