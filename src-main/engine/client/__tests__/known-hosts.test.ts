// The known-hosts file: what it remembers survives a new reader, it is written for the owner only,
// and a broken file is an error (emptying it would silently re-open trust on first use).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hostKeyOf, KnownHostsFile, PLAIN_ENTRY } from '../known-hosts.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-known-'));
  dirs.push(dir);
  return join(dir, 'data', 'known-hosts.json');
}

describe('KnownHostsFile', () => {
  it('remembers fingerprints and plain hosts across readers, in a file only the owner reads', () => {
    const path = tempFile();
    const fingerprint = 'ab'.repeat(32);
    const store = new KnownHostsFile(path);
    expect(store.get(hostKeyOf('::1', 7777))).toBeUndefined();
    store.remember(hostKeyOf('::1', 7777), fingerprint);
    store.remember(hostKeyOf('10.0.0.2', 7777), PLAIN_ENTRY);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = new KnownHostsFile(path);
    expect(again.get('[::1]:7777')).toBe(fingerprint);
    expect(again.get('10.0.0.2:7777')).toBe(PLAIN_ENTRY);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ '[::1]:7777': fingerprint, '10.0.0.2:7777': 'plain' });
  });

  it('refuses a broken file instead of forgetting every host', () => {
    const path = tempFile();
    new KnownHostsFile(path).remember('h:1', 'plain');
    writeFileSync(path, '{"h:1": "not a fingerprint"}');
    expect(() => new KnownHostsFile(path)).toThrow(/bad entry for h:1/);
    writeFileSync(path, '[1, 2]');
    expect(() => new KnownHostsFile(path)).toThrow(/not a known-hosts file/);
  });
});
