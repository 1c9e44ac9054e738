// Trust on first use: the certificate fingerprint (or "plain") each server answered with the first
// time, by host and port. One JSON file in the data folder, written atomically with mode 0600; a
// broken file is an error the user must see, never silently emptied (that would re-open first use).
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatHostAddress } from '../../../src-shared/address.js';
import { parseFingerprint } from '../../../src-shared/protocol/index.js';

/** What a server answered with: its certificate's fingerprint, or 'plain' for a server without TLS. */
export type KnownHostEntry = string;
export const PLAIN_ENTRY = 'plain';

/** Where the client remembers servers; the engine only reads and adds, the user's UI may replace. */
export interface TrustStore {
  get(hostKey: string): KnownHostEntry | undefined;
  /** Records (or, after the user chose to trust a new certificate, replaces) the entry. */
  remember(hostKey: string, entry: KnownHostEntry): void;
}

/** The key a server is remembered under: `host:port`, an IPv6 literal in brackets. */
export function hostKeyOf(host: string, port: number): string {
  return formatHostAddress({ host, port });
}

/** Known hosts kept in memory (tests, or an app that persists elsewhere). */
export class MemoryTrustStore implements TrustStore {
  private readonly entries = new Map<string, KnownHostEntry>();
  get(hostKey: string): KnownHostEntry | undefined {
    return this.entries.get(hostKey);
  }
  remember(hostKey: string, entry: KnownHostEntry): void {
    this.entries.set(hostKey, entry);
  }
}

/** Known hosts in a JSON file `{ "host:port": "<fingerprint>" | "plain" }`. */
export class KnownHostsFile implements TrustStore {
  private readonly entries: Map<string, KnownHostEntry>;

  constructor(readonly path: string) {
    this.entries = readEntries(path);
  }

  get(hostKey: string): KnownHostEntry | undefined {
    return this.entries.get(hostKey);
  }

  remember(hostKey: string, entry: KnownHostEntry): void {
    this.entries.set(hostKey, entry);
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(Object.fromEntries(this.entries), null, 2)}\n`, { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, this.path);
  }
}

function readEntries(path: string): Map<string, KnownHostEntry> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw err;
  }
  const raw: unknown = JSON.parse(text);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error(`${path} is not a known-hosts file (expected a JSON object)`);
  const entries = new Map<string, KnownHostEntry>();
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const entry = value === PLAIN_ENTRY ? PLAIN_ENTRY : typeof value === 'string' ? parseFingerprint(value) : null;
    if (entry === null) throw new Error(`${path}: bad entry for ${key}`);
    entries.set(key, entry);
  }
  return entries;
}
