// The responder for our rooms: probes for each instance name and picks "room (host-id) #2", "#3", …
// when someone on the link already has it (RFC 6762 §8.1, §9), announces twice, answers queries, and
// sends goodbyes (TTL 0) when a room is withdrawn or the advertiser closes, so other lists drop the
// room at once instead of when its records expire.
import { randomBytes } from 'node:crypto';
import { instanceLabel } from '../../../src-shared/nearby/advert.js';
import { AnswerPacer } from './answer-pacer.js';
import {
  announcement,
  answerQuery,
  claims,
  goodbye,
  instanceName,
  probe,
  type PublishedService,
  type ResponderHost,
} from './mdns-records.js';
import { ipv4Interfaces, type DnsPacket, type MdnsTransport } from './mdns-transport.js';

/** RFC 6762 §8.1: three probes 250 ms apart. */
const PROBE_COUNT = 3;
const PROBE_GAP_MS = 250;
/** RFC 6762 §8.3: the announcement is repeated after a second. */
const REANNOUNCE_MS = 1000;
/** Past this many taken names something is wrong (a responder claiming everything): give up. */
const MAX_ATTEMPTS = 20;

export interface Advertisement {
  /** The instance label this room won on the link. */
  readonly label: string;
  /** Sends the goodbye and stops answering for the room. */
  withdraw(): Promise<void>;
}

export class NameConflictError extends Error {
  constructor(room: string) {
    super(`no free name on the local network for "${room}" after ${MAX_ATTEMPTS} tries`);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export class MdnsAdvertiser {
  private readonly services = new Map<string, PublishedService & { timer: NodeJS.Timeout | null }>();
  /** A name of our own in `.local`: never the machine's host name, which the OS responder owns. */
  private readonly target = `tincan-${randomBytes(4).toString('hex')}.local`;
  private closed = false;
  /** At most one multicast of a record a second per interface, however fast queries come. */
  private readonly pacer = new AnswerPacer();

  constructor(
    private readonly transport: MdnsTransport,
    /** Shown in the label beside the room name, e.g. the computer's short name. */
    private readonly hostId: string,
  ) {
    transport.on('query', (packet) => this.answer(packet));
  }

  /**
   * Probes for a free name, announces the room and resolves with its handle. `scope`: the IPv4
   * address the room's server is bound to (then only that interface hears of it), or null for all.
   */
  async publish(room: string, port: number, txt: string[], scope: string | null = null): Promise<Advertisement> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const label = instanceLabel(room, this.hostId, attempt);
      if (this.services.has(label.toLowerCase())) continue;
      if (await this.isTaken(label)) continue;
      if (this.closed || this.services.has(label.toLowerCase())) continue;
      return this.start({ label, port, txt, scope });
    }
    throw new NameConflictError(room);
  }

  /** Goodbyes for every room, then no more answers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all = [...this.services.values()];
    for (const s of all) if (s.timer) clearTimeout(s.timer);
    this.services.clear();
    for (const [scope, services] of byScope(all)) await this.transport.send(goodbye(services, this.host(scope)), scope);
  }

  private start(service: PublishedService): Advertisement {
    const key = service.label.toLowerCase();
    const entry = { ...service, timer: null as NodeJS.Timeout | null };
    this.services.set(key, entry);
    const announce = () => void this.transport.send(announcement(service, this.host(service.scope)), service.scope);
    announce();
    entry.timer = setTimeout(() => {
      entry.timer = null;
      if (this.services.get(key) === entry) announce();
    }, REANNOUNCE_MS);
    entry.timer.unref();
    return {
      label: service.label,
      withdraw: async () => {
        if (this.services.get(key) !== entry) return;
        this.services.delete(key);
        if (entry.timer) clearTimeout(entry.timer);
        await this.transport.send(goodbye([service], this.host(service.scope)), service.scope);
      },
    };
  }

  /** Asks the link three times whether anyone holds `label`. */
  private async isTaken(label: string): Promise<boolean> {
    const name = instanceName(label);
    let taken = false;
    const listen = (packet: DnsPacket): void => {
      if (claims(packet, name)) taken = true;
    };
    this.transport.on('response', listen);
    try {
      for (let i = 0; i < PROBE_COUNT && !taken; i++) {
        await this.transport.send(probe(label));
        await pause(PROBE_GAP_MS);
      }
    } finally {
      this.transport.off('response', listen);
    }
    return taken;
  }

  /** Answers on each interface with the rooms reachable there (a bound room only on its own), paced. */
  private answer(packet: DnsPacket): void {
    if (this.closed) return;
    const questions = packet.questions ?? [];
    const isProbe = questions.some((q) => q.type === 'ANY');
    for (const [scope, services] of byScope([...this.services.values()])) {
      const reply = answerQuery(questions, services, this.host(scope));
      const paced = reply && this.pacer.admit(reply, scope, isProbe);
      if (paced) void this.transport.send(paced, scope);
    }
  }

  /** Our name and the addresses it stands for where `scope` says (null: every interface). */
  private host(scope: string | null = null): ResponderHost {
    return { target: this.target, addresses: scope === null ? ipv4Interfaces() : [scope] };
  }
}

/** Services grouped by where they are advertised. */
function byScope(services: readonly PublishedService[]): Map<string | null, PublishedService[]> {
  const groups = new Map<string | null, PublishedService[]>();
  for (const s of services) groups.set(s.scope, [...(groups.get(s.scope) ?? []), s]);
  return groups;
}
