// History and remembered rooms across a restart of the backend (#14 item 2): real backends on a real
// data folder, real servers and clients on loopback. A "restart" is a shutdown and a new backend on
// the same folder, as the app quitting and starting again.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChatEntry } from '../../../src-shared/ipc/contract.js';
import type { Backend } from '../backend.js';
import { FIRST_PAGE } from '../chat-service.js';
import type { SecretStore } from '../secret-store.js';
import { ServiceError } from '../service-error.js';
import { record, texts } from './service-recorder.js';
import { dataFolderFactory } from './test-services.js';
import { must } from '../../../test/support/must.js';

const newDataFolder = dataFolderFactory();
const PASSWORD = 'Tr0ub4dor-history';

/** A stand-in for the OS secret store: reversible, and never the password's own bytes. */
const sealingSecrets: SecretStore = {
  isAvailable: () => true,
  encrypt: (plain) => Buffer.from(Buffer.from(plain, 'utf8').map((b) => b ^ 0x5a)).toString('hex'),
  decrypt: (sealed) => Buffer.from(Buffer.from(sealed, 'hex').map((b) => b ^ 0x5a)).toString('utf8'),
};

async function failure(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ServiceError);
  return (err as ServiceError).code;
}

async function host(backend: Backend, room = 'den', password = PASSWORD) {
  const view = await backend.service.hostRoom({ room, username: 'alice', password, port: 0, bindHost: '127.0.0.1' });
  return { view, port: must(backend.service.serverInfo(), 'server info').tcpPort };
}

const chatTexts = (entries: ChatEntry[]) => entries.filter((e) => e.kind === 'chat').map((e) => e.text);

/** Every file under `dir`, as bytes. */
function folderBytes(dir: string): Buffer[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => readFileSync(path));
}

describe('history kept across a restart', () => {
  it('lists the room again with its history, rejoins it, and the catch-up adds no duplicates', async () => {
    const hostBackend = newDataFolder().start();
    const { view: hosted, port } = await host(hostBackend);
    const memberFolder = newDataFolder();
    const member = memberFolder.start();
    const recMember = record(member.service);
    const joined = await member.service.joinRoom({
      address: `127.0.0.1:${port}`,
      room: 'den',
      username: 'bob',
      password: PASSWORD,
    });
    hostBackend.service.sendMessage(hosted.id, 'from alice');
    await recMember.until('the line from alice', () => texts(recMember, joined.id).includes('from alice'));
    member.service.sendMessage(joined.id, 'from bob');
    await recMember.until('bob own line acknowledged', () =>
      (recMember.entries.get(joined.id) ?? []).some((e) => e.kind === 'chat' && e.own && !e.pending),
    );
    await member.service.shutdown(2000);

    const again = memberFolder.start();
    const [remembered] = again.service.listRooms();
    expect(remembered).toMatchObject({
      room: 'den',
      server: `127.0.0.1:${port}`,
      username: 'bob',
      state: 'closed',
      remembered: true,
      passwordProtected: true,
    });
    const roomId = must(remembered, 'remembered room').id;
    expect(chatTexts(again.service.getHistory(roomId))).toEqual(['from alice', 'from bob']);

    // No secret store here: the password was not kept, so it is asked for.
    expect(await failure(again.service.rejoinRoom(roomId))).toBe('PASSWORD_REQUIRED');
    const rec = record(again.service);
    await again.service.rejoinRoom(roomId, PASSWORD);
    hostBackend.service.sendMessage(hosted.id, 'after the restart');
    // The server's catch-up (both lines) comes before live chat, so it has been handled by now.
    await rec.until('the live line', () => texts(rec, roomId).includes('after the restart'));
    expect(chatTexts(again.service.getHistory(roomId))).toEqual(['from alice', 'from bob', 'after the restart']);
    expect(texts(rec, roomId).some((t) => t.includes('earlier message'))).toBe(false);
  });

  it('hosts again on the same port with the sealed password, and never writes the password in clear', async () => {
    const folder = newDataFolder();
    const first = folder.start({ secrets: sealingSecrets });
    const { view: hosted, port } = await host(first);
    first.service.sendMessage(hosted.id, 'before the restart');
    await first.service.shutdown(2000);

    const again = folder.start({ secrets: sealingSecrets });
    const [remembered] = again.service.listRooms();
    expect(remembered).toMatchObject({ room: 'den', hosted: true, state: 'closed', remembered: true });
    const view = await again.service.rejoinRoom(must(remembered, 'remembered room').id);
    expect(view).toMatchObject({ state: 'connected', remembered: false, passwordProtected: true });
    expect(again.service.serverInfo()?.tcpPort).toBe(port);

    const member = newDataFolder().start();
    const address = `127.0.0.1:${port}`;
    expect(await failure(member.service.joinRoom({ address, room: 'den', username: 'bob', password: '' }))).toBe(
      'PASSWORD_REQUIRED',
    );
    await member.service.joinRoom({ address, room: 'den', username: 'bob', password: PASSWORD });
    await again.service.shutdown(2000);

    if (process.platform !== 'win32') expect(statSync(join(folder.dir, 'rooms.json')).mode & 0o777).toBe(0o600);
    const files = folderBytes(folder.dir);
    expect(files.length).toBeGreaterThan(0);
    for (const bytes of files) {
      expect(bytes.includes(PASSWORD)).toBe(false);
      expect(bytes.includes(Buffer.from(PASSWORD).toString('base64'))).toBe(false);
    }
  });

  it('without a secret store keeps no password at all and asks before hosting again', async () => {
    const folder = newDataFolder();
    const first = folder.start();
    await host(first);
    await first.service.shutdown(2000);
    for (const bytes of folderBytes(folder.dir)) expect(bytes.includes(PASSWORD)).toBe(false);

    const again = folder.start();
    const roomId = must(again.service.listRooms()[0], 'remembered room').id;
    expect(await failure(again.service.rejoinRoom(roomId))).toBe('PASSWORD_REQUIRED');
    expect(again.service.serverInfo()).toBeNull();
    expect(await again.service.rejoinRoom(roomId, PASSWORD)).toMatchObject({ state: 'connected', hosted: true });
  });

  it('shows the newest page first and older pages on request, until the start', async () => {
    const folder = newDataFolder();
    const first = folder.start();
    const { view: hosted } = await host(first, 'busy', '');
    const rec = record(first.service);
    const member = newDataFolder().start();
    const address = `127.0.0.1:${first.service.serverInfo()?.tcpPort}`;
    const joined = await member.service.joinRoom({ address, room: 'busy', username: 'bob', password: '' });
    // Two senders, each within the server's burst allowance (a member may send 200 at once).
    const total = FIRST_PAGE + 60;
    const half = total / 2;
    const chatSeen = () => chatTexts(rec.entries.get(hosted.id) ?? []).length;
    const acknowledged = () =>
      (rec.entries.get(hosted.id) ?? []).filter((e) => e.kind === 'chat' && e.own && !e.pending).length;
    for (let i = 0; i < half; i++) first.service.sendMessage(hosted.id, `line ${i}`);
    await rec.until('alice lines acknowledged', () => acknowledged() === half);
    for (let i = half; i < total; i++) member.service.sendMessage(joined.id, `line ${i}`);
    await rec.until('bob lines received', () => chatSeen() === total);
    await first.service.shutdown(2000);

    const again = folder.start();
    const roomId = must(again.service.listRooms()[0], 'remembered room').id;
    const page = again.service.getHistory(roomId);
    expect(page).toHaveLength(FIRST_PAGE);
    const older = await again.dispatch('getOlderHistory', { roomId, before: must(page[0], 'oldest').key, limit: 500 });
    expect(older.ok).toBe(true);
    const olderEntries = (older as { value: ChatEntry[] }).value;
    const all = [...olderEntries, ...page];
    expect(chatTexts(all)).toEqual(Array.from({ length: total }, (_, i) => `line ${i}`));
    expect(all[0]?.text).toMatch(/You are hosting/);
    expect(await again.dispatch('getOlderHistory', { roomId, before: must(all[0], 'first').key, limit: 500 })).toEqual({
      ok: true,
      value: [],
    });
  });

  it('clears one room, and keeps nothing new while history is off', async () => {
    const folder = newDataFolder();
    const first = folder.start();
    const { view: hosted } = await host(first, 'den', '');
    first.service.sendMessage(hosted.id, 'to be cleared');
    expect(await first.dispatch('clearHistory', { roomId: hosted.id })).toEqual({ ok: true, value: null });
    expect(first.service.getHistory(hosted.id)).toEqual([]);
    expect(await first.dispatch('setPrefs', { keepHistory: false })).toMatchObject({ ok: true });
    first.service.sendMessage(hosted.id, 'said while history is off');
    await first.service.shutdown(2000);

    const again = folder.start();
    const roomId = must(again.service.listRooms()[0], 'remembered room').id;
    expect(again.service.getHistory(roomId)).toEqual([]);
    await again.dispatch('setPrefs', { keepHistory: true });
    await again.service.rejoinRoom(roomId);
    await again.service.shutdown(2000);
    const third = folder.start();
    const texts3 = third.service.getHistory(must(third.service.listRooms()[0], 'room').id).map((e) => e.text);
    expect(texts3).toContain('You are hosting the room again.');
    expect(texts3.join('\n')).not.toMatch(/to be cleared|history is off/);
  });

  it('forgets a dismissed room', async () => {
    const folder = newDataFolder();
    const first = folder.start();
    const { view } = await host(first, 'den', '');
    await first.service.dismissRoom(view.id);
    await first.service.shutdown(2000);
    expect(folder.start().service.listRooms()).toEqual([]);
  });
});
