// A UPnP Internet Gateway Device found on the LAN and the port-mapping actions we use on it:
// AddAnyPortMapping (IGDv2: the gateway may pick another port) or AddPortMapping (IGDv1),
// DeletePortMapping, GetExternalIPAddress and GetSpecificPortMappingEntry.
import { isIPv4 } from 'node:net';
import { httpExchange } from './bounded-http.js';
import { wanServiceFrom, type WanService } from './igd-description.js';
import type { MappingProtocol } from './mapping-types.js';
import { soapCall, SoapError } from './soap-call.js';
import { searchGateways } from './ssdp-search.js';

const DESCRIPTION_TIMEOUT_MS = 3000;
const MAX_DESCRIPTION_BYTES = 64 * 1024;

export interface UpnpGateway {
  service: WanService;
  /** Our LAN address as the gateway sees it: the internal client of every mapping. */
  localAddress: string;
}

export interface UpnpMappingRequest {
  protocol: MappingProtocol;
  internalPort: number;
  externalPort: number;
  internalClient: string;
  leaseSeconds: number;
  description: string;
}

function port(value: string | undefined, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new SoapError(`the gateway returned a bad ${what}`);
  return n;
}

/** The first gateway that answers the search and describes a usable WAN service; null if none does. */
export async function findUpnpGateway(searchMs: number, localAddress?: string): Promise<UpnpGateway | null> {
  const replies = await searchGateways({ timeoutMs: searchMs, ...(localAddress ? { localAddress } : {}) });
  let lastError: Error | null = null;
  for (const reply of replies) {
    try {
      const described = await httpExchange({
        url: reply.location,
        method: 'GET',
        timeoutMs: DESCRIPTION_TIMEOUT_MS,
        maxBytes: MAX_DESCRIPTION_BYTES,
      });
      if (described.status !== 200) throw new SoapError(`the description answered HTTP ${described.status}`);
      return { service: wanServiceFrom(described.body, reply.location), localAddress: described.localAddress };
    } catch (err) {
      lastError = err as Error;
    }
  }
  if (lastError) throw lastError;
  return null;
}

/** Maps one port; returns the external port the gateway granted. */
export async function addUpnpMapping(gateway: UpnpGateway, req: UpnpMappingRequest): Promise<number> {
  const args = {
    NewRemoteHost: '',
    NewExternalPort: req.externalPort,
    NewProtocol: req.protocol,
    NewInternalPort: req.internalPort,
    NewInternalClient: req.internalClient,
    NewEnabled: 1,
    NewPortMappingDescription: req.description,
    NewLeaseDuration: req.leaseSeconds,
  };
  if (gateway.service.version === 2) {
    const { out } = await soapCall(gateway.service, 'AddAnyPortMapping', args);
    return port(out.NewReservedPort, 'reserved port');
  }
  await soapCall(gateway.service, 'AddPortMapping', args);
  return req.externalPort;
}

export async function deleteUpnpMapping(
  gateway: UpnpGateway,
  protocol: MappingProtocol,
  externalPort: number,
): Promise<void> {
  await soapCall(gateway.service, 'DeletePortMapping', {
    NewRemoteHost: '',
    NewExternalPort: externalPort,
    NewProtocol: protocol,
  });
}

/** The gateway's outside IPv4 address; null when it has none to report (miniupnpd: a private one). */
export async function upnpExternalAddress(gateway: UpnpGateway): Promise<string | null> {
  const { out } = await soapCall(gateway.service, 'GetExternalIPAddress', {});
  const address = out.NewExternalIPAddress ?? '';
  if (address === '' || address === '0.0.0.0') return null;
  if (!isIPv4(address)) throw new SoapError('the gateway reported an external address that is not IPv4');
  return address;
}

export interface UpnpMappingEntry {
  internalClient: string;
  internalPort: number;
  leaseSeconds: number;
  description: string;
}

/** What the gateway holds for one external port (UPnP error 714 when there is nothing). */
export async function upnpMappingEntry(
  gateway: UpnpGateway,
  protocol: MappingProtocol,
  externalPort: number,
): Promise<UpnpMappingEntry> {
  const { out } = await soapCall(gateway.service, 'GetSpecificPortMappingEntry', {
    NewRemoteHost: '',
    NewExternalPort: externalPort,
    NewProtocol: protocol,
  });
  return {
    internalClient: out.NewInternalClient ?? '',
    internalPort: port(out.NewInternalPort, 'internal port'),
    leaseSeconds: Number(out.NewLeaseDuration ?? 0),
    description: (out.NewPortMappingDescription ?? '').slice(0, 100),
  };
}
