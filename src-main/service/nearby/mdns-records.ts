// The DNS-SD records of our advertised rooms (RFC 6763 §4–§7) and the answer to a query, as pure
// functions over plain data, so what goes on the wire is tested without a network.
import { NEARBY_SERVICE_TYPE } from '../../../src-shared/nearby/advert.js';
import type { DnsPacket, DnsQuestion, DnsRecord } from './mdns-transport.js';

export const SERVICE_DOMAIN = `${NEARBY_SERVICE_TYPE}.local`;
const ENUMERATION_DOMAIN = '_services._dns-sd._udp.local';
/**
 * Two minutes, the RFC 6762 §10 figure for records naming a host: a room whose host vanished without
 * a goodbye (crash, cable pulled) leaves other lists after at most this long.
 */
export const RECORD_TTL_S = 120;

/** One advertised room, as the responder holds it. */
export interface PublishedService {
  /** The instance label ("room (host-id)"), unique on the link after probing. */
  label: string;
  port: number;
  txt: string[];
  /**
   * The one IPv4 address the room's server listens on, or null when it listens on every interface:
   * a room is advertised only where others can reach it.
   */
  scope: string | null;
}

/** Who answers: our own host name in `.local` (never the machine's, which its OS responder owns). */
export interface ResponderHost {
  target: string;
  addresses: string[];
}

export function instanceName(label: string): string {
  return `${label}.${SERVICE_DOMAIN}`;
}

/** DNS names compare case-insensitively (ASCII). */
export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function ptr(service: PublishedService, ttl: number): DnsRecord {
  return { name: SERVICE_DOMAIN, type: 'PTR', ttl, data: instanceName(service.label) };
}

function srvAndTxt(service: PublishedService, host: ResponderHost, ttl: number): DnsRecord[] {
  const name = instanceName(service.label);
  return [
    { name, type: 'SRV', ttl, flush: true, data: { port: service.port, target: host.target, priority: 0, weight: 0 } },
    { name, type: 'TXT', ttl, flush: true, data: service.txt },
  ];
}

function addressRecords(host: ResponderHost, ttl: number): DnsRecord[] {
  return host.addresses.map((address) => ({ name: host.target, type: 'A', ttl, flush: true, data: address }));
}

/** The unsolicited announcement of one service (RFC 6762 §8.3). */
export function announcement(service: PublishedService, host: ResponderHost): DnsPacket {
  return {
    type: 'response',
    answers: [ptr(service, RECORD_TTL_S), ...srvAndTxt(service, host, RECORD_TTL_S)],
    additionals: addressRecords(host, RECORD_TTL_S),
  };
}

/** The goodbye for services that stop (RFC 6762 §10.1): the same records with TTL 0. */
export function goodbye(services: readonly PublishedService[], host: ResponderHost): DnsPacket {
  return { type: 'response', answers: services.flatMap((s) => [ptr(s, 0), ...srvAndTxt(s, host, 0)]) };
}

/** The probe for a name we want (RFC 6762 §8.1): anyone already answering for it owns it. */
export function probe(label: string): DnsPacket {
  return { type: 'query', questions: [{ name: instanceName(label), type: 'ANY' }] };
}

/** True when `packet` holds a record for `name`: someone else claims it. */
export function claims(packet: DnsPacket, name: string): boolean {
  return [...(packet.answers ?? []), ...(packet.additionals ?? [])].some((rr) => sameName(rr.name, name));
}

/** Our answer to a query, or null when it asks nothing we hold. */
export function answerQuery(
  questions: readonly DnsQuestion[],
  services: readonly PublishedService[],
  host: ResponderHost,
): DnsPacket | null {
  if (services.length === 0) return null;
  const answers: DnsRecord[] = [];
  const additionals: DnsRecord[] = [];
  let addresses = false;
  for (const q of questions) {
    const any = q.type === 'ANY';
    if (sameName(q.name, SERVICE_DOMAIN) && (any || q.type === 'PTR')) {
      for (const s of services) {
        answers.push(ptr(s, RECORD_TTL_S));
        additionals.push(...srvAndTxt(s, host, RECORD_TTL_S));
      }
      addresses = true;
    } else if (sameName(q.name, ENUMERATION_DOMAIN) && (any || q.type === 'PTR')) {
      answers.push({ name: ENUMERATION_DOMAIN, type: 'PTR', ttl: RECORD_TTL_S, data: SERVICE_DOMAIN });
    } else if (sameName(q.name, host.target) && (any || q.type === 'A')) {
      answers.push(...addressRecords(host, RECORD_TTL_S));
    } else {
      const service = services.find((s) => sameName(instanceName(s.label), q.name));
      if (!service) continue;
      const [srv, txt] = srvAndTxt(service, host, RECORD_TTL_S) as [DnsRecord, DnsRecord];
      if (any || q.type === 'SRV') answers.push(srv);
      if (any || q.type === 'TXT') answers.push(txt);
      addresses = true;
    }
  }
  if (answers.length === 0) return null;
  if (addresses) additionals.push(...addressRecords(host, RECORD_TTL_S));
  return { type: 'response', answers, additionals };
}
