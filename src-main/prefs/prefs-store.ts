// Preferences remembered between runs: display name, recent hosts and rooms, hosting defaults, the
// window size and whether (and how much) room history is kept. One JSON file in the app's data
// folder, written atomically (temp file + rename) so a crash mid-write never leaves a broken file; a
// broken or foreign file is ignored, never trusted.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Prefs, WindowSize } from '../../src-shared/ipc/contract.js';
import { DEFAULT_PORT } from '../../src-shared/address.js';
import { STUN_SERVER_MAX_LENGTH, stunServerPrefProblem } from '../../src-shared/reach/stun-server.js';
import { HISTORY_BOUND_DEFAULT, HISTORY_BOUND_MAX, HISTORY_BOUND_MIN } from '../../src-shared/ipc/history-limit.js';

export const RECENT_LIMIT = 8;
const FILE_NAME = 'prefs.json';

export function defaultPrefs(): Prefs {
  return {
    displayName: '',
    recentHosts: [],
    recentRooms: [],
    hostPort: DEFAULT_PORT,
    // None chosen yet: the Host form proposes a LAN address or this computer, never all interfaces.
    hostInterface: '',
    hostUpnp: false,
    // Off: no third party is contacted unless the user names a server.
    stunServer: '',
    hostEncryptedOnly: false,
    window: null,
    keepHistory: true,
    historyBound: HISTORY_BOUND_DEFAULT,
  };
}

function stringList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((v): v is string => typeof v === 'string' && v.length > 0 && v.length <= 256)
    .slice(0, RECENT_LIMIT);
}

function windowSize(value: unknown): WindowSize | null {
  if (typeof value !== 'object' || value === null) return null;
  const { width, height } = value as Record<string, unknown>;
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 200 && n <= 20_000;
  return ok(width) && ok(height) ? { width, height } : null;
}

/** Keeps only well-formed fields of whatever was on disk. */
export function sanitizePrefs(raw: unknown): Prefs {
  const prefs = defaultPrefs();
  if (typeof raw !== 'object' || raw === null) return prefs;
  const r = raw as Record<string, unknown>;
  if (typeof r.displayName === 'string' && r.displayName.length <= 64) prefs.displayName = r.displayName;
  prefs.recentHosts = stringList(r.recentHosts);
  prefs.recentRooms = stringList(r.recentRooms);
  if (typeof r.hostPort === 'number' && Number.isInteger(r.hostPort) && r.hostPort >= 0 && r.hostPort <= 65535)
    prefs.hostPort = r.hostPort;
  if (typeof r.hostInterface === 'string' && r.hostInterface.length <= 256) prefs.hostInterface = r.hostInterface;
  if (typeof r.hostUpnp === 'boolean') prefs.hostUpnp = r.hostUpnp;
  if (
    typeof r.stunServer === 'string' &&
    r.stunServer.length <= STUN_SERVER_MAX_LENGTH &&
    stunServerPrefProblem(r.stunServer) === null
  )
    prefs.stunServer = r.stunServer.trim();
  if (typeof r.hostEncryptedOnly === 'boolean') prefs.hostEncryptedOnly = r.hostEncryptedOnly;
  prefs.window = windowSize(r.window);
  if (typeof r.keepHistory === 'boolean') prefs.keepHistory = r.keepHistory;
  const bound = r.historyBound;
  if (typeof bound === 'number' && Number.isInteger(bound) && bound >= HISTORY_BOUND_MIN && bound <= HISTORY_BOUND_MAX)
    prefs.historyBound = bound;
  return prefs;
}

/** Puts `value` first in a most-recent-first list without duplicates. */
export function pushRecent(list: readonly string[], value: string): string[] {
  return [value, ...list.filter((v) => v !== value)].slice(0, RECENT_LIMIT);
}

export class PrefsStore {
  private prefs: Prefs;
  private readonly file: string;

  constructor(
    private readonly dir: string,
    private readonly log: (msg: string) => void = () => {},
  ) {
    this.file = join(dir, FILE_NAME);
    this.prefs = this.load();
  }

  private load(): Prefs {
    try {
      return sanitizePrefs(JSON.parse(readFileSync(this.file, 'utf8')));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.log(`prefs: ignoring unreadable ${this.file}: ${(err as Error).message}`);
      return defaultPrefs();
    }
  }

  get(): Prefs {
    return structuredClone(this.prefs);
  }

  /** One preference without copying the rest (read on every history append). */
  read<K extends 'keepHistory' | 'historyBound' | 'stunServer'>(key: K): Prefs[K] {
    return this.prefs[key];
  }

  update(patch: Partial<Prefs>): Prefs {
    this.prefs = sanitizePrefs({ ...this.prefs, ...patch });
    this.save();
    return this.get();
  }

  /** Remembers a successful join/host: name, host address and room go to the front of the recents. */
  remember(entry: { displayName?: string; host?: string; room?: string }): void {
    const patch: Partial<Prefs> = {};
    if (entry.displayName) patch.displayName = entry.displayName;
    if (entry.host) patch.recentHosts = pushRecent(this.prefs.recentHosts, entry.host);
    if (entry.room) patch.recentRooms = pushRecent(this.prefs.recentRooms, entry.room);
    this.update(patch);
  }

  private save(): void {
    try {
      mkdirSync(this.dir, { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(this.prefs, null, 2));
      renameSync(tmp, this.file);
    } catch (err) {
      // Losing a preference is not worth crashing the app over.
      this.log(`prefs: cannot save ${this.file}: ${(err as Error).message}`);
    }
  }
}
