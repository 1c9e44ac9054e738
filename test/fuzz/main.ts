// `npm run fuzz` — runs over a million random inputs through the protocol codecs, then drives live
// servers: the handshake with random byte streams, in clear and (on a server with a host identity)
// as mutated ClientHellos and inside real TLS; the relay with random bodies behind valid headers; the
// sealed relay with sealed, mutated, replayed and random 0xFE datagrams. Reports counts and every
// finding; exit code 1 on any. Replay a run with the same --seed.
//
//   npm run fuzz -- [--iterations N per codec target] [--connections N] [--datagrams N] [--seed S] [--time-limit SECONDS]
import { CODEC_TARGETS, runTarget } from './codec-targets.js';
import { CONNECTION_KINDS, fuzzHandshakes, type HandshakeFuzzReport } from './handshake-fuzz.js';
import { fuzzRelay } from './relay-fuzz.js';
import { fuzzSealedRelay } from './sealed-relay-fuzz.js';
import { Rng } from './random-bytes.js';
import { FAST_OPTIONS, startServer, type TestServer } from '../support/server.js';
import { request } from '../support/raw-tcrp.js';
import { UdpSecrets } from '../support/sealed-peer.js';
import { generateHostIdentity, handshake } from '../../src-main/engine/index.js';
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

/** The server's drop counters that moved, as JSON. */
function droppedSummary(dropped: Record<string, number>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(dropped).filter(([, n]) => n > 0)));
}

/** A reply tally as `OK=3 BAD_REQUEST=5 none=2`: status names where the code is one. */
function describeReplies(replies: Record<string, number>): string {
  return Object.entries(replies)
    .map(([code, n]) => `${Object.entries(Status).find(([, v]) => String(v) === code)?.[0] ?? code}=${n}`)
    .join(' ');
}

function printHandshake(label: string, report: HandshakeFuzzReport): void {
  console.log(
    `  ${label.padEnd(18)} ${String(report.connections).padStart(9)} connections  ${report.findings.length} findings  ${report.ms} ms`,
  );
  for (const kind of CONNECTION_KINDS) {
    if (report.kinds[kind] === 0) continue;
    console.log(`    ${kind} (${report.kinds[kind]}) replies: ${describeReplies(report.replies[kind])}`);
  }
  for (const f of report.findings.slice(0, 5))
    console.log(`    #${f.index} (${f.kind}): ${f.problem}\n      input ${f.input}`);
}

/** A server still admits after its fuzz: create + join in clear, and in TLS when it has an identity. */
async function stillServes(server: TestServer, room: string, fingerprint?: string): Promise<void> {
  const created = await request(server.tcpPort, { room, operation: Operation.CREATE, payload: { username: 'host' } });
  const joined = await request(server.tcpPort, { room, operation: Operation.JOIN, payload: { username: 'guest' } });
  let inTls = 'not asked';
  if (fingerprint) {
    inTls = await handshake({
      host: '127.0.0.1',
      port: server.tcpPort,
      room,
      username: 'tls-guest',
      mode: 'join',
      encryption: { fingerprint },
    }).then(
      (r) => r.transport,
      (err: unknown) => `failed: ${(err as Error).message}`,
    );
  }
  if (created.status !== Status.OK || joined.status !== Status.OK || (fingerprint && inTls !== 'tls')) {
    findings++;
    console.log(`  server no longer serves: create=${created.status} join=${joined.status} tls join=${inTls}`);
  } else
    console.log(`  server still serves create + join${fingerprint ? ' (and a join inside TLS)' : ''} after the fuzz`);
}

// The handshake fuzzes share what the codecs left of the time limit; the relays are bounded by count.
const handshakeTimeoutMs = 400;
const handshakeOptions = {
  ...FAST_OPTIONS,
  handshakeTimeoutMs,
  maxPendingHandshakes: 4096,
  maxConnectionsPerIp: 4096,
  maxRooms: 100_000,
};
const server = await startServer(handshakeOptions);
try {
  const report = await fuzzHandshakes(
    {
      tcpPort: server.tcpPort,
      connections,
      concurrency: 48,
      handshakeTimeoutMs,
      deadline: Date.now() + (deadline - Date.now()) * 0.4,
    },
    rng,
  );
  findings += report.findings.length;
  printHandshake('handshake', report);
  await stillServes(server, `after-fuzz-${seed}`);
} finally {
  await server.close();
}

// The same with a host identity: TLS detection on the TCRP port, ClientHellos, and TCRP inside TLS.
const identity = await generateHostIdentity();
const tlsServer = await startServer({ ...handshakeOptions, identity });
try {
  const report = await fuzzHandshakes(
    {
      tcpPort: tlsServer.tcpPort,
      connections,
      concurrency: 48,
      handshakeTimeoutMs,
      tls: true,
      deadline: Date.now() + (deadline - Date.now()) * 0.6,
    },
    rng,
  );
  findings += report.findings.length;
  printHandshake('handshake (TLS)', report);
  await stillServes(tlsServer, `after-tls-fuzz-${seed}`, identity.fingerprint);
} finally {
  await tlsServer.close();
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
    `    server: relayed=${s.datagramsRelayed} dropped=${droppedSummary(s.dropped)}; members received ${report.received}`,
  );
  for (const f of report.findings.slice(0, 5)) console.log(`    ${f}`);
} finally {
  await relayServer.close();
}

// Room keys rotate every 100 messages, so the fuzz crosses epochs too.
const secrets = new UdpSecrets();
const sealedServer = await startServer({
  ...FAST_OPTIONS,
  maxMessagesPerSecond: 1_000_000,
  inactivityTimeoutMs: 600_000,
  udpSecretForTests: secrets.lookup,
  messagesPerRoomKeyForTests: 100,
});
try {
  const report = await fuzzSealedRelay(
    {
      port: sealedServer.tcpPort,
      secrets,
      datagrams,
      room: 'sealed-relay-fuzz',
      members: () => sealedServer.stats().members,
    },
    rng,
  );
  findings += report.findings.length;
  const s = sealedServer.stats();
  const sent = Object.values(report.kinds).reduce((a, b) => a + b, 0);
  console.log(
    `  sealed relay       ${String(sent).padStart(9)} datagrams    ${report.findings.length} findings  ${report.ms} ms`,
  );
  console.log(
    `    sent: ${Object.entries(report.kinds)
      .map(([k, n]) => `${k}=${n}`)
      .join(' ')}`,
  );
  console.log(
    `    server: relayed=${s.datagramsRelayed} rotations=${s.sealed?.rotations} dropped=${droppedSummary(s.dropped)}; members received ${report.received}`,
  );
  for (const f of report.findings.slice(0, 5)) console.log(`    ${f}`);
} finally {
  await sealedServer.close();
}

for (const u of uncaught.slice(0, 5)) console.log(`  ${u}`);
findings += uncaught.length;
console.log(findings === 0 ? 'fuzz: no findings' : `fuzz: ${findings} finding(s) (seed ${seed})`);
process.exit(findings === 0 ? 0 : 1);
