// "Make this room reachable from the internet" through the real service and engine: the router's
// answer reaches the hosted room's share (the invite panel). The router itself is tested in
// test/reach/port-mapping-lab.test.ts; here no router answers, which is this machine's real network.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatService } from '../chat-service.js';
import { realFactories } from '../factories.js';
import { record } from './service-recorder.js';
import { dataFolderFactory } from './test-services.js';

const newDataFolder = dataFolderFactory();

const services: ChatService[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.shutdown(2000)));
});

function service(): ChatService {
  // NAT-PMP asks loopback (nobody there), once; the SSDP search is short.
  const s = new ChatService({
    factories: realFactories,
    clientDefaults: { handshakeTimeoutMs: 2000 },
    portMapper: { natPmpGateway: '127.0.0.1', natPmpTries: 1, ssdpSearchMs: 300 },
  });
  services.push(s);
  return s;
}

const host = { room: 'porch', username: 'alice', password: '', port: 0 };

describe('hosted port mapping', () => {
  it('is absent from the share unless asked for', async () => {
    const view = await service().hostRoom({ ...host, bindHost: '127.0.0.1' });
    expect(view.share?.portMapping).toBeNull();
  });

  it('a room on loopback is LAN-only without asking any router', async () => {
    const s = service();
    const rec = record(s);
    const view = await s.hostRoom({ ...host, bindHost: '127.0.0.1', upnp: true });
    await rec.until('the mapping status', () => rec.views.get(view.id)?.share?.portMapping?.kind === 'lan-only');
    const share = rec.views.get(view.id)?.share;
    expect(share?.portMapping).toEqual({
      kind: 'lan-only',
      line: 'LAN only (the server listens on this computer only): people on this network can join; nothing was opened on the router.',
      externalAddress: null,
    });
    expect(share?.addresses[0]).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('on all interfaces with no router answering: the line says so, hosting goes on', async () => {
    const s = service();
    const rec = record(s);
    const view = await s.hostRoom({ ...host, bindHost: '0.0.0.0', upnp: true });
    expect(view.state).toBe('connected');
    await rec.until(
      'the router search to end',
      () => rec.views.get(view.id)?.share?.portMapping?.kind === 'no-gateway',
      5000,
    );
    const share = rec.views.get(view.id)?.share;
    expect(share?.portMapping?.line).toMatch(/^No router answered .*forward TCP and UDP port \d+/);
    expect(share?.portMapping?.externalAddress).toBeNull();
    expect(share?.invite).not.toContain('undefined');
  });

  it('hosting the room again, in this run or after a restart, asks the router again', async () => {
    const folder = newDataFolder();
    const first = folder.start({ nearby: false });
    const rec = record(first.service);
    const view = await first.service.hostRoom({ ...host, bindHost: '127.0.0.1', upnp: true });
    const mapping = () => rec.views.get(view.id)?.share?.portMapping?.kind;
    await rec.until('the first mapping status', () => mapping() === 'lan-only');
    await first.service.closeRoom(view.id);

    // The Host form again, same room: the existing entry is hosted again, and asks again.
    rec.updates.length = 0;
    await first.service.hostRoom({ ...host, bindHost: '127.0.0.1', upnp: true });
    await rec.until('the second mapping status', () =>
      rec.updates.some((v) => v.id === view.id && v.share?.portMapping?.kind === 'lan-only'),
    );
    const rooms = JSON.parse(readFileSync(join(folder.dir, 'rooms.json'), 'utf8')) as Array<Record<string, unknown>>;
    expect(rooms.find((r) => r['room'] === 'porch')).toMatchObject({ hosted: true, upnp: true });
    await first.service.shutdown(2000);

    // "Host again" after a restart.
    const again = folder.start({ nearby: false });
    const rec2 = record(again.service);
    const remembered = again.service.listRooms().find((r) => r.room === 'porch' && r.remembered);
    const hostedAgain = await again.service.rejoinRoom(remembered?.id ?? 'missing');
    await rec2.until(
      'the mapping status after the restart',
      () => rec2.views.get(hostedAgain.id)?.share?.portMapping?.kind === 'lan-only',
    );
  });
});
