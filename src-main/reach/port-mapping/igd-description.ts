// Reading a gateway's device description: which WAN connection service it offers (IGDv2's
// WANIPConnection:2 preferred, then v1 WANIPConnection / WANPPPConnection) and where to send SOAP.
import { childText, findAll, parseXml } from './xml-reader.js';

export interface WanService {
  /** The full service type, used in SOAPAction and the envelope's namespace. */
  serviceType: string;
  /** 2 for WANIPConnection:2 (AddAnyPortMapping, leases), 1 otherwise. */
  version: 1 | 2;
  controlUrl: URL;
}

const SERVICE_PREFERENCE = [
  'urn:schemas-upnp-org:service:WANIPConnection:2',
  'urn:schemas-upnp-org:service:WANIPConnection:1',
  'urn:schemas-upnp-org:service:WANPPPConnection:1',
];

export class DescriptionError extends Error {}

/**
 * The best WAN connection service in a description fetched from `location`. The control URL must
 * stay on the gateway that served the description (same host and port).
 */
export function wanServiceFrom(descriptionXml: string, location: URL): WanService {
  const root = parseXml(descriptionXml);
  const services = findAll(root, 'service').map((s) => ({
    type: childText(s, 'serviceType') ?? '',
    control: childText(s, 'controlURL') ?? '',
  }));
  // URLBase (UPnP 1.0) overrides the location as the base of relative URLs.
  const urlBase = childText(root, 'URLBase');
  for (const wanted of SERVICE_PREFERENCE) {
    const service = services.find((s) => s.type === wanted);
    if (!service || service.control === '') continue;
    let controlUrl: URL;
    try {
      controlUrl = new URL(service.control, urlBase ? new URL(urlBase, location) : location);
    } catch {
      throw new DescriptionError(`the gateway's control URL "${service.control.slice(0, 80)}" is not a URL`);
    }
    if (controlUrl.protocol !== 'http:' || controlUrl.host !== location.host) {
      throw new DescriptionError(`the gateway's control URL points away from it (${controlUrl.host})`);
    }
    return { serviceType: wanted, version: wanted.endsWith(':2') ? 2 : 1, controlUrl };
  }
  throw new DescriptionError('the gateway offers no WAN connection service (port mapping)');
}
