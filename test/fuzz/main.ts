// `npm run fuzz` — runs over a million random inputs through the protocol codecs, then drives a live
// server's handshake with random byte streams, and reports counts and every finding. Exit code 1 on
// any finding. Replay a run with the same --seed.
//
//   npm run fuzz -- [--iterations N per codec target] [--connections N] [--datagrams N] [--seed S] [--time-limit SECONDS]
import { CODEC_TARGETS, runTarget } from './codec-targets.js';
import { fuzzHandshakes } from './handshake-fuzz.js';
import { fuzzRelay } from './relay-fuzz.js';
import { Rng } from './random-bytes.js';
import { FAST_OPTIONS, startServer } from '../support/server.js';
import { request } from '../support/raw-tcrp.js';
import { Operation, Status } from '../../src-shared/protocol/index.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`--${name} needs a non-negative number`);
    process.exit(2);
  }
  return value;
}

const iterations = arg('iterations', 260_000);
const connections = arg('connections', 20_000);
const datagrams = arg('datagrams', 50_000);
const seed = arg('seed', Date.now() % 2 ** 31);
const timeLimitMs = arg('time-limit', 600) * 1000;
const deadline = Date.now() + timeLimitMs;

// Anything thrown outside a target (a server callback, a socket handler) is a finding too.
const uncaught: string[] = [];
process.on('uncaughtException', (err) => uncaught.push(`uncaught: ${err.stack ?? err}`));
process.on('unhandledRejection', (err) => uncaught.push(`unhandled rejection: ${String(err)}`));

console.log(`fuzz seed=${seed} iterations/target=${iterations} connections=${connections} datagrams=${datagrams}`);
let findings = 0;
let total = 0;
const rng = new Rng(seed);
const codecBudget = Date.now() + timeLimitMs * 0.6;
for (const target of CODEC_TARGETS) {
  const report = runTarget(target, rng, iterations, codecBudget);
  total += report.inputs;
  findings += report.findingCount;
  console.log(
    `  ${report.name.padEnd(18)} ${String(report.inputs).padStart(9)} inputs  ${String(report.accepted).padStart(8)} valid  ${String(report.findingCount).padStart(5)} findings (${report.findings.length} distinct)  ${report.ms} ms`,
  );
  for (const f of report.findings.slice(0, 5)) console.log(`    #${f.index}: ${f.error}\n      input ${f.input}`);
}
console.log(`codec inputs: ${total}`);

const handshakeTimeoutMs = 400;
const server = await startServer({
  ...FAST_OPTIONS,
  handshakeTimeoutMs,
  maxPendingHandshakes: 4096,
  maxConnectionsPerIp: 4096,
  maxRooms: 100_000,
});
try {
  const report = await fuzzHandshakes(
    { tcpPort: server.tcpPort, connections, concurrency: 48, handshakeTimeoutMs, deadline },
    rng,
  );
  findings += report.findings.length;
  const statuses = Object.entries(report.statuses)
    .map(
      ([code, n]) =>
        `${code === 'none' ? 'none' : (Object.entries(Status).find(([, v]) => String(v) === code)?.[0] ?? code)}=${n}`,
    )
    .join(' ');
  console.log(
    `  handshake          ${String(report.connections).padStart(9)} connections  ${report.findings.length} findings  ${report.ms} ms`,
  );
  console.log(`    replies: ${statuses}`);
  for (const f of report.findings.slice(0, 5)) console.log(`    #${f.index}: ${f.problem}\n      input ${f.input}`);

  // The server must still do its job after all that.
  const room = `after-fuzz-${seed}`;
  const created = await request(server.tcpPort, { room, operation: Operation.CREATE, payload: { username: 'host' } });
  const joined = await request(server.tcpPort, { room, operation: Operation.JOIN, payload: { username: 'guest' } });
  if (created.status !== Status.OK || joined.status !== Status.OK) {
    findings++;
    console.log(`  server no longer serves: create=${created.status} join=${joined.status}`);
  } else console.log('  server still serves create + join after the fuzz');
} finally {
  await server.close();
}

const relayServer = await startServer({
  ...FAST_OPTIONS,
  maxMessagesPerSecond: 1_000_000,
  inactivityTimeoutMs: 600_000,
});
try {
  const report = await fuzzRelay(
    {
      tcpPort: relayServer.tcpPort,
      udpPort: relayServer.udpPort,
      datagrams,
      room: 'relay-fuzz',
      members: () => relayServer.stats().members,
    },
    rng,
  );
  findings += report.findings.length;
  const s = relayServer.stats();
  console.log(
    `  relay              ${String(report.datagrams).padStart(9)} datagrams    ${report.findings.length} findings  ${report.ms} ms`,
  );
  console.log(
    `    server: relayed=${s.datagramsRelayed} dropped=${JSON.stringify(Object.fromEntries(Object.entries(s.dropped).filter(([, n]) => n > 0)))}; members received ${report.received}`,
  );
  for (const f of report.findings.slice(0, 5)) console.log(`    ${f}`);
} finally {
  await relayServer.close();
}

for (const u of uncaught.slice(0, 5)) console.log(`  ${u}`);
findings += uncaught.length;
console.log(findings === 0 ? 'fuzz: no findings' : `fuzz: ${findings} finding(s) (seed ${seed})`);
process.exit(findings === 0 ? 0 : 1);
