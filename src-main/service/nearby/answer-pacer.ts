// How often the responder may multicast the same record: RFC 6762 §6 allows a record on an interface
// at most once a second (answers to probes excepted). Without it anyone who can reach UDP 5353 sends
// a stream of small queries and every Tincan host multicasts a larger answer for each onto its
// network. Pure (the clock injected) so the rule is tested without a network; the map holds our own
// records only, so it stays as small as the list of rooms we advertise.
import type { DnsPacket, DnsRecord } from './mdns-transport.js';

/** RFC 6762 §6: one second between multicasts of a record on an interface. */
export const MIN_MULTICAST_GAP_MS = 1000;

function recordKey(scope: string | null, record: DnsRecord): string {
  return `${scope ?? '*'}\n${record.name.toLowerCase()}\n${record.type}\n${JSON.stringify(record.data)}`;
}

export class AnswerPacer {
  private readonly lastSent = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * The part of `reply` that may go out now on `scope` (null: every interface), or null when every
   * answer went out less than a second ago. A probe (a question of type ANY, RFC 6762 §8.1) is
   * answered whatever the pace: the prober must learn at once that the name is taken.
   */
  admit(reply: DnsPacket, scope: string | null, probe: boolean): DnsPacket | null {
    const now = this.now();
    this.forgetOlderThan(now - MIN_MULTICAST_GAP_MS);
    const answers = (reply.answers ?? []).filter((record) => {
      const key = recordKey(scope, record);
      const last = this.lastSent.get(key);
      if (!probe && last !== undefined && now - last < MIN_MULTICAST_GAP_MS) return false;
      this.lastSent.set(key, now);
      return true;
    });
    return answers.length === 0 ? null : { ...reply, answers };
  }

  private forgetOlderThan(cutoff: number): void {
    for (const [key, at] of this.lastSent) if (at <= cutoff) this.lastSent.delete(key);
  }
}
