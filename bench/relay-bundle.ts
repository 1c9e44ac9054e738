// Bundles the relay child (relay-process.ts with the real server and the reference relays) into one
// plain ES module, so the measured process runs compiled JavaScript like `tincan serve`, not TypeScript
// through tsx (whose loader thread alone adds ~30 MB of RSS and a second V8 isolate).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'out', 'bench');
const outfile = path.join(outdir, 'relay-process.mjs');

let built: Promise<string> | null = null;

/** Path of the bundled relay entry; built once per bench run. */
export function relayEntry(): Promise<string> {
  built ??= build({
    // The shard entry too, for --relay-workers: shard processes run as shipped as well.
    entryPoints: [
      path.join(root, 'bench', 'relay-process.ts'),
      path.join(root, 'src-main', 'engine', 'server', 'shard-process.ts'),
    ],
    outdir,
    entryNames: '[name]',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Names and lines stay readable in --cpu-prof output.
    keepNames: true,
    sourcemap: 'linked',
    packages: 'external',
    logLevel: 'warning',
  }).then(() => outfile);
  return built;
}
