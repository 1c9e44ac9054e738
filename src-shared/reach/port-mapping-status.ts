// What "make this room reachable from the internet" achieved, as one line with advice. Shared by the
// main process (which decides), the CLI (which prints) and the renderer (which shows it in the invite
// panel), so the wording has one source.

export const PORT_MAPPING_KINDS = [
  'pending',
  'mapped',
  'double-nat',
  'cgnat',
  'refused',
  'no-gateway',
  'lan-only',
] as const;
export type PortMappingKind = (typeof PORT_MAPPING_KINDS)[number];

export interface PortMappingStatus {
  kind: PortMappingKind;
  /** The gateway's outside address, when it told us. */
  externalAddress: string | null;
  /** The external TCP port (the UDP one is the same unless udpPort says otherwise). */
  externalPort: number | null;
  /** The external UDP port when the gateway granted a different one than TCP's. */
  externalUdpPort: number | null;
  /** 'PCP', 'NAT-PMP', 'UPnP IGDv2', 'UPnP IGDv1' — how the mapping was made or refused. */
  method: string | null;
  /** Why it failed (refused, lan-only), or what the STUN check could not do, in a few words. */
  detail: string | null;
  /**
   * The address a STUN server saw our datagrams come from (`--stun`), when it answered. Unequal to
   * the router's outside address: another NAT sits upstream.
   */
  stunAddress: string | null;
}

export function emptyStatus(kind: PortMappingKind, detail: string | null = null): PortMappingStatus {
  return {
    kind,
    externalAddress: null,
    externalPort: null,
    externalUdpPort: null,
    method: null,
    detail,
    stunAddress: null,
  };
}

/** The address others on the internet use, "203.0.113.5:7777", or null when there is none to give. */
export function invitableAddress(status: PortMappingStatus): string | null {
  if (status.kind !== 'mapped' || status.externalAddress === null || status.externalPort === null) return null;
  return `${status.externalAddress}:${status.externalPort}`;
}

/** The one line shown to the host: what will and will not work, and what to do about it. */
export function portMappingLine(status: PortMappingStatus, internalPort: number): string {
  const forward = `forward TCP and UDP port ${internalPort} to this computer by hand`;
  const via = status.method ? ` via ${status.method}` : '';
  switch (status.kind) {
    case 'pending':
      return 'Asking the router to open the port…';
    case 'mapped': {
      const udp =
        status.externalUdpPort !== null && status.externalUdpPort !== status.externalPort
          ? ` (UDP on port ${status.externalUdpPort}: members need --udp-port ${status.externalUdpPort})`
          : '';
      const stun = status.stunAddress !== null ? '; a STUN server sees the same outside address' : '';
      const note = status.detail ? ` (${status.detail})` : '';
      return `Mapped${via}: people on the internet can join at ${invitableAddress(status) ?? 'the router’s address'}${udp}${stun}${note}; it is confirmed once someone outside joins.`;
    }
    case 'double-nat': {
      const disagrees =
        status.stunAddress !== null && status.externalAddress !== null && status.stunAddress !== status.externalAddress;
      if (disagrees) {
        return `Double NAT: the router${via} reports the outside address ${status.externalAddress}, but a STUN server sees ${status.stunAddress}, so another router or the provider’s NAT sits upstream and people on the internet cannot join at either address; forward the port on that router too, or use IPv6. LAN members can join.`;
      }
      return `Double NAT: the router${via} ${status.externalAddress ? `reports the private outside address ${status.externalAddress}` : 'has no public outside address'}, so another router upstream blocks the internet; forward the port on that router too, or use IPv6. LAN members can join.`;
    }
    case 'cgnat':
      return `Carrier-grade NAT: your provider shares the outside address ${status.externalAddress ?? ''} (100.64.0.0/10) among customers, so nobody on the internet can reach this room; ask the provider for a public IPv4 address, or use IPv6. LAN members can join.`;
    case 'refused':
      return `The router refused the port mapping${via}${status.detail ? ` (${status.detail})` : ''}: LAN members can join; ${forward}, or turn on UPnP or NAT-PMP in the router.`;
    case 'no-gateway':
      return `No router answered (PCP, NAT-PMP and UPnP are off or absent): LAN members can join; turn on UPnP or NAT-PMP in the router, or ${forward}.`;
    case 'lan-only':
      return `LAN only${status.detail ? ` (${status.detail})` : ''}: people on this network can join; nothing was opened on the router.`;
  }
}
