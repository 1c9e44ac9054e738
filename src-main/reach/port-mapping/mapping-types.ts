// The words every part of the port mapper shares.

export const MAPPING_PROTOCOLS = ['TCP', 'UDP'] as const;
export type MappingProtocol = (typeof MAPPING_PROTOCOLS)[number];

/** How a mapping was made, in the order they are tried. */
export const MAPPING_METHODS = ['PCP', 'NAT-PMP', 'UPnP IGDv2', 'UPnP IGDv1'] as const;
export type MappingMethod = (typeof MAPPING_METHODS)[number];

/** The lease we ask for (RFC 6886 advises 2 h); renewed at half its life. */
export const REQUESTED_LEASE_SECONDS = 7200;
