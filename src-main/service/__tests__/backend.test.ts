// The backend both adapters build: a request through its dispatcher reaches a real service (hosting
// on loopback), and a successful host is remembered in the prefs of its data folder.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../engine/index.js';
import { createBackend } from '../backend.js';
import { backendFactory, dataFolderFactory } from './test-services.js';

const makeBackend = backendFactory();
const makeDataFolder = dataFolderFactory();

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

// encrypted transport (#16)
describe('createBackend: encrypted transport', () => {
  it('hosts over TLS with an identity kept in the data folder; the invite carries its fingerprint', async () => {
    const host = makeBackend();
    const member = makeBackend();
    const hosted = await host.service.hostRoom({
      room: 'den',
      username: 'carol',
      password: 'pw',
      port: 0,
      bindHost: '127.0.0.1',
    });
    const fingerprint = hosted.share?.fingerprint;
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(hosted.share?.invite).toContain(`Host fingerprint: ${fingerprint}`);
    expect(hosted.share?.invite).toContain(`&fp=${fingerprint}`);
    // The member's client speaks TLS and learns the certificate on first use.
    const port = host.service.serverInfo()?.tcpPort;
    const seen = await member.service.joinRoom({
      address: `127.0.0.1:${port}`,
      room: 'den',
      username: 'dan',
      password: 'pw',
    });
    expect(seen.state).toBe('connected');
    const knownHosts = join(member.dataDir, 'known-hosts.json');
    expect(JSON.parse(readFileSync(knownHosts, 'utf8'))).toEqual({ [`127.0.0.1:${port}`]: fingerprint });
  });

  it('keeps the host identity across a restart of the app: same data folder, same fingerprint', async () => {
    const den = { room: 'den', username: 'carol', password: '', port: 0, bindHost: '127.0.0.1' };
    const first = makeBackend();
    const fingerprint = (await first.service.hostRoom(den)).share?.fingerprint;
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(first.dataDir, 'identity', 'host-key.pem')).mode & 0o777).toBe(0o600);
    await first.service.shutdown(2000);
    const again = createBackend({ dataDir: first.dataDir, logger: silentLogger, nearby: false });
    try {
      expect((await again.service.hostRoom(den)).share?.fingerprint).toBe(fingerprint);
    } finally {
      await again.service.shutdown(2000);
    }
  });
});

// encrypted transport (#16): the join form's pin
/** Hosts "den" (no password) over TLS on loopback; the address members dial and the fingerprint. */
async function hostDen(host: ReturnType<typeof makeBackend>) {
  const hosted = await host.service.hostRoom({
    room: 'den',
    username: 'carol',
    password: '',
    port: 0,
    bindHost: '127.0.0.1',
  });
  return { fingerprint: hosted.share?.fingerprint ?? '', address: `127.0.0.1:${host.service.serverInfo()?.tcpPort}` };
}

describe('createBackend: a fingerprint given with the join', () => {
  it('joins when the host presents the pinned certificate', async () => {
    const { fingerprint, address } = await hostDen(makeBackend());
    const member = makeBackend();
    const seen = await member.service.joinRoom({ address, room: 'den', username: 'dan', password: '', fingerprint });
    expect(seen.state).toBe('connected');
  });

  it('refuses any other certificate with CERTIFICATE_MISMATCH, even for a host it never met', async () => {
    const { fingerprint, address } = await hostDen(makeBackend());
    const other = fingerprint.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const member = makeBackend();
    await expect(
      member.service.joinRoom({ address, room: 'den', username: 'dan', password: '', fingerprint: other }),
    ).rejects.toMatchObject({ code: 'CERTIFICATE_MISMATCH' });
    // Nothing was learnt from the refused host.
    expect(existsSync(join(member.dataDir, 'known-hosts.json'))).toBe(false);
  });
});

describe('createBackend: a known host whose certificate changed', () => {
  it('reports both fingerprints; trusting the presented one lets the join through', async () => {
    const host = makeBackend();
    const { fingerprint: presented, address } = await hostDen(host);
    // The member met a host at this address before, with another certificate.
    const known = 'ab'.repeat(32);
    const folder = makeDataFolder();
    writeFileSync(join(folder.dir, 'known-hosts.json'), JSON.stringify({ [address]: known }));
    const member = folder.start({ nearby: false });
    const join1 = { address, room: 'den', username: 'dan', password: '' };
    const port = Number(address.split(':')[1]);

    const refused = await member.dispatch('joinRoom', join1);
    expect(refused).toMatchObject({
      ok: false,
      code: 'CERTIFICATE_CHANGED',
      certificateChange: { host: '127.0.0.1', port, known, presented },
    });
    // Only the certificate the host presented can be trusted.
    expect(
      await member.dispatch('trustHostCertificate', { host: '127.0.0.1', port, fingerprint: 'cd'.repeat(32) }),
    ).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await member.dispatch('joinRoom', join1)).toMatchObject({ ok: false, code: 'CERTIFICATE_CHANGED' });

    expect(await member.dispatch('trustHostCertificate', { host: '127.0.0.1', port, fingerprint: presented })).toEqual({
      ok: true,
      value: null,
    });
    expect(JSON.parse(readFileSync(join(folder.dir, 'known-hosts.json'), 'utf8'))).toEqual({ [address]: presented });
    expect(await member.dispatch('joinRoom', join1)).toMatchObject({ ok: true, value: { state: 'connected' } });
  });
});

describe('createBackend: how the password would travel to a host', () => {
  it('is unknown before the first contact, encrypted after one over TLS', async () => {
    const { address } = await hostDen(makeBackend());
    const member = makeBackend();
    expect(await member.dispatch('knownHostTransport', { address })).toEqual({ ok: true, value: 'unknown' });
    await member.service.joinRoom({ address, room: 'den', username: 'dan', password: '' });
    expect(await member.dispatch('knownHostTransport', { address })).toEqual({ ok: true, value: 'encrypted' });
    expect(await member.dispatch('knownHostTransport', { address: 'not an address' })).toEqual({
      ok: true,
      value: 'unknown',
    });
  });

  it('is plain for a host met without TLS', async () => {
    const folder = makeDataFolder();
    writeFileSync(join(folder.dir, 'known-hosts.json'), JSON.stringify({ '10.0.0.9:7777': 'plain' }));
    const member = folder.start({ nearby: false });
    expect(await member.dispatch('knownHostTransport', { address: '10.0.0.9' })).toEqual({ ok: true, value: 'plain' });
  });
});
