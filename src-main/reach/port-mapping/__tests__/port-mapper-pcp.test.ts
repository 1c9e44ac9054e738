// PortMapper against a scripted PCP server on a loopback UDP socket (real datagrams, RFC 6887 bytes):
// the MAP requests it sends (nonce per mapping, kept for renewals and the delete), what it concludes
// from each result code, its fallback to NAT-PMP on "unsupported version", and that junk from the
// router's port is ignored and counted. Debian's miniupnpd answers PCP in the lab test
// (test/reach/port-mapping-lab.test.ts); this covers the answers it never gives.
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { portMappingLine } from '../../../../src-shared/reach/port-mapping-status.js';
import { PortMapper } from '../port-mapper.js';

interface MapRequest {
  protocol: 'TCP' | 'UDP';
  lifetime: number;
  client: string;
  nonce: string;
  internalPort: number;
  externalPort: number;
}

interface Script {
  externalAddress?: string;
  /** The result code of every create (lifetime > 0) request. */
  result?: number;
  /** The lifetime granted to a create (default: the one asked for). */
  grantLifetime?: number;
  /** Answer PCP with a version-1 "unsupported version" header, and NAT-PMP properly. */
  onlyNatPmp?: boolean;
  /** Before each real answer, send these datagrams (built from the real one). */
  junk?: ((real: Buffer) => Buffer)[];
}

const gateways: Socket[] = [];
const mappers: PortMapper[] = [];

afterEach(async () => {
  await Promise.all(mappers.splice(0).map((m) => m.close()));
  for (const g of gateways.splice(0)) g.close();
});

function natPmpAnswer(msg: Buffer, externalAddress: string): Buffer {
  const op = msg.readUInt8(1);
  if (op === 0) {
    const reply = Buffer.alloc(12);
    reply.writeUInt8(128, 1);
    externalAddress.split('.').forEach((o, i) => reply.writeUInt8(Number(o), 8 + i));
    return reply;
  }
  const reply = Buffer.alloc(16);
  reply.writeUInt8(128 + op, 1);
  msg.copy(reply, 8, 4, 8); // internal and external port as asked
  reply.writeUInt32BE(msg.readUInt32BE(8), 12);
  return reply;
}

async function scriptedPcpGateway(script: Script): Promise<{ port: number; requests: MapRequest[]; natPmp: number }> {
  const socket = createSocket('udp4');
  gateways.push(socket);
  const state = { port: 0, requests: [] as MapRequest[], natPmp: 0 };
  const externalAddress = script.externalAddress ?? '203.0.113.9';
  socket.on('message', (msg, from) => {
    const send = (b: Buffer): void => void socket.send(b, from.port, from.address);
    if (msg.readUInt8(0) === 0) {
      state.natPmp += 1;
      if (script.onlyNatPmp) send(natPmpAnswer(msg, externalAddress));
      return;
    }
    if (script.onlyNatPmp) {
      const header = Buffer.alloc(24);
      header.writeUInt8(1, 0);
      header.writeUInt8(0x81, 1);
      header.writeUInt8(1, 3);
      send(header);
      return;
    }
    const lifetime = msg.readUInt32BE(4);
    const request: MapRequest = {
      protocol: msg.readUInt8(36) === 6 ? 'TCP' : 'UDP',
      lifetime,
      client: [...msg.subarray(20, 24)].join('.'),
      nonce: msg.subarray(24, 36).toString('hex'),
      internalPort: msg.readUInt16BE(40),
      externalPort: msg.readUInt16BE(42),
    };
    state.requests.push(request);
    const reply = Buffer.alloc(60);
    msg.copy(reply, 24, 24, 60); // nonce, protocol, internal port, suggestions
    reply.writeUInt8(2, 0);
    reply.writeUInt8(0x81, 1);
    const result = lifetime === 0 ? 0 : (script.result ?? 0);
    reply.writeUInt8(result, 3);
    reply.writeUInt32BE(lifetime === 0 ? 0 : (script.grantLifetime ?? lifetime), 4);
    reply.writeUInt32BE(500, 8);
    reply.fill(0, 44, 60);
    reply.writeUInt16BE(0xffff, 54);
    externalAddress.split('.').forEach((o, i) => reply.writeUInt8(Number(o), 56 + i));
    for (const make of script.junk ?? []) send(make(reply));
    send(reply);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  state.port = socket.address().port;
  return state;
}

function mapper(port: number): PortMapper {
  const m = new PortMapper({
    tcpPort: 7777,
    udpPort: 7778,
    natPmpGateway: '127.0.0.1',
    natPmpPort: port,
    natPmpTries: 2,
    ssdpSearchMs: 300,
  });
  mappers.push(m);
  return m;
}

describe('PortMapper over PCP', () => {
  it('maps TCP and UDP with one nonce each, learns the outside address, deletes both with lifetime 0', async () => {
    const gw = await scriptedPcpGateway({ externalAddress: '198.51.100.7' });
    const m = mapper(gw.port);
    const status = await m.start();
    expect(status).toMatchObject({
      kind: 'mapped',
      method: 'PCP',
      externalAddress: '198.51.100.7',
      externalPort: 7777,
    });
    expect(portMappingLine(status, 7777)).toMatch(/^Mapped via PCP: .*198\.51\.100\.7:7777/);
    const [tcp, udp] = gw.requests;
    expect(tcp).toMatchObject({ protocol: 'TCP', lifetime: 7200, client: '127.0.0.1', internalPort: 7777 });
    expect(udp).toMatchObject({ protocol: 'UDP', lifetime: 7200, internalPort: 7778, externalPort: 7777 });
    expect(tcp?.nonce).toMatch(/^[0-9a-f]{24}$/);
    expect(tcp?.nonce).not.toBe(udp?.nonce);
    expect(gw.natPmp).toBe(0);

    await m.close();
    expect(gw.requests.slice(2)).toEqual(
      expect.arrayContaining([
        { ...tcp, lifetime: 0 },
        { ...udp, lifetime: 0 },
      ]),
    );
    expect(gw.requests).toHaveLength(4);
  });

  it('honours a shorter lifetime: renews at half of it, with the same nonces', async () => {
    const gw = await scriptedPcpGateway({ grantLifetime: 2 });
    const m = mapper(gw.port);
    await m.start();
    const renewed = new Promise<{ leaseSeconds: number }>((resolve) => m.once('renewed', resolve));
    const startedAt = Date.now();
    expect(await renewed).toEqual({ leaseSeconds: 2 });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
    const [tcp, udp, tcpAgain, udpAgain] = gw.requests;
    expect(tcpAgain).toEqual({ ...tcp, lifetime: 2 });
    expect(udpAgain).toEqual({ ...udp, lifetime: 2 });
  });

  it('ignores and counts answers with the wrong nonce, protocol, port, opcode or length', async () => {
    const gw = await scriptedPcpGateway({
      junk: [
        (r) => Buffer.concat([r.subarray(0, 24), Buffer.alloc(12, 9), r.subarray(36)]), // another nonce
        (r) => Buffer.concat([r.subarray(0, 36), Buffer.from([99]), r.subarray(37)]), // another protocol
        (r) => Buffer.concat([r.subarray(0, 40), Buffer.from([0, 1]), r.subarray(42)]), // another port
        (r) => Buffer.concat([r.subarray(0, 1), Buffer.from([0x82]), r.subarray(2)]), // another opcode
        (r) => r.subarray(0, 58), // wrong length
        () => Buffer.alloc(2000, 0xff), // oversized
      ],
    });
    const m = mapper(gw.port);
    expect(await m.start()).toMatchObject({ kind: 'mapped', method: 'PCP' });
    // Six junk datagrams before each of the two answers.
    expect(m.ignoredGatewayReplies).toBe(12);
  });

  it('"not authorized" is a refusal with the reason; nothing was mapped, so nothing is deleted', async () => {
    const gw = await scriptedPcpGateway({ result: 2 });
    const m = mapper(gw.port);
    const status = await m.start();
    expect(status).toMatchObject({ kind: 'refused', method: 'PCP' });
    expect(status.detail).toMatch(/not authorized/);
    await m.close();
    expect(gw.requests.every((r) => r.lifetime !== 0)).toBe(true);
  });

  it('"network failure" and "address mismatch" mean another NAT', async () => {
    for (const result of [7, 12]) {
      const gw = await scriptedPcpGateway({ result });
      const status = await mapper(gw.port).start();
      expect(status).toMatchObject({ kind: 'double-nat', method: 'PCP' });
      expect(portMappingLine(status, 7777)).toMatch(/^Double NAT: /);
    }
  });

  it('a private outside address in the MAP answer is double NAT; 100.64/10 is carrier-grade NAT', async () => {
    const priv = await scriptedPcpGateway({ externalAddress: '192.168.1.2' });
    expect(await mapper(priv.port).start()).toMatchObject({ kind: 'double-nat', externalAddress: '192.168.1.2' });
    const cgnat = await scriptedPcpGateway({ externalAddress: '100.100.1.2' });
    expect(await mapper(cgnat.port).start()).toMatchObject({ kind: 'cgnat', externalAddress: '100.100.1.2' });
  });

  it('a router of another PCP version (UNSUPP_VERSION) is mapped with NAT-PMP instead', async () => {
    const gw = await scriptedPcpGateway({ onlyNatPmp: true, externalAddress: '198.51.100.8' });
    const status = await mapper(gw.port).start();
    expect(status).toMatchObject({ kind: 'mapped', method: 'NAT-PMP', externalAddress: '198.51.100.8' });
    expect(gw.natPmp).toBe(3); // external address, TCP, UDP
  });
});
