import { describe, expect, it } from 'vitest';
import { gatewayFromRouteTable } from '../default-gateway.js';
import { externalAddressKind } from '../ipv4-class.js';

describe('externalAddressKind', () => {
  it.each([
    ['11.0.0.2', 'public'],
    ['203.0.113.5', 'public'],
    ['100.63.255.255', 'public'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.254', 'cgnat'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.0.1', 'private'],
    ['169.254.1.1', 'private'],
    ['not an address', 'private'],
  ])('%s is %s', (address, kind) => {
    expect(externalAddressKind(address)).toBe(kind);
  });
});

describe('gatewayFromRouteTable', () => {
  it('reads the default route of /proc/net/route (hex, little-endian)', () => {
    const table = [
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
      'lan0\t004DA8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
      'lan0\t00000000\t014DA8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
    ].join('\n');
    expect(gatewayFromRouteTable(table)).toBe('192.168.77.1');
  });

  it('is null without a default route through a gateway', () => {
    expect(gatewayFromRouteTable('Iface\tDestination\tGateway\tFlags\nlan0\t004DA8C0\t00000000\t0001\n')).toBeNull();
    expect(gatewayFromRouteTable('')).toBeNull();
  });
});
