// Whether a router mapping can help a server bound to this address: NAT-PMP and UPnP IGD forward IPv4
// to a LAN host, so loopback and single IPv6 addresses cannot be mapped. One rule for the main
// process (which skips the router) and the Host form (which offers the checkbox only where it helps).

/** Why the server at `bind` cannot be mapped, or null when it can (a LAN IPv4 or all interfaces). */
export function unmappableBindReason(bind: string): string | null {
  if (bind === '' || bind === '0.0.0.0' || bind === '::') return null;
  if (bind.startsWith('127.') || bind === '::1' || bind === 'localhost')
    return 'the server listens on this computer only';
  if (bind.includes(':')) return 'the server listens on IPv6 only; routers map IPv4';
  return null;
}
