// The layers' import rules live in eslint.config.js (no-restricted-imports) and `npm test` runs the
// linter over every file. These probes prove each rule still fires: a forbidden import, linted as if
// it sat in that layer, must be reported. (Probe paths are under __tests__/ so the type-aware block,
// which needs files on disk, does not apply; the boundary rules do.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { RENDERER_CSP } from '../src-main/web/static-files.js';

const root = join(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root });

/** The rule ids ESLint reports for `code` placed at `path` (relative to the repository). */
async function ruleHits(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

const FORBIDDEN: Array<[layer: string, probe: string, code: string]> = [
  ['src-shared: no Node', 'src-shared/protocol/__tests__/probe.ts', "import { readFileSync } from 'node:fs';"],
  ['src-shared: no Electron', 'src-shared/ipc/__tests__/probe.ts', "import { app } from 'electron';"],
  ['src-shared: no React', 'src-shared/__tests__/probe.ts', "import { useState } from 'react';"],
  ['renderer: no Electron', 'src-renderer/__tests__/probe.tsx', "import { ipcRenderer } from 'electron';"],
  ['renderer: no Node', 'src-renderer/__tests__/probe.tsx', "import { readFileSync } from 'node:fs';"],
  [
    'renderer: no main code',
    'src-renderer/__tests__/probe.tsx',
    "import { ChatService } from '../../src-main/service/chat-service.js';",
  ],
  ['engine: no Electron', 'src-main/engine/client/__tests__/probe.ts', "import { app } from 'electron';"],
  [
    'engine: no app code',
    'src-main/engine/server/__tests__/probe.ts',
    "import { ChatService } from '../../../service/chat-service.js';",
  ],
  ['service: no Electron', 'src-main/service/__tests__/probe.ts', "import { app } from 'electron';"],
  ['web mode: no Electron', 'src-main/web/__tests__/probe.ts', "import { app } from 'electron';"],
  [
    'CLI: no engine internals',
    'src-cli/__tests__/probe.ts',
    "import { ChatClient } from '../../src-main/engine/client/chat-client.js';",
  ],
  [
    'service: no engine internals',
    'src-main/service/__tests__/probe.ts',
    "import { ChatServer } from '../../engine/server/chat-server.js';",
  ],
  [
    'service: no sealed-datagram internals',
    'src-main/service/__tests__/probe.ts',
    "import { Sealer } from '../../engine/sealed/sealer.js';",
  ],
  [
    'preload: only electron and the contract',
    'src-main/preload/__tests__/probe.ts',
    "import { Status } from '../../../src-shared/protocol/index.js';",
  ],
];

describe('layer boundaries (enforced by ESLint)', () => {
  it.each(FORBIDDEN)('%s', async (_layer, probe, line) => {
    expect(await ruleHits(probe, `${line}\nexport const used = 1;\n`)).toContain('no-restricted-imports');
  });

  it('allows what each layer may import', async () => {
    expect(
      await ruleHits(
        'src-cli/__tests__/probe.ts',
        "import { ChatClient } from '../../src-main/engine/index.js';\nexport const c = ChatClient;\n",
      ),
    ).toEqual([]);
    expect(
      await ruleHits(
        'src-main/preload/__tests__/probe.ts',
        "import { contextBridge } from 'electron';\nexport const b = contextBridge;\n",
      ),
    ).toEqual([]);
  });

  it('index.html carries the same CSP as the app:// and web-mode headers', () => {
    const html = readFileSync(join(root, 'src-renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBe(RENDERER_CSP);
    expect(RENDERER_CSP).not.toMatch(/unsafe-eval|unsafe-inline|https?:/);
  });
});
