// Names that lie, from a server that does not keep the name rule (a spec server, or a hostile one):
// the app's join and leave notices put the name inside a sentence of our own, where the UI's <bdi>
// does not reach, so its hidden characters are marked instead of obeyed. Real sockets on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import { record, texts } from './service-recorder.js';
import { serviceFactory } from './test-services.js';
import { encodeJoinedEvent, encodeLeftEvent, LeftReason } from '../../../src-shared/protocol/index.js';
import { TincanFakeServer } from '../../../test/client/tincan-fake-server.js';

const makeService = serviceFactory();
let fake: TincanFakeServer | null = null;
afterEach(async () => {
  await fake?.stop();
  fake = null;
});

describe('names from a server that lets anything through', () => {
  it('are shown with U+FFFD for each bidi or invisible character in join and leave notices', async () => {
    fake = new TincanFakeServer();
    fake.roomExists = true;
    const { tcpPort, udpPort } = await fake.start();
    const service = makeService({ handshakeTimeoutMs: 2000, udpPort });
    const rec = record(service);
    const joined = await service.joinRoom({
      address: `127.0.0.1:${tcpPort}`,
      room: 'r',
      username: 'bob',
      password: '',
    });
    // The fake server knows our UDP endpoint once our hello is in: then its events reach us.
    await rec.until('the member list', () => (rec.views.get(joined.id)?.members.length ?? 0) > 0);

    fake.sendRaw(encodeJoinedEvent('\u202eecila', false));
    fake.sendRaw(encodeLeftEvent('\u200b', LeftReason.LEFT));
    await rec.until('both notices', () => texts(rec, joined.id).some((t) => t.endsWith('left the room.')));
    const notices = texts(rec, joined.id).filter((t) => t.includes('the room.'));
    expect(notices).toEqual(['\uFFFDecila joined the room.', '\uFFFD left the room.']);
  });
});
