import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SegmentLog } from '../segment-log.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-log-'));
  dirs.push(dir);
  return join(dir, 'room.log');
}

const OPTIONS = { maxRecordBytes: 1 << 20 };
const texts = (log: SegmentLog) => log.read(0, log.count).map((b) => b.toString());

function writeRecords(file: string, count: number): void {
  const log = SegmentLog.open(file, OPTIONS);
  for (let i = 0; i < count; i++) log.append(Buffer.from(`record ${i}`));
  log.close();
}

describe('SegmentLog', () => {
  it('reads back what was appended, across a reopen, by range', () => {
    const file = tempFile();
    writeRecords(file, 5);
    const log = SegmentLog.open(file, OPTIONS);
    expect(log.count).toBe(5);
    expect(log.read(1, 3).map(String)).toEqual(['record 1', 'record 2']);
    log.append(Buffer.from('record 5'));
    expect(texts(log).at(-1)).toBe('record 5');
    log.close();
  });

  it.skipIf(process.platform === 'win32')('creates its folder and files for the user only, compacted too', () => {
    const file = join(tempFile(), '..', 'history', 'room.log');
    writeRecords(file, 3);
    expect(statSync(join(file, '..')).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const log = SegmentLog.open(file, OPTIONS);
    log.compact(1);
    log.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('cuts a tail torn mid-record and keeps every record before it', () => {
    const file = tempFile();
    writeRecords(file, 10);
    const whole = statSync(file).size;
    // A crash in the middle of the last frame's payload.
    truncateSync(file, whole - 3);
    const dropped: number[] = [];
    const log = SegmentLog.open(file, OPTIONS, (bytes) => dropped.push(bytes));
    expect(texts(log)).toEqual(Array.from({ length: 9 }, (_, i) => `record ${i}`));
    expect(dropped).toHaveLength(1);
    // The file was cut back, so new records follow the good ones.
    log.append(Buffer.from('after the crash'));
    log.close();
    expect(texts(SegmentLog.open(file, OPTIONS)).slice(-2)).toEqual(['record 8', 'after the crash']);
  });

  it('stops at a frame whose checksum fails, and at a header that announces too much', () => {
    const file = tempFile();
    writeRecords(file, 4);
    const bytes = readFileSync(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1); // last payload byte flipped
    writeFileSync(file, bytes);
    expect(texts(SegmentLog.open(file, OPTIONS))).toEqual(['record 0', 'record 1', 'record 2']);

    const huge = Buffer.alloc(8);
    huge.writeUInt32LE(0xffffffff, 0);
    appendFileSync(file, huge);
    const log = SegmentLog.open(file, OPTIONS);
    expect(log.count).toBe(3);
    log.close();
  });

  it('compacts to the newest records through a rename', () => {
    const file = tempFile();
    writeRecords(file, 20);
    const log = SegmentLog.open(file, OPTIONS);
    log.compact(15);
    expect(texts(log)).toEqual(['record 15', 'record 16', 'record 17', 'record 18', 'record 19']);
    log.append(Buffer.from('record 20'));
    log.close();
    expect(SegmentLog.open(file, OPTIONS).count).toBe(6);
  });

  it('survives a process killed in the middle of its write loop', async () => {
    const file = tempFile();
    const script = fileURLToPath(new URL('./append-until-killed.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    const log = SegmentLog.open(file, OPTIONS);
    const records = texts(log);
    expect(records.length).toBeGreaterThanOrEqual(200);
    // Every record survived whole and in order: record i starts with "i:" and has its full length.
    records.forEach((text, i) => expect(text).toBe(`${i}:${'x'.repeat((i * 7919) % 20_000)}`));
    log.append(Buffer.from('written after the crash'));
    log.close();
    expect(texts(SegmentLog.open(file, OPTIONS)).at(-1)).toBe('written after the crash');
  });
});
