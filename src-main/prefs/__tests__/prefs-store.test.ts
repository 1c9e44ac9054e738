import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PrefsStore, RECENT_LIMIT, defaultPrefs, pushRecent, sanitizePrefs } from '../prefs-store.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tincan-prefs-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('PrefsStore', () => {
  it('remembers name, recents and window size across instances', () => {
    const dir = tempDir();
    const a = new PrefsStore(dir);
    a.remember({ displayName: 'Zoë 🎧', host: '10.0.0.2:7777', room: 'lobby' });
    a.remember({ host: '[::1]:9000', room: 'lobby' });
    a.update({ window: { width: 900, height: 700 } });
    const b = new PrefsStore(dir).get();
    expect(b.displayName).toBe('Zoë 🎧');
    expect(b.recentHosts).toEqual(['[::1]:9000', '10.0.0.2:7777']);
    expect(b.recentRooms).toEqual(['lobby']);
    expect(b.window).toEqual({ width: 900, height: 700 });
    expect(JSON.parse(readFileSync(join(dir, 'prefs.json'), 'utf8')).displayName).toBe('Zoë 🎧');
  });
  it('ignores a corrupt or hostile file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'prefs.json'), '{not json');
    expect(new PrefsStore(dir).get()).toEqual(defaultPrefs());
    expect(
      sanitizePrefs({
        displayName: 5,
        recentHosts: ['ok', 7, 'x'.repeat(999)],
        hostPort: 99999,
        window: { width: -1, height: 5 },
      }),
    ).toEqual({
      ...defaultPrefs(),
      recentHosts: ['ok'],
    });
  });
  it('keeps the STUN server off by default and drops a malformed one from disk', () => {
    expect(defaultPrefs().stunServer).toBe('');
    expect(sanitizePrefs({ stunServer: ' stun.example.org:3478 ' }).stunServer).toBe('stun.example.org:3478');
    for (const bad of ['stun example', '[::1]:3478', 7, 'a'.repeat(5000)]) {
      expect(sanitizePrefs({ stunServer: bad }).stunServer).toBe('');
    }
  });
  it('keeps recents short and without duplicates', () => {
    let list: string[] = [];
    for (let i = 0; i < 20; i++) list = pushRecent(list, `h${i % 12}`);
    expect(list).toHaveLength(RECENT_LIMIT);
    expect(new Set(list).size).toBe(list.length);
    expect(list[0]).toBe('h7');
  });
});
