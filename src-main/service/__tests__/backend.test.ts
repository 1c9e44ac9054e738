// The backend both adapters build: a request through its dispatcher reaches a real service (hosting
// on loopback), and a successful host is remembered in the prefs of its data folder.
import { describe, expect, it } from 'vitest';
import { backendFactory } from './test-services.js';

const makeBackend = backendFactory();

describe('createBackend', () => {
  it('dispatches to the service and remembers what was hosted', async () => {
    const opened: string[] = [];
    const backend = makeBackend({ openExternal: (url) => void opened.push(url) });
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
