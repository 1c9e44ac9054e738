// The STUN server a user names for the reachability check (`--stun`, and the app's preference):
// `host[:port]`, an IPv4 literal or a DNS name. One rule for the CLI, the IPC boundary and the Host
// form, so all three accept and refuse the same text with the same words. Pure string checks.
import { AddressError, parseHostAddress } from '../address.js';
import { isIpv4 } from '../invite/link-host.js';

export interface StunServerAddress {
  host: string;
  port: number;
}

/** STUN's registered port (RFC 8489 §18.6), used when none is named. */
export const STUN_PORT = 3478;

/** Longest text the preference holds: a 253-character name, ":" and a port. */
export const STUN_SERVER_MAX_LENGTH = 260;

const DNS_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63})*\.?$/;

/** The server named by `text`, or why it names none (plain words, no option name). */
export function readStunServer(text: string): { server: StunServerAddress } | { problem: string } {
  let parsed: StunServerAddress;
  try {
    parsed = parseHostAddress(text, STUN_PORT);
  } catch (err) {
    return { problem: err instanceof AddressError ? err.message : 'not a server address' };
  }
  if (parsed.host.includes(':')) return { problem: 'use an IPv4 address or a name: routers map IPv4' };
  const dotted = /^[\d.]+$/.test(parsed.host);
  if ((dotted && !isIpv4(parsed.host)) || (!dotted && !DNS_NAME.test(parsed.host))) {
    return { problem: `"${parsed.host.slice(0, 60)}" is not a host name or IPv4 address` };
  }
  return { server: parsed };
}

/** Null when `text` is empty (no check) or names a server; otherwise the problem. */
export function stunServerPrefProblem(text: string): string | null {
  if (text.trim() === '') return null;
  const read = readStunServer(text);
  return 'problem' in read ? read.problem : null;
}
