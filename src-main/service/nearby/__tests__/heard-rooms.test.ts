// The nearby-rooms adapter without a network: the records our responder sends, read back by the
// browser's table as another computer would receive them (TXT strings arrive as bytes), and crafted
// packets for each defect the reach notes list: goodbyes, expiry, the sender's address, floods.
import { describe, expect, it } from 'vitest';
import { encodeAdvertTxt } from '../../../../src-shared/nearby/advert.js';
import { HeardRooms } from '../heard-rooms.js';
import {
  announcement,
  answerQuery,
  goodbye,
  instanceName,
  RECORD_TTL_S,
  SERVICE_DOMAIN,
  type PublishedService,
  type ResponderHost,
} from '../mdns-records.js';
import type { DnsPacket } from '../mdns-transport.js';

const HOST: ResponderHost = { target: 'tincan-0a0b0c0d.local', addresses: ['172.17.0.1', '10.0.0.5'] };

function service(room: string, port = 7777, label = `${room} (laptop)`): PublishedService {
  return { label, port, txt: encodeAdvertTxt({ room, passwordRequired: false, fingerprint: null }), scope: null };
}

/** As multicast-dns hands a received packet over: TXT strings decoded as bytes. */
function received(packet: DnsPacket): DnsPacket {
  const bytes = (rr: NonNullable<DnsPacket['answers']>[number]) =>
    rr.type === 'TXT' ? { ...rr, data: (rr.data as string[]).map((s) => Buffer.from(s)) } : rr;
  return { ...packet, answers: packet.answers?.map(bytes), additionals: packet.additionals?.map(bytes) };
}

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('responder records', () => {
  it('answer a browse query with the room, its SRV/TXT and our addresses', () => {
    const reply = answerQuery([{ name: SERVICE_DOMAIN, type: 'PTR' }], [service('lobby')], HOST);
    expect(reply?.answers).toEqual([
      { name: SERVICE_DOMAIN, type: 'PTR', ttl: RECORD_TTL_S, data: instanceName('lobby (laptop)') },
    ]);
    expect(reply?.additionals?.map((r) => r.type)).toEqual(['SRV', 'TXT', 'A', 'A']);
    expect(answerQuery([{ name: '_other._tcp.local', type: 'PTR' }], [service('lobby')], HOST)).toBeNull();
    expect(answerQuery([{ name: SERVICE_DOMAIN, type: 'PTR' }], [], HOST)).toBeNull();
  });

  it('goodbyes are the same records with TTL 0', () => {
    const bye = goodbye([service('lobby')], HOST);
    expect(bye.answers?.map((r) => [r.type, r.ttl])).toEqual([
      ['PTR', 0],
      ['SRV', 0],
      ['TXT', 0],
    ]);
  });
});

describe('the heard-rooms table', () => {
  it('reads an announcement, dialling the sender rather than the advertised A records', () => {
    const table = new HeardRooms();
    expect(table.read(received(announcement(service('lobby'), HOST)), '192.168.1.9')).toBe(true);
    expect(table.rooms()).toEqual([
      expect.objectContaining({ room: 'lobby', address: '192.168.1.9', port: 7777, passwordRequired: false }),
    ]);
    // Hearing it again (another interface of the same host) changes nothing.
    expect(table.read(received(announcement(service('lobby'), HOST)), '10.0.0.5')).toBe(false);
    expect(table.rooms()).toHaveLength(1);
  });

  it('drops a room on its goodbye', () => {
    const table = new HeardRooms();
    table.read(received(announcement(service('lobby'), HOST)), '192.168.1.9');
    expect(table.read(received(goodbye([service('lobby')], HOST)), '192.168.1.9')).toBe(true);
    expect(table.rooms()).toEqual([]);
  });

  it('ignores a goodbye from another address (it cannot drop someone else’s room)', () => {
    const table = new HeardRooms();
    table.read(received(announcement(service('lobby'), HOST)), '192.168.1.9');
    expect(table.read(received(goodbye([service('lobby')], HOST)), '192.168.1.66')).toBe(false);
    expect(table.rooms()).toHaveLength(1);
  });

  it('lets only the first sender change a room: another address cannot swap its fingerprint or port', () => {
    const table = new HeardRooms();
    table.read(received(announcement(service('lobby'), HOST)), '192.168.1.9');
    const forged: PublishedService = {
      ...service('lobby', 6666),
      txt: encodeAdvertTxt({ room: 'lobby', passwordRequired: false, fingerprint: 'ab'.repeat(32) }),
    };
    expect(table.read(received(announcement(forged, HOST)), '192.168.1.66')).toBe(false);
    expect(table.rooms()).toEqual([expect.objectContaining({ address: '192.168.1.9', port: 7777, fingerprint: null })]);
    // The room's own address may change it.
    expect(table.read(received(announcement(forged, HOST)), '192.168.1.9')).toBe(true);
    expect(table.rooms()).toEqual([expect.objectContaining({ port: 6666, fingerprint: 'ab'.repeat(32) })]);
  });

  it('expires a room whose host vanished, after its TTL (capped)', () => {
    const time = clock();
    const table = new HeardRooms({ now: time.now, maxTtlS: 60 });
    const packet = received(announcement(service('lobby'), HOST));
    for (const rr of packet.answers ?? []) rr.ttl = 4_000_000;
    table.read(packet, '192.168.1.9');
    time.advance(59_000);
    expect(table.expire()).toBe(false);
    time.advance(1_000);
    expect(table.expire()).toBe(true);
    expect(table.rooms()).toEqual([]);
  });

  it('keeps two rooms of one name on two hosts apart', () => {
    const table = new HeardRooms();
    table.read(received(announcement(service('lobby'), HOST)), '192.168.1.9');
    table.read(received(announcement(service('lobby'), { ...HOST, target: 'tincan-ffff0000.local' })), '192.168.1.10');
    expect(table.rooms().map((r) => r.address)).toEqual(['192.168.1.9', '192.168.1.10']);
    expect(new Set(table.rooms().map((r) => r.key)).size).toBe(2);
  });

  it('refuses records that are not ours or not valid', () => {
    const table = new HeardRooms();
    const bad = (txt: string[], port = 7777): DnsPacket =>
      received(announcement({ label: `x${txt.join()}${port}`, port, txt, scope: null }, HOST));
    expect(table.read(bad(['room=a', 'v=1', 'pw=0']), '192.168.1.9')).toBe(false);
    expect(table.read(bad(['v=1', 'room=\u202eevil', 'pw=0']), '192.168.1.9')).toBe(false);
    expect(table.read(bad(['v=1', 'room=a', 'pw=0'], 0), '192.168.1.9')).toBe(false);
    const noSrv = received(announcement(service('lobby'), HOST));
    noSrv.answers = noSrv.answers?.filter((r) => r.type !== 'SRV');
    expect(table.read(noSrv, '192.168.1.9')).toBe(false);
    expect(table.rooms()).toEqual([]);
  });

  it('holds at most maxPerSender rooms from one address and maxEntries in all', () => {
    const table = new HeardRooms({ maxEntries: 5, maxPerSender: 3 });
    for (let i = 0; i < 100; i++) table.read(received(announcement(service(`junk ${i}`), HOST)), '192.168.1.66');
    expect(table.rooms()).toHaveLength(3);
    for (let i = 0; i < 4; i++) {
      const host = { ...HOST, target: `h${i}.local` };
      table.read(received(announcement(service(`real ${i}`), host)), `192.168.1.${i + 1}`);
    }
    expect(table.rooms()).toHaveLength(5);
    expect(table.rooms().filter((r) => r.room.startsWith('real'))).toHaveLength(2);
  });
});
