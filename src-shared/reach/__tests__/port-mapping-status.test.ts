import { describe, expect, it } from 'vitest';
import {
  emptyStatus,
  invitableAddress,
  PORT_MAPPING_KINDS,
  portMappingLine,
  type PortMappingStatus,
} from '../port-mapping-status.js';

const mapped: PortMappingStatus = {
  kind: 'mapped',
  externalAddress: '11.0.0.2',
  externalPort: 7777,
  externalUdpPort: 7777,
  method: 'NAT-PMP',
  detail: null,
  stunAddress: null,
};

describe('port mapping status', () => {
  it('gives an address to invite with only while mapped', () => {
    expect(invitableAddress(mapped)).toBe('11.0.0.2:7777');
    for (const kind of PORT_MAPPING_KINDS.filter((k) => k !== 'mapped')) {
      expect(invitableAddress({ ...mapped, kind })).toBeNull();
    }
  });

  it('says what the STUN cross-check found: the same address, another one, or no answer', () => {
    expect(portMappingLine({ ...mapped, method: 'PCP', stunAddress: '11.0.0.2' }, 7777)).toBe(
      'Mapped via PCP: people on the internet can join at 11.0.0.2:7777; a STUN server sees the same outside address; it is confirmed once someone outside joins.',
    );
    expect(portMappingLine({ ...mapped, kind: 'double-nat', method: 'PCP', stunAddress: '12.0.0.1' }, 7777)).toBe(
      'Double NAT: the router via PCP reports the outside address 11.0.0.2, but a STUN server sees 12.0.0.1, so another router or the provider’s NAT sits upstream and people on the internet cannot join at either address; forward the port on that router too, or use IPv6. LAN members can join.',
    );
    expect(portMappingLine({ ...mapped, detail: 'STUN check failed: no STUN answer' }, 7777)).toContain(
      '11.0.0.2:7777 (STUN check failed: no STUN answer); it is confirmed',
    );
  });

  it('says in one line what works and what to do, for every kind', () => {
    expect(portMappingLine(mapped, 7777)).toBe(
      'Mapped via NAT-PMP: people on the internet can join at 11.0.0.2:7777; it is confirmed once someone outside joins.',
    );
    expect(portMappingLine({ ...mapped, externalUdpPort: 8001 }, 7777)).toContain('members need --udp-port 8001');
    expect(portMappingLine({ ...mapped, kind: 'cgnat', externalAddress: '100.64.1.2' }, 7777)).toMatch(
      /^Carrier-grade NAT: .*100\.64\.1\.2.*public IPv4/,
    );
    expect(portMappingLine({ ...mapped, kind: 'double-nat', externalAddress: '10.0.0.2' }, 7777)).toContain(
      'reports the private outside address 10.0.0.2',
    );
    expect(portMappingLine({ ...emptyStatus('refused', 'UPnP error 718'), method: 'UPnP IGDv1' }, 7777)).toBe(
      'The router refused the port mapping via UPnP IGDv1 (UPnP error 718): LAN members can join; forward TCP and UDP port 7777 to this computer by hand, or turn on UPnP or NAT-PMP in the router.',
    );
    for (const kind of PORT_MAPPING_KINDS) {
      const line = portMappingLine(emptyStatus(kind), 7777);
      expect(line).not.toMatch(/\n|undefined|null/);
      expect(line.length).toBeGreaterThan(10);
    }
  });
});
