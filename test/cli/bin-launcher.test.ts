// bin/tincan.js: a tiny launcher of the compiled CLI that says how to build it when it is missing.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const LAUNCHER = fileURLToPath(new URL('../../bin/tincan.js', import.meta.url));
let scratch: string | null = null;

afterEach(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = null;
});

describe('bin/tincan.js', () => {
  it('is an ESM script with a node shebang', () => {
    expect(readFileSync(LAUNCHER, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('without a build: one line telling to run `npm run build:node`, exit 1', () => {
    // A copy in a folder without out/node/, so the real build (if any) does not interfere.
    scratch = mkdtempSync(join(tmpdir(), 'tincan-bin-'));
    mkdirSync(join(scratch, 'bin'));
    copyFileSync(LAUNCHER, join(scratch, 'bin', 'tincan.js'));
    // Mark the folder ESM like the project's package.json does.
    copyFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), join(scratch, 'package.json'));
    const result = spawnSync(process.execPath, [join(scratch, 'bin', 'tincan.js'), '--help'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^tincan: the CLI is not built yet .*; run `npm run build:node` first$/);
  });
});
