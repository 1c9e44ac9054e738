// hostRoom's edges through the real backend (contract, dispatcher, service, embedded server on
// loopback): a privileged port, a missing interface and one that is not on offer are refused before
// anything listens; a named loopback interface still hosts.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import { checkHostBind } from '../host-checks.js';
import { ServiceError } from '../service-error.js';
import { backendFactory } from './test-services.js';
import { must } from '../../../test/support/must.js';

const makeBackend = backendFactory();
let backend: Backend;

function host(port: number, bindHost: string) {
  return backend.dispatch('hostRoom', { room: 'edge', username: 'carol', password: '', port, bindHost });
}

function reaches(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('hostRoom refusals', () => {
  it('refuses privileged ports and unnamed or unknown interfaces; nothing listens', async () => {
    backend = makeBackend();
    for (const port of [1, 80, 443, 1023])
      expect(await host(port, '127.0.0.1')).toMatchObject({ ok: false, code: 'PRIVILEGED_PORT' });
    expect(await host(0, '')).toMatchObject({ ok: false, code: 'BAD_ARGS' });
    expect(await host(0, '203.0.113.9')).toMatchObject({ ok: false, code: 'BAD_INTERFACE' });
    expect(await host(0, 'localhost')).toMatchObject({ ok: false, code: 'BAD_INTERFACE' });
    expect(backend.service.serverInfo()).toBeNull();
    expect(backend.service.listRooms()).toEqual([]);

    // The first unprivileged port is not refused for being low (it may be taken: any answer but ours).
    expect(await host(1024, '127.0.0.1')).not.toMatchObject({ code: 'PRIVILEGED_PORT' });
  });

  it('hosts on the interface the request names', async () => {
    backend = makeBackend();
    const hosted = await host(0, '127.0.0.1');
    expect(hosted).toMatchObject({ ok: true, value: { room: 'edge', state: 'connected' } });
    const info = must(backend.service.serverInfo(), 'the embedded server');
    expect(await reaches(info.tcpPort)).toBe(true);
    expect(backend.prefs.get().displayName).toBe('carol');
  });
});

describe('checkHostBind', () => {
  const choices = [
    { value: '0.0.0.0', label: 'all' },
    { value: '127.0.0.1', label: 'loopback' },
    { value: '192.168.1.5', label: 'eth0: 192.168.1.5' },
  ];
  const code = (fn: () => void) => {
    try {
      fn();
      return null;
    } catch (err) {
      return err instanceof ServiceError ? err.code : 'other';
    }
  };

  it('takes port 0, unprivileged ports and any offered interface', () => {
    expect(code(() => checkHostBind({ port: 0, bindHost: '192.168.1.5' }, choices))).toBeNull();
    expect(code(() => checkHostBind({ port: 65535, bindHost: '0.0.0.0' }, choices))).toBeNull();
    expect(code(() => checkHostBind({ port: 1024, bindHost: '127.0.0.1' }, choices))).toBeNull();
  });

  it('takes a port below 1024 only when the user confirmed it', () => {
    expect(
      code(() => checkHostBind({ port: 80, bindHost: '127.0.0.1', allowPrivilegedPort: true }, choices)),
    ).toBeNull();
    expect(code(() => checkHostBind({ port: 80, bindHost: '127.0.0.1', allowPrivilegedPort: false }, choices))).toBe(
      'PRIVILEGED_PORT',
    );
    // Confirming a port does not widen the interface check.
    expect(code(() => checkHostBind({ port: 80, bindHost: 'nowhere', allowPrivilegedPort: true }, choices))).toBe(
      'BAD_INTERFACE',
    );
  });

  it('refuses ports 1–1023 first, then interfaces not on offer', () => {
    expect(code(() => checkHostBind({ port: 22, bindHost: 'nowhere' }, choices))).toBe('PRIVILEGED_PORT');
    expect(code(() => checkHostBind({ port: 7777, bindHost: '::' }, choices))).toBe('BAD_INTERFACE');
    expect(code(() => checkHostBind({ port: 7777, bindHost: '' }, choices))).toBe('BAD_INTERFACE');
  });
});
