// PortMapper against a scripted PCP server on a loopback UDP socket (real datagrams, RFC 6887 bytes):
// the MAP requests it sends (nonce per mapping, kept for renewals and the delete), what it concludes
// from each result code, its fallback to NAT-PMP on "unsupported version", and that junk from the
// router's port is ignored and counted. Debian's miniupnpd answers PCP in the lab test
// (test/reach/port-mapping-lab.test.ts); this covers the answers it never gives.
import { afterEach, describe, expect, it } from 'vitest';
import { portMappingLine } from '../../../../src-shared/reach/port-mapping-status.js';
import { loopbackMappers } from './loopback-mappers.js';
import { closeScriptedPcpGateways, scriptedPcpGateway } from './scripted-pcp-gateway.js';

const mapper = loopbackMappers();

afterEach(async () => {
  closeScriptedPcpGateways();
});

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
