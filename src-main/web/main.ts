// Entry of web mode: `node --import tsx src-main/web/main.ts [--port N] [--data-dir DIR]`.
// Prints one line with the URL (it holds the per-run token) on stdout; logs go to stderr.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createBackend } from '../service/backend.js';
import { stderrLogger } from '../service/logger.js';
import { startWebServer } from './web-server.js';

const here = dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      'data-dir': { type: 'string' },
      'renderer-dir': { type: 'string' },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0..65535, got "${values.port}"`);
  const dataDir = values['data-dir'] ? resolve(values['data-dir']) : mkdtempSync(join(tmpdir(), 'tincan-web-'));
  const rendererDir = values['renderer-dir'] ? resolve(values['renderer-dir']) : resolve(here, '../../out/renderer');
  const logger = stderrLogger('tincan-web');

  // Web mode has no shell: links open in a new tab from the page itself.
  const { service, dispatch } = createBackend({ dataDir, logger });
  const server = await startWebServer({ port, rendererDir, service, dispatch, logger });
  logger.info('web-mode-ready', { dataDir, rendererDir });
  process.stdout.write(`Tincan web mode: ${server.url}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await service.shutdown();
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: Error) => {
  process.stderr.write(`tincan web: ${err.message}\n`);
  process.exit(1);
});
