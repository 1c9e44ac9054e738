// PortMapper against a scripted NAT-PMP gateway on a loopback UDP socket (real datagrams, RFC 6886
// bytes; PCP requests get NAT-PMP's "unsupported version", so the mapper falls back): what it asks for, what it concludes from the answers, and what it deletes on close. The real
// router (miniupnpd) is in test/reach/port-mapping-lab.test.ts; this covers answers miniupnpd never
// gives (a carrier-grade NAT address, another external port, a refusal).
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { portMappingLine } from '../../../../src-shared/reach/port-mapping-status.js';
import { loopbackMappers } from './loopback-mappers.js';

interface MapRequest {
  protocol: 'UDP' | 'TCP';
  internalPort: number;
  externalPort: number;
  lifetime: number;
}

interface Script {
  externalAddress: string;
  /** The external port granted for a TCP request (default: the one asked for). */
  grantTcpPort?: number;
  /** The lifetime granted (default: the one asked for). */
  grantLifetime?: number;
  /** A result code for every mapping request (default 0, success). */
  mapResult?: number;
}

const gateways: Socket[] = [];
const mapper = loopbackMappers();

afterEach(async () => {
  for (const g of gateways.splice(0)) g.close();
});

async function scriptedGateway(script: Script): Promise<{ port: number; requests: MapRequest[] }> {
  const socket = createSocket('udp4');
  gateways.push(socket);
  const requests: MapRequest[] = [];
  socket.on('message', (msg, from) => {
    const op = msg.readUInt8(1);
    if (msg.readUInt8(0) !== 0) {
      // A NAT-PMP-only router answers PCP (version 2) with "unsupported version" (RFC 6886 §3.5).
      const reply = Buffer.alloc(8);
      reply.writeUInt8(128 + op, 1);
      reply.writeUInt16BE(1, 2);
      socket.send(reply, from.port, from.address);
      return;
    }
    if (op === 0) {
      const reply = Buffer.alloc(12);
      reply.writeUInt8(128, 1);
      reply.writeUInt32BE(100, 4);
      script.externalAddress.split('.').forEach((o, i) => reply.writeUInt8(Number(o), 8 + i));
      socket.send(reply, from.port, from.address);
      return;
    }
    const request: MapRequest = {
      protocol: op === 1 ? 'UDP' : 'TCP',
      internalPort: msg.readUInt16BE(4),
      externalPort: msg.readUInt16BE(6),
      lifetime: msg.readUInt32BE(8),
    };
    requests.push(request);
    const reply = Buffer.alloc(16);
    reply.writeUInt8(128 + op, 1);
    reply.writeUInt16BE(request.lifetime === 0 ? 0 : (script.mapResult ?? 0), 2);
    reply.writeUInt32BE(100, 4);
    reply.writeUInt16BE(request.internalPort, 8);
    const granted = request.protocol === 'TCP' && script.grantTcpPort ? script.grantTcpPort : request.externalPort;
    reply.writeUInt16BE(request.lifetime === 0 ? 0 : granted, 10);
    reply.writeUInt32BE(request.lifetime === 0 ? 0 : (script.grantLifetime ?? request.lifetime), 12);
    socket.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, requests };
}

describe('PortMapper over NAT-PMP', () => {
  it('maps TCP then UDP (on the same external port) for 2 h, and deletes both on close', async () => {
    const gw = await scriptedGateway({ externalAddress: '198.51.100.7', grantTcpPort: 40000 });
    const m = mapper(gw.port);
    const status = await m.start();
    expect(status).toMatchObject({
      kind: 'mapped',
      method: 'NAT-PMP',
      externalAddress: '198.51.100.7',
      externalPort: 40000,
      externalUdpPort: 40000,
    });
    expect(gw.requests).toEqual([
      { protocol: 'TCP', internalPort: 7777, externalPort: 7777, lifetime: 7200 },
      { protocol: 'UDP', internalPort: 7778, externalPort: 40000, lifetime: 7200 },
    ]);
    await m.close();
    expect(gw.requests.slice(2)).toEqual(
      expect.arrayContaining([
        { protocol: 'TCP', internalPort: 7777, externalPort: 0, lifetime: 0 },
        { protocol: 'UDP', internalPort: 7778, externalPort: 0, lifetime: 0 },
      ]),
    );
    expect(gw.requests).toHaveLength(4);
  });

  it('an outside address in 100.64.0.0/10 is carrier-grade NAT', async () => {
    const gw = await scriptedGateway({ externalAddress: '100.72.1.2' });
    const status = await mapper(gw.port).start();
    expect(status).toMatchObject({ kind: 'cgnat', externalAddress: '100.72.1.2' });
    expect(portMappingLine(status, 7777)).toMatch(/^Carrier-grade NAT: .*100\.72\.1\.2/);
  });

  it('a private outside address is double NAT', async () => {
    const gw = await scriptedGateway({ externalAddress: '192.168.0.2' });
    expect(await mapper(gw.port).start()).toMatchObject({ kind: 'double-nat', externalAddress: '192.168.0.2' });
  });

  it('a refusal (result 2, not authorized) is reported, and nothing is left to delete', async () => {
    const gw = await scriptedGateway({ externalAddress: '198.51.100.7', mapResult: 2 });
    const m = mapper(gw.port);
    const status = await m.start();
    expect(status).toMatchObject({ kind: 'refused', method: 'NAT-PMP' });
    expect(status.detail).toMatch(/not authorized/);
    await m.close();
    expect(gw.requests.every((r) => r.lifetime !== 0)).toBe(true);
  });

  it('renews at half the granted lifetime', async () => {
    const gw = await scriptedGateway({ externalAddress: '198.51.100.7', grantLifetime: 2 });
    const m = mapper(gw.port);
    await m.start();
    const renewed = new Promise<{ leaseSeconds: number }>((resolve) => m.once('renewed', resolve));
    const startedAt = Date.now();
    expect(await renewed).toEqual({ leaseSeconds: 2 });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
    // The renewal asks for the lifetime granted before, for the ports held.
    expect(gw.requests.slice(2)).toEqual([
      { protocol: 'TCP', internalPort: 7777, externalPort: 7777, lifetime: 2 },
      { protocol: 'UDP', internalPort: 7778, externalPort: 7777, lifetime: 2 },
    ]);
  });
});
