// A scripted UPnP Internet Gateway Device for the lab: answers SSDP searches on the LAN, serves a
// device description (IGDv1's WANIPConnection:1) and the SOAP actions the port mapper uses, and
// records every action. It plays a router that keeps only permanent mappings: AddPortMapping with
// a lease other than 0 gets UPnP error 725 (OnlyPermanentLeasesSupported), as many routers answer
// and miniupnpd never does. It forwards nothing; it only keeps the table a router would.
import { createSocket } from 'node:dgram';
import { createServer, type IncomingMessage } from 'node:http';

const SSDP_GROUP = '239.255.255.250';
const SSDP_PORT = 1900;
const SERVICE = 'urn:schemas-upnp-org:service:WANIPConnection:1';
const DEVICE = 'urn:schemas-upnp-org:device:InternetGatewayDevice:1';
const MAX_BODY_BYTES = 16 * 1024;

/** One SOAP action as the gateway saw it, and what it answered (0: success, else the UPnP error). */
export interface IgdAction {
  action: string;
  protocol?: string;
  externalPort?: number;
  lease?: number;
  internalClient?: string;
  error: number;
}

export interface ScriptedIgd {
  httpPort: number;
  actions: IgdAction[];
  /** "TCP 7777" → the internal client, for the mappings held now. */
  table: Map<string, string>;
  close(): Promise<void>;
}

function description(): string {
  return (
    '<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>' +
    `<device><deviceType>${DEVICE}</deviceType><friendlyName>scripted IGD</friendlyName><deviceList><device>` +
    '<deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType><deviceList><device>' +
    '<deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType><serviceList><service>' +
    `<serviceType>${SERVICE}</serviceType><serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>` +
    '<controlURL>/ctl/IPConn</controlURL><eventSubURL>/evt/IPConn</eventSubURL><SCPDURL>/WANIPCn.xml</SCPDURL>' +
    '</service></serviceList></device></deviceList></device></deviceList></device></root>'
  );
}

function envelope(inner: string): string {
  return (
    '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" ' +
    `s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>${inner}</s:Body></s:Envelope>`
  );
}

function fault(code: number, text: string): string {
  return envelope(
    '<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>' +
      `<UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>${code}</errorCode>` +
      `<errorDescription>${text}</errorDescription></UPnPError></detail></s:Fault>`,
  );
}

function arg(body: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY_BYTES) req.destroy(new Error('body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** Starts the device on `lanAddress` (HTTP on a free port, SSDP on 1900 joined there). */
export async function startScriptedIgd(
  lanAddress: string,
  externalAddress: string,
  onAction: (action: IgdAction) => void = () => {},
): Promise<ScriptedIgd> {
  const actions: IgdAction[] = [];
  const table = new Map<string, string>();

  const http = createServer((req, res) => {
    void (async () => {
      if (req.method === 'GET' && req.url === '/rootDesc.xml') {
        res.writeHead(200, { 'Content-Type': 'text/xml' }).end(description());
        return;
      }
      if (req.method !== 'POST' || req.url !== '/ctl/IPConn') {
        res.writeHead(404).end();
        return;
      }
      const body = await readBody(req);
      const action = /#(\w+)"?$/.exec(String(req.headers.soapaction ?? ''))?.[1] ?? '';
      const protocol = arg(body, 'NewProtocol');
      const externalPort = Number(arg(body, 'NewExternalPort'));
      const key = `${protocol} ${externalPort}`;
      const record: IgdAction = { action, error: 0 };
      let reply = '';
      if (action === 'GetExternalIPAddress') {
        reply = `<NewExternalIPAddress>${externalAddress}</NewExternalIPAddress>`;
      } else if (action === 'AddPortMapping') {
        const lease = Number(arg(body, 'NewLeaseDuration'));
        const internalClient = arg(body, 'NewInternalClient') ?? '';
        Object.assign(record, { protocol, externalPort, lease, internalClient });
        if (lease !== 0) record.error = 725;
        else table.set(key, `${internalClient}:${arg(body, 'NewInternalPort')}`);
      } else if (action === 'DeletePortMapping') {
        Object.assign(record, { protocol, externalPort });
        if (!table.delete(key)) record.error = 714;
      } else {
        record.error = 401;
      }
      actions.push(record);
      onAction(record);
      if (record.error !== 0) {
        const text = record.error === 725 ? 'OnlyPermanentLeasesSupported' : 'Invalid Action';
        res.writeHead(500, { 'Content-Type': 'text/xml; charset="utf-8"' }).end(fault(record.error, text));
        return;
      }
      res
        .writeHead(200, { 'Content-Type': 'text/xml; charset="utf-8"' })
        .end(envelope(`<u:${action}Response xmlns:u="${SERVICE}">${reply}</u:${action}Response>`));
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => http.listen(0, lanAddress, resolve));
  const address = http.address();
  const httpPort = typeof address === 'object' && address ? address.port : 0;

  const ssdp = createSocket({ type: 'udp4', reuseAddr: true });
  ssdp.on('message', (msg, from) => {
    const text = msg.toString('latin1', 0, Math.min(msg.length, 2048));
    if (!text.startsWith('M-SEARCH * HTTP/1.1')) return;
    const target = /^ST:\s*(.+)$/im.exec(text)?.[1]?.trim() ?? '';
    if (target !== DEVICE && target !== 'ssdp:all' && target !== 'upnp:rootdevice') return;
    const answer = [
      'HTTP/1.1 200 OK',
      'CACHE-CONTROL: max-age=120',
      `ST: ${target}`,
      `USN: uuid:5c2f0e4a-0b7e-4c43-9a59-2f6b1d0c7e11::${target}`,
      'EXT:',
      'SERVER: Linux UPnP/1.0 scripted-igd/1.0',
      `LOCATION: http://${lanAddress}:${httpPort}/rootDesc.xml`,
      '',
      '',
    ].join('\r\n');
    ssdp.send(answer, from.port, from.address);
  });
  await new Promise<void>((resolve) => ssdp.bind(SSDP_PORT, () => resolve()));
  ssdp.addMembership(SSDP_GROUP, lanAddress);

  return {
    httpPort,
    actions,
    table,
    close: async () => {
      await new Promise<void>((resolve) => ssdp.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
