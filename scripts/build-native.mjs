// Builds the optional native parts with the C compiler and the Node-API headers that ship with Node
// (Linux only): native/udp-batch, the relay's sendmmsg accelerator, native/sealed-aead, the sealed
// datagrams' AEAD on Node's own OpenSSL, bench/native/gen_udp, the load generator's UDP (and its
// sealed datagrams), and bench/native/c_relay, the bench's C reference relay. Never fails the
// install: without them the relay and the bench use dgram and node:crypto (and the bench skips the
// C reference).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const targets = [
  {
    name: 'udp-batch',
    sources: ['native/udp-batch/udp_batch.c', 'native/udp-batch/reuseport_group.c'],
    output: 'native/udp-batch/build/udp_batch.node',
    flags: [],
    fallback: 'node:dgram',
  },
  {
    // -z now: resolve the OpenSSL symbols when loading, so a Node or Electron without them refuses
    // the addon at load time (and node:crypto is used) instead of aborting at the first call.
    name: 'sealed-aead',
    sources: ['native/sealed-aead/sealed_aead.c'],
    output: 'native/sealed-aead/build/sealed_aead.node',
    flags: ['-Wl,-z,now'],
    fallback: 'node:crypto',
  },
  {
    // Seals and opens encrypted members' datagrams with Node's OpenSSL (gen_sealed.c): -z now, as sealed-aead.
    name: 'gen-udp',
    sources: ['bench/native/gen_udp.c', 'bench/native/gen_sealed.c', 'bench/native/gen_canary.c'],
    output: 'bench/native/build/gen_udp.node',
    flags: ['-pthread', '-Wl,-z,now'],
    fallback: 'node:dgram',
  },
  {
    name: 'c-relay',
    sources: ['bench/native/c_relay.c'],
    output: 'bench/native/build/c_relay.node',
    flags: ['-pthread'],
    fallback: 'node:dgram',
  },
];

function note(t, reason) {
  console.log(`${t.name}: not built (${reason}); ${t.fallback} is used instead`);
}

const headers = [
  join(dirname(process.execPath), '..', 'include', 'node'),
  process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
]
  .filter(Boolean)
  .find((dir) => existsSync(join(dir, 'node_api.h')));
const cc = process.env.CC || 'cc';
for (const t of targets) {
  if (process.platform !== 'linux') {
    note(t, 'Linux only');
    continue;
  }
  if (!headers) {
    note(t, 'Node-API headers not found next to this Node');
    continue;
  }
  const output = join(root, t.output);
  mkdirSync(dirname(output), { recursive: true });
  const args = [
    '-O2',
    '-Wall',
    '-Wextra',
    '-fPIC',
    '-shared',
    ...t.flags,
    `-I${headers}`,
    '-o',
    output,
    ...t.sources.map((s) => join(root, s)),
  ];
  const result = spawnSync(cc, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error) note(t, `${cc}: ${result.error.message}`);
  else if (result.status !== 0) note(t, `${cc} exited with ${result.status}`);
  else console.log(`${t.name}: built ${t.output}`);
}
