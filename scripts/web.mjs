#!/usr/bin/env node
// `npm run web`: Tincan in the browser. Builds the renderer if out/renderer is missing, then runs the
// web-mode backend from source (node --import tsx) and passes through --port / --data-dir.
// The backend prints one line with the URL (it holds the per-run token).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function ensureRendererBuilt() {
  if (existsSync(join(root, 'out/renderer/index.html'))) return;
  process.stderr.write('tincan: building the UI (first run)…\n');
  const result = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (result.status !== 0) {
    process.stderr.write('tincan: the UI build failed (see above)\n');
    process.exit(1);
  }
}

export function runWeb(args) {
  ensureRendererBuilt();
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src-main/web/main.ts'), ...args], {
    cwd: root,
    stdio: 'inherit',
  });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) runWeb(process.argv.slice(2));
