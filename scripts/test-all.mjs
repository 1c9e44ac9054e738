#!/usr/bin/env node
// The one test command: checks format (Prettier) and lint (ESLint), type-checks, builds, runs every
// Vitest suite and every Playwright project, then prints a single summary line `N passed, N failed, N skipped`. Exit code 1 if anything failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const reports = join(root, 'test-results', 'reports');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

function run(label, command, args, env = {}) {
  console.log(`\n=== ${label}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(
    `=== ${label}: exit ${result.status ?? result.signal} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return result.status === 0;
}

/** A step that is one check (type-check, build): counts as one test. */
function check(label, command, args) {
  if (run(label, command, args)) totals.passed++;
  else {
    totals.failed++;
    failures.push(label);
  }
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

check('format (prettier)', 'npx', ['prettier', '--check', '.']);
check('lint (eslint)', 'npx', ['eslint', '.']);
check('type-check (node)', 'npx', ['tsc', '-p', 'tsconfig.node.json']);
check('type-check (web)', 'npx', ['tsc', '-p', 'tsconfig.web.json']);
check('type-check (e2e)', 'npx', ['tsc', '-p', 'tsconfig.e2e.json']);
check('build', 'npm', ['run', 'build']);

// Vitest: unit, integration (real sockets on loopback), component and package tests.
const vitestJson = join(reports, 'vitest.json');
const vitestOk = run('vitest', 'npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestJson}`,
]);
const v = readJson(vitestJson);
if (v) {
  totals.passed += v.numPassedTests ?? 0;
  totals.failed += v.numFailedTests ?? 0;
  totals.skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
  if (v.numFailedTests) failures.push(`vitest: ${v.numFailedTests} failed`);
  // A suite that fails to load has no tests to count; count it as a failure.
  const brokenFiles = (v.testResults ?? []).filter(
    (f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0,
  );
  totals.failed += brokenFiles.length;
  for (const f of brokenFiles) failures.push(`vitest: ${f.name} failed to run`);
}
if (!vitestOk && !v) {
  totals.failed++;
  failures.push('vitest did not report');
}

// Playwright: browser end-to-end (web mode in Chromium; Electron, which skips without its binary).
if (existsSync(join(root, 'playwright.config.ts'))) {
  const pwJson = join(reports, 'playwright.json');
  const pwOk = run('playwright', 'npx', ['playwright', 'test', '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson,
  });
  const p = readJson(pwJson);
  if (p?.stats) {
    totals.passed += (p.stats.expected ?? 0) + (p.stats.flaky ?? 0);
    totals.failed += p.stats.unexpected ?? 0;
    totals.skipped += p.stats.skipped ?? 0;
    if (p.stats.unexpected) failures.push(`playwright: ${p.stats.unexpected} failed`);
    if (!pwOk && !p.stats.unexpected) {
      totals.failed++;
      failures.push('playwright exited non-zero');
    }
  } else if (!pwOk) {
    totals.failed++;
    failures.push('playwright did not report');
  }
}

if (failures.length) console.log(`\nFailures:\n  ${failures.join('\n  ')}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
