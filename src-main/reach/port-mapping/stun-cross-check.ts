// The STUN cross-check (`--stun`): the router says what its outside address is; a STUN server on the
// internet says where our datagrams really come from. Equal: nothing else sits in between. Unequal:
// another router or the provider's NAT rewrites them again upstream, so the router's mapping alone
// cannot make the room reachable (double NAT), whatever the router's own address looks like.
import type { PortMappingStatus } from '../../../src-shared/reach/port-mapping-status.js';

export type StunOutcome = { address: string } | { problem: string };

/** The status refined by what the STUN server saw; unchanged when the router reported no address. */
export function crossChecked(status: PortMappingStatus, stun: StunOutcome): PortMappingStatus {
  if (status.externalAddress === null) return status;
  if ('problem' in stun) {
    // Cannot check: say so, and keep what the router reported.
    return { ...status, detail: status.detail ?? `STUN check failed: ${stun.problem}` };
  }
  if (stun.address === status.externalAddress) return { ...status, stunAddress: stun.address };
  // A private or carrier-grade address on the router already names the cause.
  const kind = status.kind === 'mapped' || status.kind === 'refused' ? 'double-nat' : status.kind;
  return { ...status, kind, stunAddress: stun.address };
}
