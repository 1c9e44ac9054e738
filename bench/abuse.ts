// `npm run bench:abuse`: how long a legitimate password join takes while another IP floods the relay
// with password-hashing requests (issue 15, item 4). The relay runs as a child process with its real
// limits; the flood comes from 127.0.0.2, the legitimate members each from an address of their own
// (127.0.3.x before the flood, 127.0.5.x during it).
//   npm run bench:abuse -- [--flood-ms 3000] [--parallel 32] [--op create|join]
import net from 'node:net';
import { parseArgs } from 'node:util';
import {
  encodeFrame,
  encodeRequestPayload,
  Operation,
  State,
  TcrpDecoder,
  utf8Encode,
} from '../src-shared/protocol/index.js';
import { RelayHandle } from './relay-handle.js';

const { values } = parseArgs({
  options: {
    'flood-ms': { type: 'string', default: '3000' },
    parallel: { type: 'string', default: '32' },
    op: { type: 'string', default: 'create' },
  },
});
const FLOOD_MS = Number(values['flood-ms']);
const PARALLEL = Number(values.parallel);
const FLOOD_OP = values.op === 'join' ? Operation.JOIN : Operation.CREATE;
const LONG_PASSWORD = 'x'.repeat(256);

/** One TCRP request; resolves with the reply status (null: none) once the server answered or hung up. */
function request(
  port: number,
  localAddress: string,
  op: number,
  room: string,
  payload: { username: string; password?: string },
): Promise<number | null> {
  return new Promise((resolve) => {
    const decoder = new TcrpDecoder({ maxPayloadBytes: 4096, allowEmptyRoom: true });
    let status: number | null = null;
    const socket = net.connect({ host: '127.0.0.1', port, localAddress }, () => {
      socket.write(
        encodeFrame({
          operation: op,
          state: State.REQUEST,
          room: utf8Encode(room),
          payload: encodeRequestPayload({ username: payload.username, password: payload.password ?? '' }),
        }),
      );
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        const first = decoder.push(chunk).frames[0];
        if (first && status === null) {
          status = first.payload[0] ?? null;
          socket.destroy();
          resolve(status);
        }
      } catch {
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(status));
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function summary(label: string, ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const f = (n: number): string => n.toFixed(1);
  return `${label}: n=${sorted.length} p50=${f(percentile(sorted, 50))} ms p95=${f(percentile(sorted, 95))} ms max=${f(sorted.at(-1) ?? NaN)} ms`;
}

let guests = 0;

/**
 * Sequential legitimate joins until `until`, each from its own address in 127.0.<block>.x (people on
 * other machines: one join each, well inside any per-IP budget), timed from connect to reply. Only
 * joins that succeeded count towards the latency; every status is tallied.
 */
async function legitimateJoins(
  port: number,
  until: number,
  block: number,
): Promise<{ ms: number[]; statuses: Map<number, number> }> {
  const ms: number[] = [];
  const statuses = new Map<number, number>();
  for (let i = 1; Date.now() < until && i < 255; i++) {
    const started = performance.now();
    const status = await request(port, `127.0.${block}.${i}`, Operation.JOIN, 'legit', {
      username: `guest${guests++}`,
      password: 'correct horse',
    });
    if (status === 0) ms.push(performance.now() - started);
    statuses.set(status ?? -1, (statuses.get(status ?? -1) ?? 0) + 1);
    await new Promise((resolve) => setTimeout(resolve, 100)); // people, not a loop
  }
  return { ms, statuses };
}

async function flood(port: number, until: number): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  let n = 0;
  const worker = async (): Promise<void> => {
    while (Date.now() < until) {
      const room = FLOOD_OP === Operation.CREATE ? `flood-${n++}` : 'legit';
      const status = await request(port, '127.0.0.2', FLOOD_OP, room, {
        username: `f${n++}`,
        password: LONG_PASSWORD,
      });
      statuses.set(status ?? -1, (statuses.get(status ?? -1) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return statuses;
}

const show = (m: Map<number, number>): string => [...m].map(([s, c]) => `${s}:${c}`).join(' ');

async function main(): Promise<void> {
  const relay = await RelayHandle.start({
    impl: 'real',
    // Only the caps that would stop the bench's own set-up are lifted; the abuse limits stay.
    serverOptions: { host: '127.0.0.1', port: 0, maxConnectionsPerIp: 1024 },
    pinCpus: null,
    cpuProfDir: null,
    keepAbuseLimits: true,
  });
  try {
    const port = relay.address.tcpPort;
    const created = await request(port, '127.0.0.4', Operation.CREATE, 'legit', {
      username: 'host',
      password: 'correct horse',
    });
    if (created !== 0) throw new Error(`could not create the legitimate room (status ${String(created)})`);

    const quiet = await legitimateJoins(port, Date.now() + 2000, 3);
    console.log(summary('quiet     ', quiet.ms), '| statuses', show(quiet.statuses));

    const until = Date.now() + FLOOD_MS;
    const [floodStatuses, loaded] = await Promise.all([flood(port, until), legitimateJoins(port, until, 5)]);
    console.log(summary('during flood', loaded.ms), '| statuses', show(loaded.statuses));
    console.log(
      `flood (${PARALLEL} parallel ${FLOOD_OP === Operation.CREATE ? 'creates' : 'joins'}):`,
      show(floodStatuses),
    );
    const stats = (await relay.stats()).server as { rooms?: number };
    console.log(`rooms on the relay after the flood: ${String(stats.rooms)}`);
  } finally {
    await relay.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
