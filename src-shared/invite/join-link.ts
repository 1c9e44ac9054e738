// Invite links: `tincan://join?v=1&host=…&port=…&room=…[&fp=…]`. The parser is strict because the
// operating system hands us links from anywhere: every malformed link gets its own message, and a
// link only ever fills the join form (no password field exists; a link never joins by itself).
import { ROOM_NAME_MAX_BYTES } from '../protocol/limits.js';
import { parseFingerprint } from '../protocol/encrypted-transport.js';
import { checkRoomName, describeNameProblem } from '../protocol/names.js';
import { bracket, linkHostProblem, unbracket } from './link-host.js';

export const LINK_SCHEME = 'tincan';
export const LINK_VERSION = 1;
/** Far above any valid link (host ≤ 253, room ≤ 28 bytes percent-encoded, fingerprint 95), far below abuse. */
export const LINK_MAX_LENGTH = 1024;

export interface JoinLink {
  /** Host name or IP literal; IPv6 without brackets. */
  host: string;
  port: number;
  room: string;
  /** SHA-256 certificate fingerprint of the host, 64 lowercase hex digits; the client pins it (accepts no other certificate). */
  fingerprint: string | null;
}

export type LinkProblem =
  | 'too-long'
  | 'scheme'
  | 'action'
  | 'syntax'
  | 'encoding'
  | 'unknown-parameter'
  | 'duplicate-parameter'
  | 'missing-parameter'
  | 'version'
  | 'host'
  | 'port'
  | 'room'
  | 'fingerprint';

export class LinkError extends Error {
  override name = 'LinkError';
  constructor(
    readonly problem: LinkProblem,
    message: string,
  ) {
    super(message);
  }
}

const KEYS = ['v', 'host', 'port', 'room', 'fp'] as const;
type Key = (typeof KEYS)[number];
const REQUIRED: readonly Key[] = ['host', 'port', 'room'];

function isKey(key: string): key is Key {
  return (KEYS as readonly string[]).includes(key);
}

/** True when `text` starts like one of our links, so callers can tell "malformed link" from "not a link". */
export function looksLikeLink(text: string): boolean {
  return text.trim().toLowerCase().startsWith(`${LINK_SCHEME}:`);
}

/** Parses an invite link; throws LinkError saying exactly what is wrong. */
export function parseJoinLink(input: string): JoinLink {
  const text = input.trim();
  if (text.length > LINK_MAX_LENGTH)
    throw new LinkError('too-long', `the link is too long (${text.length} characters; at most ${LINK_MAX_LENGTH})`);
  const colon = text.indexOf(':');
  // The scheme is case-insensitive (RFC 3986 §3.1); everything after it is not.
  if (colon < 0 || text.slice(0, colon).toLowerCase() !== LINK_SCHEME)
    throw new LinkError('scheme', `not a Tincan link: it must start with "${LINK_SCHEME}://"`);
  const rest = text.slice(colon + 1);
  if (!rest.startsWith('//'))
    throw new LinkError('scheme', `not a Tincan link: "${LINK_SCHEME}:" must be followed by "//"`);
  if (rest.includes('#')) throw new LinkError('syntax', 'the link must not contain "#"');
  const question = rest.indexOf('?');
  // Some launchers add a slash after the action ("tincan://join/?…"); accept that one form.
  const action = (question < 0 ? rest.slice(2) : rest.slice(2, question)).replace(/\/$/, '');
  if (action !== 'join')
    throw new LinkError(
      'action',
      action === ''
        ? 'the link names no action (expected "join")'
        : `unknown link action "${action}" (expected "join")`,
    );
  if (question < 0 || question === rest.length - 1)
    throw new LinkError('missing-parameter', 'the link has no host, port or room');
  const values = readQuery(rest.slice(question + 1));
  for (const key of REQUIRED) {
    if (values.get(key) === undefined) throw new LinkError('missing-parameter', `the link has no ${key}`);
  }
  const version = values.get('v');
  if (version !== undefined && version !== String(LINK_VERSION))
    throw new LinkError(
      'version',
      /^\d+$/.test(version) && Number(version) > LINK_VERSION
        ? `the link is for a newer version of Tincan (link version ${version}); update the app`
        : `the link version "${version}" is not valid (expected ${LINK_VERSION})`,
    );
  return {
    host: parseHost(values.get('host') ?? ''),
    port: parsePort(values.get('port') ?? ''),
    room: parseRoom(values.get('room') ?? ''),
    fingerprint: values.has('fp') ? parseLinkFingerprint(values.get('fp') ?? '') : null,
  };
}

/** Builds the link for a room; throws LinkError for fields the parser would refuse, so links always round-trip. */
export function formatJoinLink(link: JoinLink): string {
  const host = bracket(link.host);
  parseHost(host);
  parsePort(String(link.port));
  parseRoom(link.room);
  const parts = [`v=${LINK_VERSION}`, `host=${encode(host)}`, `port=${link.port}`, `room=${encode(link.room)}`];
  if (link.fingerprint !== null) parts.push(`fp=${parseLinkFingerprint(link.fingerprint)}`);
  return `${LINK_SCHEME}://join?${parts.join('&')}`;
}

// Brackets and colons of an IPv6 host stay readable; everything else outside the unreserved set is encoded.
function encode(value: string): string {
  return encodeURIComponent(value).replace(/%5B/g, '[').replace(/%5D/g, ']').replace(/%3A/g, ':');
}

function readQuery(query: string): Map<Key, string> {
  const values = new Map<Key, string>();
  for (const pair of query.split('&')) {
    if (pair === '') throw new LinkError('syntax', 'the link has an empty parameter ("&&" or a trailing "&")');
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const key = decode(rawKey, 'a parameter name');
    if (!isKey(key)) throw new LinkError('unknown-parameter', `the link has an unknown parameter "${key}"`);
    if (eq < 0) throw new LinkError('syntax', `the link parameter "${key}" has no value`);
    if (values.has(key)) throw new LinkError('duplicate-parameter', `the link gives "${key}" more than once`);
    values.set(key, decode(pair.slice(eq + 1), `"${key}"`));
  }
  return values;
}

function decode(text: string, what: string): string {
  // "+" stays a plus: links are URIs (RFC 3986), not HTML form data.
  try {
    return decodeURIComponent(text);
  } catch {
    throw new LinkError('encoding', `the link has a broken %-escape in ${what}`);
  }
}

function parseHost(text: string): string {
  const problem = linkHostProblem(text);
  if (problem) throw new LinkError('host', `bad host in the link: ${problem}`);
  return unbracket(text);
}

function parsePort(text: string): number {
  if (!/^[1-9]\d{0,4}$/.test(text) || Number(text) > 65535)
    throw new LinkError('port', `bad port in the link: "${text}" is not a whole number from 1 to 65535`);
  return Number(text);
}

function parseRoom(text: string): string {
  const problem = checkRoomName(text);
  if (problem)
    throw new LinkError(
      'room',
      `bad room in the link: ${describeNameProblem('the room name', problem, ROOM_NAME_MAX_BYTES)}`,
    );
  return text;
}

function parseLinkFingerprint(text: string): string {
  const fingerprint = parseFingerprint(text);
  if (fingerprint === null)
    throw new LinkError(
      'fingerprint',
      'bad fingerprint in the link: expected a SHA-256 fingerprint, 64 hex digits, optionally in colon-separated pairs',
    );
  return fingerprint;
}
