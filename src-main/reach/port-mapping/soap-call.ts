// One UPnP SOAP action: the envelope we send and the reply we accept. A fault carries the UPnP error
// code (725 "only permanent leases", 718 "conflict"...), which the mapper acts on.
import { httpExchange } from './bounded-http.js';
import type { WanService } from './igd-description.js';
import { childText, findAll, parseXml, type XmlElement } from './xml-reader.js';

const SOAP_TIMEOUT_MS = 3000;
const MAX_REPLY_BYTES = 16 * 1024;

/** The gateway answered with a UPnP error (a SOAP fault). */
export class UpnpError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
  ) {
    super(`UPnP error ${code}${description ? ` (${description})` : ''}`);
  }
}

/** Anything else that went wrong: no answer, a malformed one. */
export class SoapError extends Error {}

function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function soapEnvelope(serviceType: string, action: string, args: Record<string, string | number>): string {
  const body = Object.entries(args)
    .map(([name, value]) => `<${name}>${escapeXml(String(value))}</${name}>`)
    .join('');
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
    `<s:Body><u:${action} xmlns:u="${escapeXml(serviceType)}">${body}</u:${action}></s:Body></s:Envelope>`
  );
}

/** The output arguments of `<u:ActionResponse>`, or the UpnpError of a fault. */
export function parseSoapReply(status: number, xml: string, action: string): Record<string, string> {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (err) {
    throw new SoapError(`unreadable reply to ${action} (HTTP ${status}): ${(err as Error).message}`);
  }
  const fault = findAll(root, 'UPnPError')[0];
  if (fault) {
    const code = Number(childText(fault, 'errorCode'));
    if (!Number.isInteger(code)) throw new SoapError(`${action} failed with an unreadable UPnP error`);
    throw new UpnpError(code, (childText(fault, 'errorDescription') ?? '').slice(0, 100));
  }
  if (status !== 200) throw new SoapError(`${action} failed with HTTP ${status}`);
  const response = findAll(root, `${action}Response`)[0];
  if (!response) throw new SoapError(`the reply to ${action} has no ${action}Response`);
  const out: Record<string, string> = {};
  for (const arg of response.children) out[arg.name] = arg.text.trim();
  return out;
}

export async function soapCall(
  service: WanService,
  action: string,
  args: Record<string, string | number>,
): Promise<{ out: Record<string, string>; localAddress: string }> {
  const reply = await httpExchange({
    url: service.controlUrl,
    method: 'POST',
    headers: {
      'Content-Type': 'text/xml; charset="utf-8"',
      SOAPAction: `"${service.serviceType}#${action}"`,
    },
    body: soapEnvelope(service.serviceType, action, args),
    timeoutMs: SOAP_TIMEOUT_MS,
    maxBytes: MAX_REPLY_BYTES,
  });
  return { out: parseSoapReply(reply.status, reply.body, action), localAddress: reply.localAddress };
}
