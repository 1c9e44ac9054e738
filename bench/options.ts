// Command-line options of `npm run bench`.
import { parseArgs } from 'node:util';
import type { Dialect, GenIo } from './gen/types.js';
import type { RelayImpl } from './relay-handle.js';

/** Default --rx-poll-us. */
export const RX_POLL_DEFAULT = 500;

export interface BenchOptions {
  rooms: number;
  users: number;
  rate: number;
  size: number;
  durationSec: number;
  warmupSec: number;
  drainSec: number;
  password: boolean;
  dialect: Dialect;
  genProcs: number;
  socketPool: number;
  sourceIps: number;
  handshakeConcurrency: number;
  pin: boolean;
  /** null: native when built, else dgram. */
  genIo: GenIo | null;
  relayUdp: 'native' | 'dgram';
  relayWorkers: number;
  rxPollMicros: number;
  rps: boolean;
  impl: RelayImpl;
  compareNaive: boolean;
  compareMinimal: boolean;
  /** Plain/encrypted pairs of runs in the encrypted comparison (the verdict is on the medians). */
  pairs: number;
  compareC: boolean;
  /**
   * The encrypted relay (TLS handshakes, sealed datagrams): 'beside' the plain one in the default
   * steady mode (compared), 'only' (every mode runs encrypted), or 'off'.
   */
  encrypted: 'beside' | 'only' | 'off';
  findMax: boolean;
  startRate: number;
  refine: number;
  stepSec: number;
  scaling: boolean;
  fanoutRate: number;
  soak: boolean;
  soakSec: number;
  cpuProf: boolean;
  outDir: string;
  help: boolean;
}

export const USAGE = `npm run bench -- [options]

Workload (default: the spec workload, 500 rooms x 10 users x 2 msg/s for 20 s after 5 s warm-up)
  --rooms N              rooms (500)
  --users N              users per room (10)
  --rate N               chat messages per second per user (2)
  --size N               message text bytes, >= 15 (64)
  --duration S           measured seconds (20)
  --warmup S             unmeasured seconds before (5)
  --drain S              seconds to wait for in-flight deliveries after the window (2)
  --password             rooms have passwords (scrypt on every handshake)
  --dialect plain|tincan wire dialect of the simulated users (plain)
Modes
  --find-max             step the per-user rate until loss > 0.1 % or p99 > 50 ms
  --start-rate N         msg/s per user of the first --find-max step (0.5); steps are x1 2 3 4 5 6 8 10 12 16 ...
  --refine N             after the steps, halve the gap between the last rate that passed and the first
                         that failed N times (2: to a quarter of a step)
  --step S               measured seconds per --find-max step (5)
  --scaling              100 / 500 / 1000 / 2500 rooms x 10 users and 1 room x 500 users
  --fanout-rate N        msg/s per user in the 1 x 500 fan-out row (0.1: 50 in/s, ~25,000 out/s)
  --soak                 one long run (600 s, see --soak-seconds), relay RSS sampled every 10 s
  --soak-seconds S       length of --soak (600)
  --cpu-prof             run the relay under node --cpu-prof and print the top 15 self-time frames
  --impl real|naive|minimal|c  relay under test (real)
  --no-compare-naive     skip the naive reference relay (it runs by default for plain runs)
  --compare-minimal      also run the tuned minimal Node relay (bench/minimal-relay.ts: offsets, no
                         per-datagram strings, one dgram send per recipient) and report our ratio to it
  --compare-c            also run the C reference relay (bench/native/c_relay.c: recvmmsg, a token
                         table, sendmmsg per batch) and report our ratio to it
Encrypted (on by default in the steady mode)
                         right after the plain run, the same workload with encrypted members: the
                         relay has a host identity, every user does a TLS 1.3 handshake with its
                         fingerprint pinned, derives its UDP keys from the TLS session, seals every
                         datagram it sends and opens every one it receives (Tincan dialect). With
                         the native generator its C threads seal the chat (with counters each
                         member's session lends them) and open the room datagrams, JS the rest,
                         and the pair (plain run, encrypted run) is compared (loss, relay CPU,
                         p50/p99, TLS handshakes/s) against issue #16's targets. With dgram io JS
                         does it all from a 1 ms tick, and the plain relay runs again from that tick
  --pairs N              N plain/encrypted pairs, each back to back; the ratios are taken per pair
                         and the targets judged on their medians (1)
  --no-encrypted         skip the encrypted runs
  --encrypted-only       only encrypted members (in any mode), no plain or reference relay
Generator
  --gen-procs N          generator worker processes; 0 runs it in the bench process (1)
  --socket-pool N        users share N UDP sockets per source IP; 0 = one socket per user (0)
  --source-ips N         spread rooms over 127.0.0.1..N (1)
  --handshake-concurrency N  handshakes in flight (32)
  --pin                  taskset: relay on CPU 0, generator and this process on CPU 1; the relay's
                         event loop runs at real-time priority in each phase (chrt, root)
  --gen-io native|dgram  generator UDP: native recvmmsg thread (default when built) or node:dgram
  --rps                  run inside a new network namespace whose loopback does receive processing
                         on the generator's CPUs, as separate hosts would (root; see bench/netns.ts)
  --rx-poll-us N         native generator: look for datagrams every N µs instead of being woken per
                         datagram (${RX_POLL_DEFAULT}); 0 = wake-ups, which loopback bills to the relay
  --relay-udp native|dgram  real relay's UDP: recvmmsg reads and one sendmmsg per message (default, Linux) or dgram
  --relay-workers N      real relay as N shard processes on one port (tincan serve --workers N; Linux,
                         native UDP); CPU % and RSS are all processes added up; with --pin, shard i
                         on CPU i and the generator on CPUs N and up (needs N + 1 CPUs) (1)
  --out DIR              where the JSON result goes (bench/results)
`;

function int(value: string | undefined, fallback: number, name: string, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}`);
  return n;
}

function encryptedMode(skip: boolean, only: boolean): BenchOptions['encrypted'] {
  if (skip && only) throw new Error('--no-encrypted and --encrypted-only exclude each other');
  return only ? 'only' : skip ? 'off' : 'beside';
}

export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      rooms: { type: 'string' },
      users: { type: 'string' },
      rate: { type: 'string' },
      size: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      drain: { type: 'string' },
      password: { type: 'boolean' },
      dialect: { type: 'string' },
      'gen-procs': { type: 'string' },
      'socket-pool': { type: 'string' },
      'source-ips': { type: 'string' },
      'handshake-concurrency': { type: 'string' },
      pin: { type: 'boolean' },
      'gen-io': { type: 'string' },
      'relay-udp': { type: 'string' },
      'relay-workers': { type: 'string' },
      'rx-poll-us': { type: 'string' },
      rps: { type: 'boolean' },
      impl: { type: 'string' },
      'compare-naive': { type: 'boolean' },
      'no-compare-naive': { type: 'boolean' },
      'compare-minimal': { type: 'boolean' },
      'compare-c': { type: 'boolean' },
      'no-encrypted': { type: 'boolean' },
      'encrypted-only': { type: 'boolean' },
      pairs: { type: 'string' },
      'find-max': { type: 'boolean' },
      step: { type: 'string' },
      'start-rate': { type: 'string' },
      refine: { type: 'string' },
      scaling: { type: 'boolean' },
      'fanout-rate': { type: 'string' },
      soak: { type: 'boolean' },
      'soak-seconds': { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const dialect = values.dialect ?? 'plain';
  if (dialect !== 'plain' && dialect !== 'tincan') throw new Error('--dialect must be plain or tincan');
  const genIo = values['gen-io'] ?? null;
  if (genIo !== null && genIo !== 'native' && genIo !== 'dgram') throw new Error('--gen-io must be native or dgram');
  const relayUdp = values['relay-udp'] ?? 'native';
  if (relayUdp !== 'native' && relayUdp !== 'dgram') throw new Error('--relay-udp must be native or dgram');
  const impl = values.impl ?? 'real';
  if (impl !== 'real' && impl !== 'naive' && impl !== 'minimal' && impl !== 'c')
    throw new Error('--impl must be real, naive, minimal or c');
  return {
    rooms: int(values.rooms, 500, 'rooms', 1),
    users: int(values.users, 10, 'users', 1),
    rate: int(values.rate, 2, 'rate', 0.01),
    size: int(values.size, 64, 'size', 15),
    durationSec: int(values.duration, 20, 'duration', 0.1),
    warmupSec: int(values.warmup, 5, 'warmup', 0),
    drainSec: int(values.drain, 2, 'drain', 0.1),
    password: values.password ?? false,
    dialect,
    genProcs: int(values['gen-procs'], 1, 'gen-procs', 0),
    socketPool: int(values['socket-pool'], 0, 'socket-pool', 0),
    sourceIps: int(values['source-ips'], 1, 'source-ips', 1),
    handshakeConcurrency: int(values['handshake-concurrency'], 32, 'handshake-concurrency', 1),
    pin: values.pin ?? false,
    genIo,
    relayUdp,
    relayWorkers: int(values['relay-workers'], 1, 'relay-workers', 1),
    rxPollMicros: int(values['rx-poll-us'], RX_POLL_DEFAULT, 'rx-poll-us', 0),
    rps: values.rps ?? false,
    impl,
    compareNaive: !(values['no-compare-naive'] ?? false) && (values['compare-naive'] ?? true),
    compareMinimal: values['compare-minimal'] ?? false,
    pairs: Math.floor(int(values.pairs, 1, 'pairs', 1)),
    compareC: values['compare-c'] ?? false,
    encrypted: encryptedMode(values['no-encrypted'] ?? false, values['encrypted-only'] ?? false),
    findMax: values['find-max'] ?? false,
    stepSec: int(values.step, 5, 'step', 0.5),
    startRate: int(values['start-rate'], 0.5, 'start-rate', 0.01),
    refine: Math.floor(int(values.refine, 2, 'refine', 0)),
    scaling: values.scaling ?? false,
    fanoutRate: int(values['fanout-rate'], 0.1, 'fanout-rate', 0.001),
    soak: values.soak ?? false,
    soakSec: int(values['soak-seconds'], 600, 'soak-seconds', 1),
    cpuProf: values['cpu-prof'] ?? false,
    outDir: values.out ?? 'bench/results',
    help: values.help ?? false,
  };
}
