// The STUN cross-check (`stunServer`): PortMapper against a scripted PCP gateway and the test STUN
// server, both on loopback (real datagrams). On loopback every source is 127.0.0.1, so the STUN
// server answers as if it saw 198.51.100.7 (the address outside a NAT): a gateway reporting that
// agrees, one reporting another sits behind a second NAT. The namespace lab
// (test/reach/port-mapping-lab.test.ts) shows both with miniupnpd and a real second NAT.
import { afterEach, describe, expect, it } from 'vitest';
import { invitableAddress, portMappingLine } from '../../../../src-shared/reach/port-mapping-status.js';
import { startStunResponder, type StunResponder } from '../../../../test/support/stun-responder.js';
import { PortMapper } from '../port-mapper.js';
import { crossChecked } from '../stun-cross-check.js';
import { closeScriptedPcpGateways, scriptedPcpGateway } from './scripted-pcp-gateway.js';

const mappers: PortMapper[] = [];
const responders: StunResponder[] = [];

afterEach(async () => {
  await Promise.all(mappers.splice(0).map((m) => m.close()));
  await Promise.all(responders.splice(0).map((r) => r.close()));
  closeScriptedPcpGateways();
});

const SEEN_AS = '198.51.100.7';

async function mapperWithStun(externalAddress: string, stunPort?: number): Promise<PortMapper> {
  const gw = await scriptedPcpGateway({ externalAddress });
  let port = stunPort;
  if (port === undefined) {
    const responder = await startStunResponder('127.0.0.1', 0, SEEN_AS);
    responders.push(responder);
    port = responder.port;
  }
  const m = new PortMapper({
    tcpPort: 7777,
    udpPort: 7777,
    natPmpGateway: '127.0.0.1',
    natPmpPort: gw.port,
    natPmpTries: 2,
    ssdpSearchMs: 300,
    stunServer: { host: 'localhost', port },
  });
  mappers.push(m);
  return m;
}

describe('PortMapper with a STUN cross-check', () => {
  it('the gateway and the STUN server agree: mapped, and the line says the check passed', async () => {
    const m = await mapperWithStun(SEEN_AS);
    const status = await m.start();
    expect(status).toMatchObject({ kind: 'mapped', method: 'PCP', externalAddress: SEEN_AS, stunAddress: SEEN_AS });
    expect(portMappingLine(status, 7777)).toContain('a STUN server sees the same outside address');
    expect(responders[0]?.answered()).toBeGreaterThanOrEqual(1);
  });

  it('they disagree: double NAT, no address to invite with, and a line saying why', async () => {
    const m = await mapperWithStun('203.0.113.40');
    const status = await m.start();
    expect(status).toMatchObject({ kind: 'double-nat', externalAddress: '203.0.113.40', stunAddress: SEEN_AS });
    expect(invitableAddress(status)).toBeNull();
    expect(portMappingLine(status, 7777)).toMatch(
      /^Double NAT: the router via PCP reports the outside address 203\.0\.113\.40, but a STUN server sees 198\.51\.100\.7, .*cannot join.* LAN members can join\.$/,
    );
  });

  it('a STUN server that does not answer leaves the mapping as it was and says the check failed', async () => {
    const closed = await startStunResponder('127.0.0.1');
    await closed.close();
    const m = await mapperWithStun('198.51.100.7', closed.port);
    const status = await m.start();
    expect(status).toMatchObject({ kind: 'mapped', stunAddress: null });
    expect(status.detail).toMatch(/^STUN check failed: localhost:\d+: no STUN/);
    expect(portMappingLine(status, 7777)).toContain('(STUN check failed');
  });

  it('a router that reports no address is left alone; a private one stays double NAT', () => {
    const base = {
      externalPort: 7777,
      externalUdpPort: 7777,
      method: 'PCP',
      detail: null,
      stunAddress: null,
    } as const;
    const none = { ...base, kind: 'refused' as const, externalAddress: null };
    expect(crossChecked(none, { address: '203.0.113.1' })).toBe(none);
    const priv = { ...base, kind: 'double-nat' as const, externalAddress: '10.0.0.2' };
    expect(crossChecked(priv, { address: '203.0.113.1' })).toMatchObject({
      kind: 'double-nat',
      stunAddress: '203.0.113.1',
    });
    const cgnat = { ...base, kind: 'cgnat' as const, externalAddress: '100.64.0.9' };
    expect(crossChecked(cgnat, { address: '203.0.113.1' }).kind).toBe('cgnat');
  });
});
