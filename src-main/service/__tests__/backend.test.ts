// The backend both adapters build: a request through its dispatcher reaches a real service (hosting
// on loopback), and a successful host is remembered in the prefs of its data folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../backend.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
let dir: string;
let backend: Backend;

afterEach(async () => {
  await backend.service.shutdown(2000);
  rmSync(dir, { recursive: true, force: true });
});

describe('createBackend', () => {
  it('dispatches to the service and remembers what was hosted', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tincan-backend-'));
    const opened: string[] = [];
    backend = createBackend({ dataDir: dir, logger: silent, hooks: { openExternal: (url) => void opened.push(url) } });
    const hosted = await backend.dispatch('hostRoom', {
      room: 'den',
      username: 'carol',
      password: '',
      port: 0,
      bindHost: '127.0.0.1',
    });
    expect(hosted).toMatchObject({ ok: true, value: { room: 'den', hosted: true, state: 'connected' } });
    expect(backend.prefs.get()).toMatchObject({ displayName: 'carol', recentRooms: ['den'] });
    expect(await backend.dispatch('listRooms', {})).toMatchObject({ ok: true, value: [{ room: 'den' }] });
    expect(await backend.dispatch('openExternal', { url: 'https://example.com/' })).toEqual({ ok: true, value: null });
    expect(opened).toEqual(['https://example.com/']);
  });
});
