// Names that lie (issue 15): a right-to-left override that shows "ecila" as "alice", names made of
// invisible characters, names that read as a server notice, and look-alikes of a member already in the
// room. Each is sent as an attacker would, in a raw handshake, to a real server on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Operation, Status } from '../../src-shared/protocol/index.js';
import { request } from '../support/raw-tcrp.js';
import { FAST_OPTIONS, startServer, type TestServer } from '../support/server.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer(FAST_OPTIONS);
});
afterAll(async () => {
  await srv?.close();
});

const create = (room: string, username: string) =>
  request(srv.tcpPort, { room, operation: Operation.CREATE, payload: { username } });
const join = (room: string, username: string, tincan = true) =>
  request(srv.tcpPort, { room, payload: { username, tincan } });

describe('spoofed user names', () => {
  beforeAll(async () => {
    expect((await create('spoof', 'Alice')).status).toBe(Status.OK);
    expect((await join('spoof', 'Jos\u00e9')).status).toBe(Status.OK); // composed é
  });

  it('refuses a right-to-left override (BAD_REQUEST), from Tincan and plain clients', async () => {
    expect((await join('spoof', '\u202eecila')).status).toBe(Status.BAD_REQUEST);
    expect((await join('spoof', '\u202eecila', false)).status).toBe(Status.BAD_REQUEST);
    expect((await join('spoof', 'bob\u2066')).status).toBe(Status.BAD_REQUEST);
  });

  it('refuses a name made only of zero-width spaces, and invisible characters inside a name', async () => {
    expect((await join('spoof', '\u200b')).status).toBe(Status.BAD_REQUEST);
    expect((await join('spoof', '\u200b\u200b\u200b')).status).toBe(Status.BAD_REQUEST);
    expect((await join('spoof', 'Al\u2060ice')).status).toBe(Status.BAD_REQUEST);
    expect((await join('spoof', '\ufeffbob')).status).toBe(Status.BAD_REQUEST);
  });

  it('refuses names that would forge plain-dialect notices or chat lines', async () => {
    expect((await join('spoof', '* p1 left the room')).status).toBe(Status.BAD_REQUEST);
    expect((await join('spoof', '* p1 left the room', false)).status).toBe(Status.BAD_REQUEST);
    expect((await join('spoof', 'host: the room closes')).status).toBe(Status.BAD_REQUEST);
  });

  it('refuses look-alikes of a member with NAME_TAKEN: case, NFD, full-width, Cyrillic', async () => {
    for (const name of ['alice', 'ALICE', '\uff21lice', '\u0410lice', 'Jose\u0301', 'JOS\u00c9']) {
      expect((await join('spoof', name)).status, JSON.stringify(name)).toBe(Status.NAME_TAKEN);
    }
    expect((await join('spoof', 'Alicia')).status).toBe(Status.OK);
  });
});

describe('spoofed room names', () => {
  it('refuses bidi and invisible room names', async () => {
    expect((await create('\u202emoor', 'h')).status).toBe(Status.BAD_REQUEST);
    expect((await create('\u200b', 'h')).status).toBe(Status.BAD_REQUEST);
    expect((await create('* notice', 'h')).status).toBe(Status.BAD_REQUEST);
  });

  it('refuses to create a look-alike of an existing room (ROOM_EXISTS); joins name it exactly', async () => {
    expect((await create('Lobby', 'h')).status).toBe(Status.OK);
    expect((await create('lobby', 'h')).status).toBe(Status.ROOM_EXISTS);
    expect((await create('L\u043ebby', 'h')).status).toBe(Status.ROOM_EXISTS); // Cyrillic o
    expect((await join('lobby', 'x')).status).toBe(Status.NO_SUCH_ROOM);
    expect((await join('Lobby', 'x')).status).toBe(Status.OK);
  });
});
