// IP address comparison across IPv4, IPv6 and IPv4-mapped IPv6 (what a dual-stack socket reports).

const MAPPED_PREFIX = '::ffff:';

/** `::ffff:1.2.3.4` → `1.2.3.4`; everything else unchanged (lower-cased). */
export function normaliseIp(address: string): string {
  const lower = address.toLowerCase();
  if (lower.startsWith(MAPPED_PREFIX) && lower.includes('.')) return lower.slice(MAPPED_PREFIX.length);
  return lower;
}

/**
 * Whether a socket-reported address is the normalised IP `ip`. Allocation-free: the relay calls this
 * for every datagram. Node reports IPv6 in lower case already.
 */
export function sameIp(reported: string, ip: string): boolean {
  if (reported === ip) return true;
  return (
    reported.length === ip.length + MAPPED_PREFIX.length &&
    reported.endsWith(ip) &&
    reported.startsWith(MAPPED_PREFIX) &&
    ip.includes('.')
  );
}

/** The address to send to `ip` from a socket of the given family (a dual-stack udp6 needs the mapped form). */
export function sendAddressFor(ip: string, socketType: 'udp4' | 'udp6'): string {
  if (socketType === 'udp6' && ip.includes('.')) return MAPPED_PREFIX + ip;
  return ip;
}
