// Each room's history kept on disk between runs, one segment log per room in `<data>/history/`,
// named by a hash of host and room (no room or host name appears in a file name). Bounded: past the
// limit plus some slack the oldest records are compacted away. Pages are read from disk on demand;
// only each record's key stays in memory, to find where an older page starts.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { SYSTEM_TONES, type ChatEntry } from '../../../src-shared/ipc/contract.js';
import { MESSAGE_TEXT_MAX_BYTES } from '../../../src-shared/protocol/limits.js';
import { SegmentLog } from './segment-log.js';

/** Which room a history belongs to: the host as shown (or HOSTED_HERE) and the room name. */
export interface HistoryKey {
  server: string;
  room: string;
}

/** The `server` of rooms this app hosts: one history per room name, whatever port it ran on. */
export const HOSTED_HERE = 'hosted-here';

const FOLDER = 'history';
/** A record holds one entry as JSON; far more than the longest legal message needs. */
const MAX_RECORD_BYTES = 4 * MESSAGE_TEXT_MAX_BYTES + 4096;

export interface HistoryStoreOptions {
  /** Messages kept per room; read on every append so a preference change applies at once. */
  bound(): number;
  onDamage?(file: string, droppedBytes: number): void;
}

export class HistoryStore {
  private readonly open = new Map<string, RoomHistory>();

  constructor(
    private readonly dataDir: string,
    private readonly options: HistoryStoreOptions,
  ) {}

  /** The room's history, opened on first use. */
  room(key: HistoryKey): RoomHistory {
    const file = join(this.dataDir, FOLDER, `${fileId(key)}.log`);
    let history = this.open.get(file);
    if (!history) {
      const log = SegmentLog.open(file, { maxRecordBytes: MAX_RECORD_BYTES }, (dropped) =>
        this.options.onDamage?.(file, dropped),
      );
      history = new RoomHistory(log, this.options.bound);
      this.open.set(file, history);
    }
    return history;
  }

  close(): void {
    for (const history of this.open.values()) history.close();
    this.open.clear();
  }
}

export class RoomHistory {
  /** Key of each record, in log order; '' for a record that did not hold an entry. */
  private keys: string[] = [];

  constructor(
    private readonly log: SegmentLog,
    private readonly bound: () => number,
  ) {
    this.index();
  }

  get size(): number {
    return this.keys.length;
  }

  append(entry: ChatEntry): void {
    this.log.append(Buffer.from(JSON.stringify(entry)));
    this.keys.push(entry.key);
    const bound = this.bound();
    // Compact with some slack, so a full room does not rewrite its file on every message.
    if (this.keys.length > bound + Math.max(50, Math.floor(bound / 10))) {
      this.log.compact(this.keys.length - bound);
      this.keys = this.keys.slice(this.keys.length - bound);
    }
  }

  /** The newest `limit` entries, oldest first (at most the bound, even before compaction). */
  latest(limit: number): ChatEntry[] {
    const count = Math.min(limit, this.bound());
    return this.page(this.keys.length - count, this.keys.length);
  }

  /** Up to `limit` entries just older than the one with `key` (none when the key is not stored). */
  before(key: string, limit: number): ChatEntry[] {
    const at = this.keys.lastIndexOf(key);
    if (at <= 0) return [];
    const oldest = Math.max(0, this.keys.length - this.bound());
    return this.page(Math.max(oldest, at - limit), at);
  }

  /** Every stored entry, oldest first: to seed what a fresh session has already shown. */
  all(): ChatEntry[] {
    return this.latest(this.keys.length);
  }

  clear(): void {
    this.log.clear();
    this.keys = [];
  }

  close(): void {
    this.log.close();
  }

  private page(from: number, to: number): ChatEntry[] {
    const out: ChatEntry[] = [];
    for (const payload of this.log.read(Math.max(0, from), to)) {
      const entry = parseEntry(payload);
      if (entry) out.push(entry);
    }
    return out;
  }

  private index(): void {
    this.keys = this.log.read(0, this.log.count).map((payload) => parseEntry(payload)?.key ?? '');
  }
}

function fileId(key: HistoryKey): string {
  return createHash('sha256').update(`${key.server}\n${key.room}`).digest('hex').slice(0, 32);
}

/** Our own file, checksummed, but still read as untrusted: only well-formed entries come out. */
export function parseEntry(payload: Buffer): ChatEntry | null {
  let raw: unknown;
  try {
    raw = JSON.parse(payload.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.key !== 'string' || typeof r.text !== 'string' || typeof r.at !== 'number') return null;
  if (r.kind === 'system') {
    const tone = SYSTEM_TONES.find((t) => t === r.tone);
    return tone ? { kind: 'system', key: r.key, text: r.text, at: r.at, tone } : null;
  }
  if (r.kind !== 'chat' || typeof r.from !== 'string' || typeof r.own !== 'boolean') return null;
  const seq = typeof r.seq === 'number' && Number.isInteger(r.seq) ? r.seq : null;
  return { kind: 'chat', key: r.key, from: r.from, text: r.text, own: r.own, at: r.at, seq, pending: false };
}
