// Import boundaries between the layers, checked by scanning the sources:
// src-shared is pure (no node:*, electron, react, DOM-only modules); the renderer never imports
// electron or node:*; the chat library, the service and the web backend never import electron.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RENDERER_CSP } from '../src-main/web/static-files.js';

const root = join(import.meta.dirname, '..');
const NODE_BUILTINS = new Set([
  'fs',
  'path',
  'os',
  'net',
  'dgram',
  'crypto',
  'http',
  'https',
  'child_process',
  'events',
  'stream',
  'url',
  'util',
  'worker_threads',
  'zlib',
  'dns',
  'tls',
  'buffer',
  'process',
  'timers',
]);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx|mts|cts)$/.test(name)) out.push(path);
  }
  return out;
}

/** Every module specifier: import/export ... from, bare import, dynamic import(), require(). */
export function importsOf(source: string): string[] {
  const specs: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) specs.push(m[1]!);
  return specs;
}

const isNode = (s: string) => s.startsWith('node:') || NODE_BUILTINS.has(s.split('/')[0]!);
const isElectron = (s: string) => s === 'electron' || s.startsWith('electron/');
const isReact = (s: string) => s === 'react' || s.startsWith('react/') || s.startsWith('react-dom');

function violations(dir: string, forbidden: (spec: string) => boolean): string[] {
  const out: string[] = [];
  for (const file of sourceFiles(join(root, dir))) {
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      if (forbidden(spec)) out.push(`${relative(root, file)} imports ${spec}`);
    }
  }
  return out;
}

describe('layer boundaries', () => {
  it('the scanner sees every import form', () => {
    expect(
      importsOf(
        `import a from 'node:fs';\nimport type { B } from "electron";\nimport 'react';\nexport * from './x.js';\nconst c = await import('os');\nrequire('net');`,
      ),
    ).toEqual(expect.arrayContaining(['node:fs', 'electron', 'react', './x.js', 'os', 'net']));
  });
  it('src-shared imports no node:*, electron or react', () => {
    expect(violations('src-shared', (s) => isNode(s) || isElectron(s) || isReact(s))).toEqual([]);
  });
  it('src-renderer imports no electron or node:*', () => {
    expect(violations('src-renderer', (s) => isNode(s) || isElectron(s))).toEqual([]);
  });
  it('src-main/engine, src-main/service, src-main/web and src-main/prefs import no electron', () => {
    for (const dir of ['src-main/engine', 'src-main/service', 'src-main/web', 'src-main/prefs'])
      expect(violations(dir, isElectron)).toEqual([]);
  });
  it('the preload imports only electron and the shared contract', () => {
    expect(violations('src-main/preload', (s) => !isElectron(s) && !s.endsWith('src-shared/ipc/contract.js'))).toEqual(
      [],
    );
  });
  it('index.html carries the same CSP as the app:// and web-mode headers', () => {
    const html = readFileSync(join(root, 'src-renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBe(RENDERER_CSP);
    expect(RENDERER_CSP).not.toMatch(/unsafe-eval|unsafe-inline|https?:/);
  });
});
