// What an external address tells about the path to the internet: a private address on the
// gateway's outside means another router upstream (double NAT); 100.64.0.0/10 means the ISP's
// carrier-grade NAT (RFC 6598). Either way, inbound connections stop before reaching us.

export type ExternalAddressKind = 'public' | 'private' | 'cgnat';

function octets(address: string): number[] | null {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.map(Number);
}

export function externalAddressKind(address: string): ExternalAddressKind {
  const o = octets(address);
  if (!o) return 'private';
  const [a = 0, b = 0] = o;
  if (a === 100 && b >= 64 && b <= 127) return 'cgnat';
  const isPrivate =
    a === 10 ||
    a === 127 ||
    a === 0 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254);
  return isPrivate ? 'private' : 'public';
}
