// Command-line options of the churn soak, with defaults sized for a 2-core machine.
export interface SoakOptions {
  minutes: number;
  rooms: number;
  users: number;
  /** Chat messages per user per second. */
  rate: number;
  /** Seconds between churn rounds. */
  churnEverySec: number;
  /** Fraction of members replaced per churn round: half leave politely, half go silent. */
  churnFraction: number;
  /** Rooms closed by their host (and recreated) per churn round. */
  roomClosesPerRound: number;
  /** The relay's inactivity timeout for the soak, ms (short, so silent users are swept quickly). */
  inactivityMs: number;
  sweepMs: number;
  sampleEverySec: number;
  /** Samples taken before this many seconds are warm-up; RSS growth is measured from the first one after. */
  warmupSec: number;
  /** Allowed RSS growth: the larger of these two. */
  rssGrowthMb: number;
  rssGrowthPercent: number;
  /** Extra fds tolerated at the end over the baseline taken before any user connected. */
  fdTolerance: number;
  handshakeConcurrency: number;
  writeJson: boolean;
  quiet: boolean;
}

/** The spec workload is 500 rooms × 10 users; with churn on 2 cores the default is 200 rooms (printed). */
export const SPEC_ROOMS = 500;

export const DEFAULT_SOAK_OPTIONS: SoakOptions = {
  minutes: 10,
  rooms: 200,
  users: 10,
  rate: 2,
  churnEverySec: 10,
  churnFraction: 0.02,
  roomClosesPerRound: 1,
  inactivityMs: 5_000,
  sweepMs: 500,
  sampleEverySec: 10,
  warmupSec: 60,
  rssGrowthMb: 10,
  rssGrowthPercent: 10,
  fdTolerance: 0,
  handshakeConcurrency: 16,
  writeJson: true,
  quiet: false,
};

/** The options set from a number on the command line. */
type NumericOption = { [K in keyof SoakOptions]: SoakOptions[K] extends number ? K : never }[keyof SoakOptions];

const NUMERIC: Record<string, NumericOption> = {
  '--minutes': 'minutes',
  '--rooms': 'rooms',
  '--users': 'users',
  '--rate': 'rate',
  '--churn-every': 'churnEverySec',
  '--churn-fraction': 'churnFraction',
  '--room-closes': 'roomClosesPerRound',
  '--inactivity-ms': 'inactivityMs',
  '--sweep-ms': 'sweepMs',
  '--sample-every': 'sampleEverySec',
  '--warmup': 'warmupSec',
  '--rss-growth-mb': 'rssGrowthMb',
  '--rss-growth-percent': 'rssGrowthPercent',
  '--fd-tolerance': 'fdTolerance',
  '--concurrency': 'handshakeConcurrency',
};

export function parseSoakArgs(argv: readonly string[]): SoakOptions {
  const options: SoakOptions = { ...DEFAULT_SOAK_OPTIONS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--no-json') {
      options.writeJson = false;
      continue;
    }
    const [flag, inline] = arg.includes('=') ? (arg.split('=', 2) as [string, string]) : [arg, undefined];
    const key = NUMERIC[flag];
    if (!key) throw new Error(`unknown option ${arg}; known: ${Object.keys(NUMERIC).join(' ')} --no-json`);
    const raw = inline ?? argv[++i];
    const value = Number(raw);
    if (raw === undefined || !Number.isFinite(value) || value < 0) throw new Error(`${flag} needs a number ≥ 0`);
    options[key] = value;
  }
  if (options.rooms < 1 || options.users < 1) throw new Error('--rooms and --users must be ≥ 1');
  return options;
}
