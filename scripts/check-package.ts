// Package check: builds the Linux app directory with electron-builder against a stub Electron
// (the real binary cannot be downloaded everywhere) and inspects what would ship to users:
// the app.asar contents, that package.json "main" and every import of the main/preload bundles
// resolve inside it, that nothing else leaks in, and that the Electron fuses were flipped.
//
// CLI: `npx tsx scripts/check-package.ts [projectDir]` — prints the report, exits 1 on problems.
// Test: test/package/package.test.ts calls checkPackage().
import { spawn } from 'node:child_process';
import { builtinModules } from 'node:module';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import asar from '@electron/asar';

// --- Fuses ------------------------------------------------------------------------------------
// Layout of Electron's fuse wire (see @electron/fuses): SENTINEL, version byte, length byte, one
// ASCII byte per fuse ('0' off, '1' on, 'r' removed). Index order is fixed by Electron.
export const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
export const FUSE_NAMES = [
  'runAsNode',
  'enableCookieEncryption',
  'enableNodeOptionsEnvironmentVariable',
  'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation',
  'onlyLoadAppFromAsar',
  'loadBrowserProcessSpecificV8Snapshot',
  'grantFileProtocolExtraPrivileges',
] as const;
export type FuseName = (typeof FUSE_NAMES)[number];
// Electron's own defaults, so the stub starts where a real binary does and flips are visible.
const ELECTRON_DEFAULT_FUSES: Record<FuseName, boolean> = {
  runAsNode: true,
  enableCookieEncryption: false,
  enableNodeOptionsEnvironmentVariable: true,
  enableNodeCliInspectArguments: true,
  enableEmbeddedAsarIntegrityValidation: false,
  onlyLoadAppFromAsar: false,
  loadBrowserProcessSpecificV8Snapshot: false,
  grantFileProtocolExtraPrivileges: true,
};

export function encodeFuseWire(fuses: Record<FuseName, boolean>): Buffer {
  const states = FUSE_NAMES.map((name) => (fuses[name] ? '1' : '0')).join('');
  return Buffer.concat([
    Buffer.from(FUSE_SENTINEL, 'ascii'),
    Buffer.from([1, FUSE_NAMES.length]),
    Buffer.from(states, 'ascii'),
  ]);
}

/** Reads the fuse wire from a binary; null when it has none. */
export function decodeFuseWire(binary: Buffer): Partial<Record<FuseName, boolean>> | null {
  const at = binary.indexOf(FUSE_SENTINEL, 0, 'ascii');
  if (at < 0) return null;
  const wire = at + FUSE_SENTINEL.length;
  const length = binary[wire + 1] ?? 0;
  const result: Partial<Record<FuseName, boolean>> = {};
  FUSE_NAMES.forEach((name, i) => {
    if (i >= length) return;
    const state = binary[wire + 2 + i];
    if (state === 0x30) result[name] = false;
    else if (state === 0x31) result[name] = true;
  });
  return result;
}

/**
 * Creates a directory that looks enough like an unpacked Electron for linux-x64 for electron-builder:
 * an executable `electron` (a shell script that refuses to run, carrying a fuse wire so fuse flipping
 * is exercised for real), plus the `version` and `LICENSE` files a real zip has.
 */
export async function makeStubElectron(dir: string, electronVersion: string): Promise<string> {
  await mkdir(join(dir, 'resources'), { recursive: true });
  await mkdir(join(dir, 'locales'), { recursive: true });
  const script = Buffer.from(
    '#!/bin/sh\necho "stub Electron made by scripts/check-package.ts: cannot run" >&2\nexit 1\n# ',
    'ascii',
  );
  await writeFile(
    join(dir, 'electron'),
    Buffer.concat([script, encodeFuseWire(ELECTRON_DEFAULT_FUSES), Buffer.from('\n')]),
  );
  await chmod(join(dir, 'electron'), 0o755);
  await writeFile(join(dir, 'version'), `${electronVersion}\n`);
  await writeFile(join(dir, 'LICENSE'), "Stub standing in for Electron's MIT licence file.\n");
  await writeFile(join(dir, 'locales', 'en-US.pak'), '');
  return dir;
}

// --- Running electron-builder -------------------------------------------------------------------
interface RunResult {
  code: number | null;
  output: string;
}
function run(
  cmd: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunResult> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    const keep = (b: Buffer): void => {
      // Keep at most ~1 MB of output so a chatty build cannot exhaust memory.
      if (size < 1_000_000) chunks.push(b);
      size += b.length;
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

export async function runElectronBuilderDir(opts: {
  projectDir: string;
  electronDist: string;
  electronVersion: string;
  outputDir: string;
  timeoutMs?: number;
}): Promise<RunResult> {
  const cli = join(opts.projectDir, 'node_modules', 'electron-builder', 'cli.js');
  const args = [
    cli,
    '--dir',
    '--linux',
    '--x64',
    '--publish',
    'never',
    `-c.electronDist=${opts.electronDist}`,
    `-c.electronVersion=${opts.electronVersion}`,
    `-c.directories.output=${opts.outputDir}`,
  ];
  // No signing lookups and no network: everything needed is on disk.
  const env = { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false', ELECTRON_BUILDER_OFFLINE: 'true' };
  return run(process.execPath, args, opts.projectDir, opts.timeoutMs ?? 120_000, env);
}

// --- Inspecting app.asar -------------------------------------------------------------------------
interface AsarNode {
  files?: Record<string, AsarNode>;
  size?: number;
  link?: string;
  unpacked?: boolean;
}
/** Every file (not directory) in the archive, as posix paths without a leading slash. */
export function listAsarFiles(archive: string): string[] {
  // @electron/asar types the header loosely; AsarNode is the subset of its documented shape we read.
  const { header } = asar.getRawHeader(archive) as { header: AsarNode };
  const out: string[] = [];
  const walk = (node: AsarNode, prefix: string): void => {
    for (const [name, child] of Object.entries(node.files ?? {})) {
      const path = prefix ? `${prefix}/${name}` : name;
      if (child.files) walk(child, path);
      else out.push(path);
      if (out.length > 200_000) throw new Error('app.asar has an absurd number of files');
    }
  };
  walk(header, '');
  return out.sort();
}

const BUILTINS = new Set(builtinModules);
// Modules a sandboxed preload may require (Electron docs, "Process Sandboxing").
const SANDBOXED_PRELOAD_MODULES = new Set([
  'electron',
  'events',
  'timers',
  'url',
  'node:events',
  'node:timers',
  'node:url',
]);

/** Module specifiers a bundle loads: static/dynamic import, export-from and require(). */
export function importSpecifiers(code: string): string[] {
  const found = new Set<string>();
  const patterns = [
    /\brequire\(\s*(['"])([^'"\n]+)\1\s*\)/g,
    /\bimport\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g,
    /\b(?:import|export)\s*(?:[\w*${}\s,]+?\s*from\s*)?(['"])([^'"\n]+)\1/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) if (m[2]) found.add(m[2]);
  return [...found];
}

function packageNameOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec);
}

export interface AsarExpectations {
  /** package.json "dependencies" closure: the only packages allowed under node_modules/. */
  allowedPackages: Set<string>;
  /** devDependencies: must never appear. */
  devPackages: Set<string>;
}

export interface AsarReport {
  files: string[];
  main: string | null;
  nodeModules: string[];
  externalImports: Record<string, string[]>;
  problems: string[];
}

const REQUIRED_FILES = ['package.json', 'out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
const APP_PREFIXES = ['out/main/', 'out/preload/', 'out/renderer/'];

export function inspectAppAsar(archive: string, expect: AsarExpectations): AsarReport {
  const problems: string[] = [];
  const files = listAsarFiles(archive);
  const fileSet = new Set(files);
  const read = (p: string): string => asar.extractFile(archive, p).toString('utf8');

  for (const f of REQUIRED_FILES) if (!fileSet.has(f)) problems.push(`missing ${f}`);
  if (!files.some((f) => f.startsWith('out/renderer/assets/'))) problems.push('missing out/renderer/assets/*');

  // package.json "main" must name a file inside the archive.
  let main: string | null = null;
  if (fileSet.has('package.json')) {
    try {
      const pkg = JSON.parse(read('package.json')) as { main?: unknown };
      if (typeof pkg.main !== 'string') problems.push('package.json has no "main"');
      else {
        main = posix.normalize(pkg.main).replace(/^\.\//, '');
        if (!fileSet.has(main)) problems.push(`package.json "main" (${pkg.main}) is not in app.asar`);
      }
    } catch (err) {
      problems.push(`package.json in app.asar is not JSON: ${(err as Error).message}`);
    }
  }

  // Nothing but the app bundles, package.json and allowed runtime packages.
  const nodeModules = new Set<string>();
  for (const f of files) {
    if (f === 'package.json' || APP_PREFIXES.some((p) => f.startsWith(p))) {
      if (/\.(ts|tsx|mts|cts)$/.test(f)) problems.push(`TypeScript source leaked: ${f}`);
      if (f.endsWith('.map')) problems.push(`source map leaked: ${f}`);
      continue;
    }
    const nm = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f);
    if (nm?.[1]) {
      const name = nm[1];
      nodeModules.add(name);
      if (expect.devPackages.has(name)) problems.push(`devDependency leaked: ${name}`);
      else if (!expect.allowedPackages.has(name)) problems.push(`unexpected package: ${name}`);
      continue;
    }
    problems.push(`unexpected file: ${f}`);
  }

  // Every import of the main and preload bundles must resolve inside the archive.
  const externalImports: Record<string, string[]> = {};
  const jsExt = /\.(c|m)?js$/;
  for (const f of files.filter((x) => (x.startsWith('out/main/') || x.startsWith('out/preload/')) && jsExt.test(x))) {
    const isPreload = f.startsWith('out/preload/');
    const external: string[] = [];
    for (const spec of importSpecifiers(read(f))) {
      if (spec.startsWith('.') || spec.startsWith('/')) {
        const target = posix.normalize(posix.join(posix.dirname(f), spec));
        const candidates = [target, `${target}.js`, `${target}.cjs`, `${target}.mjs`, `${target}/index.js`];
        if (!candidates.some((c) => fileSet.has(c))) problems.push(`${f} imports ${spec}, which is not in app.asar`);
        if (isPreload)
          problems.push(`preload ${f} loads another file (${spec}); a sandboxed preload must be one bundle`);
        continue;
      }
      if (isPreload) {
        if (!SANDBOXED_PRELOAD_MODULES.has(spec))
          problems.push(`preload ${f} requires ${spec}, which a sandboxed preload cannot`);
        continue;
      }
      if (spec === 'electron' || spec.startsWith('electron/') || spec.startsWith('node:') || BUILTINS.has(spec))
        continue;
      const name = packageNameOf(spec);
      external.push(spec);
      if (!fileSet.has(`node_modules/${name}/package.json`))
        problems.push(`${f} imports ${spec}, but node_modules/${name} is not in app.asar`);
    }
    if (external.length > 0) externalImports[f] = external;
  }

  return { files, main, nodeModules: [...nodeModules].sort(), externalImports, problems };
}

// --- Whole check ---------------------------------------------------------------------------------
interface PackageJson {
  main?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** The runtime dependency closure, read from node_modules/<name>/package.json files. */
async function dependencyClosure(projectDir: string, roots: string[]): Promise<Set<string>> {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0 && seen.size < 5_000) {
    const name = queue.shift() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    try {
      const pkg = JSON.parse(
        await readFile(join(projectDir, 'node_modules', name, 'package.json'), 'utf8'),
      ) as PackageJson & {
        optionalDependencies?: Record<string, string>;
      };
      queue.push(...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {}));
    } catch {
      // Not installed (e.g. an optional dependency for another OS): nothing to follow.
    }
  }
  return seen;
}

export interface PackageCheckReport {
  electronVersion: string;
  appDir: string;
  asarPath: string;
  executable: string;
  builderMs: number;
  builderOutput: string;
  asar: AsarReport;
  fuses: Partial<Record<FuseName, boolean>> | null;
  problems: string[];
}

export async function checkPackage(opts: {
  projectDir: string;
  workDir?: string;
  keepWorkDir?: boolean;
}): Promise<PackageCheckReport> {
  const projectDir = resolve(opts.projectDir);
  const workDir = opts.workDir ?? (await mkdtemp(join(tmpdir(), 'tincan-package-check-')));
  try {
    const pkg = JSON.parse(await readFile(join(projectDir, 'package.json'), 'utf8')) as PackageJson;
    const electronPkg = JSON.parse(
      await readFile(join(projectDir, 'node_modules', 'electron', 'package.json'), 'utf8'),
    ) as {
      version: string;
    };
    const electronVersion = electronPkg.version;
    // electron-builder's own error for this is cryptic ("app.asar is corrupted"), so say it plainly.
    if (typeof pkg.main !== 'string' || pkg.main.length === 0) {
      throw new Error('package.json has no "main"; the packaged app needs it to point at out/main/index.js');
    }
    const electronDist = await makeStubElectron(join(workDir, 'electron-dist'), electronVersion);
    const outputDir = join(workDir, 'dist');

    const started = Date.now();
    const built = await runElectronBuilderDir({ projectDir, electronDist, electronVersion, outputDir });
    const builderMs = Date.now() - started;
    if (built.code !== 0) {
      throw new Error(`electron-builder --dir --linux failed (exit ${built.code}):\n${built.output}`);
    }

    const appDir = join(outputDir, 'linux-unpacked');
    const asarPath = join(appDir, 'resources', 'app.asar');
    const executable = join(appDir, 'tincan');
    const problems: string[] = [];
    for (const [what, path] of [
      ['unpacked app directory', appDir],
      ['resources/app.asar', asarPath],
      ['executable "tincan" (linux.executableName)', executable],
    ] as const) {
      if (!(await stat(path).catch(() => null))) problems.push(`missing ${what}: ${path}`);
    }
    for (const stray of ['resources/app', 'resources/app.asar.unpacked']) {
      if (await stat(join(appDir, stray)).catch(() => null))
        problems.push(`${stray} exists: the app is not fully inside app.asar`);
    }
    if (problems.length > 0) throw new Error(`${problems.join('\n')}\n\nelectron-builder output:\n${built.output}`);

    const deps = Object.keys(pkg.dependencies ?? {});
    const allowedPackages = await dependencyClosure(projectDir, deps);
    const devPackages = new Set(Object.keys(pkg.devDependencies ?? {}).filter((d) => !allowedPackages.has(d)));
    const asarReport = inspectAppAsar(asarPath, { allowedPackages, devPackages });
    problems.push(...asarReport.problems);

    const fuses = decodeFuseWire(await readFile(executable));
    if (!fuses) problems.push('packaged executable has no fuse wire');

    return {
      electronVersion,
      appDir,
      asarPath,
      executable,
      builderMs,
      builderOutput: built.output,
      asar: asarReport,
      fuses,
      problems,
    };
  } finally {
    if (!opts.keepWorkDir && !opts.workDir) await rm(workDir, { recursive: true, force: true });
  }
}

// --- CLI -----------------------------------------------------------------------------------------
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const projectDir = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..');
  checkPackage({ projectDir })
    .then((r) => {
      console.log(`electron-builder --dir --linux took ${r.builderMs} ms (Electron ${r.electronVersion}, stub binary)`);
      console.log(`app.asar: ${r.asar.files.length} files; packages: ${r.asar.nodeModules.join(', ') || '(none)'}`);
      console.log(`main: ${r.asar.main}; external imports: ${JSON.stringify(r.asar.externalImports)}`);
      console.log(`fuses: ${JSON.stringify(r.fuses)}`);
      if (r.problems.length > 0) {
        console.error(`package check FAILED:\n- ${r.problems.join('\n- ')}`);
        process.exitCode = 1;
      } else console.log('package check passed');
    })
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    });
}
