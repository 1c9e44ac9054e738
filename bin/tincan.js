#!/usr/bin/env node
// Launcher of the `tincan` command: runs the compiled CLI, or says how to build it.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const main = fileURLToPath(new URL('../out/node/src-cli/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write(`tincan: the CLI is not built yet (missing ${main}); run \`npm run build:node\` first\n`);
  process.exit(1);
}
await import(pathToFileURL(main).href);
