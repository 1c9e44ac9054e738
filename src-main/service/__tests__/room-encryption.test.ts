// encrypted transport (#16 item 5) in the app's service, on real sockets: a room's view says how our
// own connection runs and which members are on plain ones, a host can make a room for encrypted
// members only (remembered for "Host again"), and a plain spec client is refused from it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Status } from '../../../src-shared/protocol/index.js';
import { roomEncryption } from '../../../src-shared/room-encryption.js';
import { handshake as rawHandshake, JOIN } from '../../../test/support/raw-tcrp.js';
import { RawMember } from '../../../test/support/raw-udp.js';
import { must } from '../../../test/support/must.js';
import { groupFingerprint } from '../../../src-shared/protocol/encrypted-transport.js';
import { record, texts } from './service-recorder.js';
import { dataFolderFactory } from './test-services.js';

const newDataFolder = dataFolderFactory();

describe('encryption in the room view', () => {
  it('names the member on a plain connection, and only it', async () => {
    const host = newDataFolder().start();
    const rec = record(host.service);
    const hosted = await host.service.hostRoom({
      room: 'den',
      username: 'alice',
      password: '',
      port: 0,
      bindHost: '127.0.0.1',
    });
    expect(hosted).toMatchObject({ transport: 'encrypted', encryptedOnly: false });
    const info = must(host.service.serverInfo(), 'server info');

    const member = newDataFolder().start();
    await member.service.joinRoom({ address: `127.0.0.1:${info.tcpPort}`, room: 'den', username: 'bob', password: '' });
    const spec = await RawMember.join({
      tcpPort: info.tcpPort,
      udpPort: info.udpPort,
      room: 'den',
      username: 'mallory',
      tincan: false,
    });
    try {
      await rec.until('alice to see three members', () => rec.views.get(hosted.id)?.members.length === 3);
      const view = must(rec.views.get(hosted.id), 'view');
      expect(view.members).toEqual([
        { name: 'alice', host: true, plain: false },
        { name: 'bob', host: false, plain: false },
        { name: 'mallory', host: false, plain: true },
      ]);
      expect(roomEncryption(view.transport, view.members)).toMatchObject({
        level: 'partly',
        label: 'Not all encrypted',
        plainMembers: ['mallory'],
      });
    } finally {
      spec.close();
    }
  });

  it('hosts a room for encrypted members only: our app joins, a spec client is refused', async () => {
    const folder = newDataFolder();
    const host = folder.start();
    const hosted = await host.service.hostRoom({
      room: 'vault',
      username: 'alice',
      password: 'pw',
      port: 0,
      bindHost: '127.0.0.1',
      encryptedOnly: true,
    });
    expect(hosted).toMatchObject({ transport: 'encrypted', encryptedOnly: true });
    const port = must(host.service.serverInfo(), 'server info').tcpPort;

    const member = newDataFolder().start();
    const joined = await member.service.joinRoom({
      address: `127.0.0.1:${port}`,
      room: 'vault',
      username: 'bob',
      password: 'pw',
    });
    expect(joined).toMatchObject({ transport: 'encrypted', encryptedOnly: true });
    expect((await rawHandshake(port, JOIN, 'vault', 'mallory', { password: 'pw' })).status).toBe(
      Status.ENCRYPTION_REQUIRED,
    );
    // "Host again" after a restart makes it encrypted-only again.
    const rooms = JSON.parse(readFileSync(join(folder.dir, 'rooms.json'), 'utf8')) as Array<Record<string, unknown>>;
    expect(rooms.find((r) => r['room'] === 'vault')).toMatchObject({ hosted: true, encryptedOnly: true });
  });

  it('says in the room when a host certificate is trusted on first use, with the fingerprint to compare', async () => {
    const host = newDataFolder().start();
    const hostRec = record(host.service);
    const hosted = await host.service.hostRoom({
      room: 'den',
      username: 'alice',
      password: '',
      port: 0,
      bindHost: '127.0.0.1',
    });
    const info = must(host.service.serverInfo(), 'server info');
    const fingerprint = must(hosted.share?.fingerprint, 'fingerprint');
    const firstUse = (t: string): boolean => t.startsWith('First encrypted connection');

    const folder = newDataFolder();
    const first = folder.start();
    const rec = record(first.service);
    const joined = await first.service.joinRoom({
      address: `127.0.0.1:${info.tcpPort}`,
      room: 'den',
      username: 'bob',
      password: '',
    });
    await rec.until('the first-use line', () => texts(rec, joined.id).some(firstUse));
    const line = must(texts(rec, joined.id).find(firstUse), 'first-use line');
    expect(line).toContain(`127.0.0.1:${info.tcpPort}`);
    expect(line).toContain(groupFingerprint(fingerprint));
    // The host's own client pins its server: nothing was trusted on first use there.
    expect(texts(hostRec, hosted.id).some(firstUse)).toBe(false);

    // The same data folder knows the host now: a second visit (the same room entry) adds no second line.
    await first.service.leaveRoom(joined.id);
    const again = await first.service.joinRoom({
      address: `127.0.0.1:${info.tcpPort}`,
      room: 'den',
      username: 'bob',
      password: '',
    });
    await rec.until('bob to see alice', () => (rec.views.get(again.id)?.members.length ?? 0) === 2);
    expect(again.id).toBe(joined.id);
    expect(texts(rec, again.id).filter(firstUse)).toHaveLength(1);
  });
});
