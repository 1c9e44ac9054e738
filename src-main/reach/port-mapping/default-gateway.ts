// The IPv4 default gateway, where NAT-PMP requests go. Linux lists routes in /proc/net/route;
// elsewhere NAT-PMP is skipped and UPnP's multicast search finds the router instead.
import { readFile } from 'node:fs/promises';

const RTF_GATEWAY = 0x2;

/** Reads the default route's gateway from the text of /proc/net/route (hex, little-endian). */
export function gatewayFromRouteTable(table: string): string | null {
  for (const line of table.split('\n').slice(1)) {
    const [, destination, gateway, flags] = line.trim().split(/\s+/);
    if (destination !== '00000000' || !gateway || !/^[0-9A-Fa-f]{8}$/.test(gateway)) continue;
    if ((parseInt(flags ?? '0', 16) & RTF_GATEWAY) === 0) continue;
    const n = parseInt(gateway, 16);
    return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24].join('.');
  }
  return null;
}

export async function defaultGateway(): Promise<string | null> {
  if (process.platform !== 'linux') return null;
  try {
    return gatewayFromRouteTable(await readFile('/proc/net/route', 'utf8'));
  } catch {
    return null;
  }
}
