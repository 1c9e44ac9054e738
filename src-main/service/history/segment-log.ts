// An append-only log of framed records in one file: the storage under a room's history.
//
// Why our own and not an embedded database: the app ships no native modules (better-sqlite3,
// classic-level and lmdb all are), node:sqlite is missing from Node 20, and sql.js keeps the database
// in memory and rewrites the whole file on every save. History is append-mostly with a bound, which a
// log of checksummed records does in a hundred lines.
//
// Frame: length u32 LE | CRC-32 of the payload u32 LE | payload. On open the file is scanned; the
// first frame that is cut short, too long or fails its checksum marks a torn tail (a crash or power
// loss mid-write) and the file is truncated there, so every record before it stays readable.
// Compaction writes the kept records to a temporary file, fsyncs it and renames it over the log
// (atomic on every OS we ship), so a crash leaves either the old log or the new one.
// fsync policy: appends are not fsynced (a crashed process loses nothing the OS already has; a power
// loss may lose the last seconds, which the torn-tail check then cuts cleanly); compaction fsyncs the
// new file before the rename and the folder after it.
import {
  closeSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';

const HEADER_BYTES = 8;
/** Modes for what the log creates: only the user reads chat history (POSIX; Windows ignores them). */
const PRIVATE_FOLDER = 0o700;
const PRIVATE_FILE = 0o600;

export interface SegmentLogOptions {
  /** A frame announcing more than this is treated as damage, never allocated. */
  maxRecordBytes: number;
}

export class SegmentLog {
  /** Start offset of every record, then the end of the last one. */
  private offsets: number[] = [0];
  private fd = 0;
  /** Bytes cut off the end by the last scan. */
  private droppedBytes = 0;

  private constructor(
    private readonly file: string,
    private readonly options: SegmentLogOptions,
  ) {
    // Chat history is private to the user, like the host key and known hosts (SECURITY.md).
    mkdirSync(dirname(file), { recursive: true, mode: PRIVATE_FOLDER });
    this.fd = openSync(file, 'a+', PRIVATE_FILE);
    this.scan();
  }

  /** Opens (or creates) the log, cutting a torn tail off. `onTorn` hears how many bytes were dropped. */
  static open(file: string, options: SegmentLogOptions, onTorn?: (droppedBytes: number) => void): SegmentLog {
    const log = new SegmentLog(file, options);
    if (log.droppedBytes > 0) onTorn?.(log.droppedBytes);
    return log;
  }

  get count(): number {
    return this.offsets.length - 1;
  }

  append(payload: Buffer): void {
    if (payload.length > this.options.maxRecordBytes) throw new RangeError('record too large for the log');
    const frame = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
    frame.writeUInt32LE(payload.length, 0);
    frame.writeUInt32LE(crc32(payload), 4);
    payload.copy(frame, HEADER_BYTES);
    writeAll(this.fd, frame);
    this.offsets.push(this.end + frame.length);
  }

  /** Payloads of records [from, to), oldest first, read from disk. */
  read(from: number, to: number): Buffer[] {
    const start = Math.max(0, from);
    const stop = Math.min(this.count, to);
    if (stop <= start) return [];
    const base = this.offset(start);
    const bytes = Buffer.allocUnsafe(this.offset(stop) - base);
    let got = 0;
    while (got < bytes.length) {
      const n = readSync(this.fd, bytes, got, bytes.length - got, base + got);
      if (n === 0) throw new Error(`history log ${this.file} shrank while open`);
      got += n;
    }
    const out: Buffer[] = [];
    for (let i = start; i < stop; i++) {
      out.push(bytes.subarray(this.offset(i) - base + HEADER_BYTES, this.offset(i + 1) - base));
    }
    return out;
  }

  /** Keeps only records [keepFrom, count): written anew, then renamed over the log. */
  compact(keepFrom: number): void {
    const kept = this.read(keepFrom, this.count);
    const tmp = `${this.file}.compact`;
    const out = openSync(tmp, 'w', PRIVATE_FILE);
    try {
      for (const payload of kept) {
        const header = Buffer.allocUnsafe(HEADER_BYTES);
        header.writeUInt32LE(payload.length, 0);
        header.writeUInt32LE(crc32(payload), 4);
        writeAll(out, Buffer.concat([header, payload]));
      }
      fsyncSync(out);
    } finally {
      closeSync(out);
    }
    renameSync(tmp, this.file);
    syncFolder(dirname(this.file));
    closeSync(this.fd);
    this.fd = openSync(this.file, 'a+', PRIVATE_FILE);
    this.scan();
  }

  /** Empties the log (the file stays, empty). */
  clear(): void {
    ftruncateSync(this.fd, 0);
    this.offsets = [0];
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Closes the log and deletes its file. */
  remove(): void {
    this.close();
    rmSync(this.file, { force: true });
  }

  private get end(): number {
    return this.offset(this.count);
  }

  private offset(record: number): number {
    const at = this.offsets[record];
    if (at === undefined) throw new RangeError(`no record ${record} in the log`);
    return at;
  }

  private scan(): void {
    const bytes = readFileSync(this.file);
    const offsets = [0];
    let at = 0;
    while (at + HEADER_BYTES <= bytes.length) {
      const length = bytes.readUInt32LE(at);
      const next = at + HEADER_BYTES + length;
      if (length > this.options.maxRecordBytes || next > bytes.length) break;
      if (crc32(bytes.subarray(at + HEADER_BYTES, next)) !== bytes.readUInt32LE(at + 4)) break;
      at = next;
      offsets.push(at);
    }
    this.offsets = offsets;
    this.droppedBytes = bytes.length - at;
    if (this.droppedBytes > 0) ftruncateSync(this.fd, at);
  }
}

function writeAll(fd: number, bytes: Buffer): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** Makes a rename durable; some platforms (Windows) cannot open a folder, and need not. */
function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
