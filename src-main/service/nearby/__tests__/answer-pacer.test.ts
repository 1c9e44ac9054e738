// The responder's pace (RFC 6762 §6): a record goes out on an interface at most once a second, so a
// stream of queries cannot turn every Tincan host into a multicast amplifier; probes are exempt.
import { describe, expect, it } from 'vitest';
import { AnswerPacer, MIN_MULTICAST_GAP_MS } from '../answer-pacer.js';
import type { DnsPacket } from '../mdns-transport.js';

const ptr = { name: '_tincan._tcp.local', type: 'PTR', ttl: 120, data: 'lobby (pc)._tincan._tcp.local' };
const srv = { name: 'lobby (pc)._tincan._tcp.local', type: 'SRV', ttl: 120, data: { port: 7777, target: 't.local' } };
const reply = (...answers: DnsPacket['answers'] & object): DnsPacket => ({
  type: 'response',
  answers,
  additionals: [srv],
});

function pacerAt(start = 10_000): { pacer: AnswerPacer; advance(ms: number): void } {
  let now = start;
  return { pacer: new AnswerPacer(() => now), advance: (ms) => void (now += ms) };
}

describe('the responder pace', () => {
  it('answers a burst of queries once, and again once a second has passed', () => {
    const { pacer, advance } = pacerAt();
    expect(pacer.admit(reply(ptr), null, false)).toEqual(reply(ptr));
    for (let i = 0; i < 100; i++) {
      advance(5);
      expect(pacer.admit(reply(ptr), null, false)).toBeNull();
    }
    advance(MIN_MULTICAST_GAP_MS);
    expect(pacer.admit(reply(ptr), null, false)).toEqual(reply(ptr));
  });

  it('keeps only the answers not sent within the second, with their additionals', () => {
    const { pacer, advance } = pacerAt();
    pacer.admit(reply(ptr), null, false);
    advance(100);
    expect(pacer.admit(reply(ptr, srv), null, false)).toEqual(reply(srv));
  });

  it('paces each interface on its own', () => {
    const { pacer } = pacerAt();
    expect(pacer.admit(reply(ptr), '192.168.1.5', false)).not.toBeNull();
    expect(pacer.admit(reply(ptr), '10.0.0.5', false)).not.toBeNull();
    expect(pacer.admit(reply(ptr), '10.0.0.5', false)).toBeNull();
  });

  it('answers every probe: the prober must hear at once that the name is taken', () => {
    const { pacer, advance } = pacerAt();
    pacer.admit(reply(srv), null, false);
    advance(10);
    expect(pacer.admit(reply(srv), null, true)).toEqual(reply(srv));
  });
});
