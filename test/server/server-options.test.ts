// The option merge and the socket binding both servers share (options.ts, listen.ts).
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { bindUdp, closeTcp, listenTcp, resolveHost, udpTypeFor } from '../../src-main/engine/server/listen.js';
import { DEFAULT_SERVER_OPTIONS, resolveServerOptions } from '../../src-main/engine/server/options.js';

describe('resolveServerOptions', () => {
  it('takes what is given over the defaults, and an explicit undefined as not given', () => {
    const options = resolveServerOptions({ port: 0, maxRooms: 3, host: undefined, udpPort: null });
    expect(options).toEqual({ ...DEFAULT_SERVER_OPTIONS, port: 0, maxRooms: 3, udpPort: null });
  });

  it('leaves out keys that are not options, and never changes the defaults', () => {
    const given = { port: 1, logger: 'not an option', workers: 4 };
    const options = resolveServerOptions(given);
    expect(Object.keys(options).sort()).toEqual(Object.keys(DEFAULT_SERVER_OPTIONS).sort());
    expect(DEFAULT_SERVER_OPTIONS.port).toBe(7777);
  });
});

describe('socket binding', () => {
  it('resolves a host name once and picks the UDP family from the address', async () => {
    expect(await resolveHost('127.0.0.1')).toBe('127.0.0.1');
    expect(await resolveHost('::1')).toBe('::1');
    expect(['127.0.0.1', '::1']).toContain(await resolveHost('localhost'));
    expect(udpTypeFor('10.0.0.1')).toBe('udp4');
    expect(udpTypeFor('::')).toBe('udp6');
  });

  it('listens on TCP and binds UDP to the same free port, and reports the ports bound', async () => {
    const tcp = createServer();
    const port = await listenTcp(tcp, '127.0.0.1', 0);
    expect(port).toBeGreaterThan(0);
    const udp = createSocket('udp4');
    expect(await bindUdp(udp, { address: '127.0.0.1', port })).toBe(port);
    // The bind error rejects, and the listener waiting for it is gone afterwards.
    const second = createServer();
    await expect(listenTcp(second, '127.0.0.1', port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(second.listenerCount('error')).toBe(0);
    const taken = createSocket('udp4');
    await expect(bindUdp(taken, { address: '127.0.0.1', port, exclusive: true })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    taken.close();
    udp.close();
    await closeTcp(tcp);
    expect(tcp.listening).toBe(false);
  });
});
