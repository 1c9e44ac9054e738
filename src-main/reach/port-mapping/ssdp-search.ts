// Finding UPnP Internet Gateway Devices: an SSDP M-SEARCH to 239.255.255.250:1900 and the LOCATION
// of each reply. Replies are untrusted datagrams: size-capped, parsed line by line, and a location
// must point back at the device that answered (a LAN neighbour cannot send us elsewhere).
import { createSocket } from 'node:dgram';
import { isIPv4 } from 'node:net';

const SSDP_ADDRESS = '239.255.255.250';
const SSDP_PORT = 1900;
const MAX_REPLY_BYTES = 2048;
const MAX_GATEWAYS = 4;
/** After the first answer, how long others may still come (routers answer within milliseconds). */
const GRACE_AFTER_FIRST_MS = 300;
/** IGDv2 first: a v2 device also answers the v1 search, but not the other way round. */
const SEARCH_TARGETS = [
  'urn:schemas-upnp-org:device:InternetGatewayDevice:2',
  'urn:schemas-upnp-org:device:InternetGatewayDevice:1',
];

export interface SsdpReply {
  /** The device description URL. */
  location: URL;
  /** The address the reply came from. */
  from: string;
}

/** MX 1: devices delay their answer by up to MX seconds; the smallest allowed keeps start-up quick. */
function searchMessage(target: string): Buffer {
  return Buffer.from(
    `M-SEARCH * HTTP/1.1\r\nHOST: ${SSDP_ADDRESS}:${SSDP_PORT}\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: ${target}\r\n\r\n`,
  );
}

/** The LOCATION of one SSDP reply, or null when the reply is not a usable gateway answer. */
export function parseSsdpReply(datagram: Buffer, from: string): SsdpReply | null {
  if (datagram.length > MAX_REPLY_BYTES) return null;
  const lines = datagram.toString('latin1').split('\r\n');
  if (!/^HTTP\/1\.[01] 200\b/.test(lines[0] ?? '')) return null;
  let location: string | undefined;
  let target: string | undefined;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'location') location = value;
    else if (key === 'st') target = value;
  }
  if (!location || !target?.startsWith('urn:schemas-upnp-org:device:InternetGatewayDevice:')) return null;
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' || url.hostname !== from) return null;
  return { location: url, from };
}

export interface SsdpSearchOptions {
  /** How long to collect replies. */
  timeoutMs: number;
  /** Send from this IPv4 address (the interface the room listens on); any when absent. */
  localAddress?: string;
}

/** Gateways that answered within the time allowed (at most a few, first answer first). */
export function searchGateways(options: SsdpSearchOptions): Promise<SsdpReply[]> {
  return new Promise((resolve) => {
    const socket = createSocket({ type: 'udp4' });
    const found = new Map<string, SsdpReply>();
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.close();
      resolve([...found.values()]);
    };
    let timer = setTimeout(finish, options.timeoutMs);
    socket.on('error', finish);
    socket.on('message', (msg, rinfo) => {
      const reply = parseSsdpReply(msg, rinfo.address);
      if (!reply || found.has(reply.location.href)) return;
      found.set(reply.location.href, reply);
      if (found.size >= MAX_GATEWAYS) finish();
      else if (found.size === 1) {
        clearTimeout(timer);
        timer = setTimeout(finish, GRACE_AFTER_FIRST_MS);
      }
    });
    const bindTo = options.localAddress && isIPv4(options.localAddress) ? options.localAddress : undefined;
    socket.bind({ port: 0, ...(bindTo ? { address: bindTo } : {}) }, () => {
      if (bindTo) socket.setMulticastInterface(bindTo);
      for (const target of SEARCH_TARGETS) {
        socket.send(searchMessage(target), SSDP_PORT, SSDP_ADDRESS, (err) => {
          if (err) finish();
        });
      }
    });
  });
}
