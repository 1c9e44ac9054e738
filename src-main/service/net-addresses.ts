// Which addresses a host can tell others, and which interfaces it can listen on. Pure functions over
// the shape of os.networkInterfaces(), so they are testable with any table.
import type { NetworkInterfaceInfo } from 'node:os';
import { AddressError, DEFAULT_PORT, formatHostAddress, parseHostAddress } from '../../src-shared/address.js';
import { LinkError, formatJoinLink } from '../../src-shared/invite/join-link.js';
import type { NetInterfaceChoice } from '../../src-shared/ipc/contract.js';

export type InterfaceTable = NodeJS.Dict<NetworkInterfaceInfo[]>;

function isLoopback(host: string): boolean {
  return host === '::1' || host.startsWith('127.');
}

/** Address text for one interface entry; link-local IPv6 needs its zone to be usable. */
function entryHost(name: string, info: NetworkInterfaceInfo): string {
  if (info.family === 'IPv6' && info.address.toLowerCase().startsWith('fe80:')) return `${info.address}%${name}`;
  return info.address;
}

/** Every "host:port" others can use to reach a server bound to `bindHost`. Never empty. */
export function shareAddresses(bindHost: string, port: number, table: InterfaceTable): string[] {
  if (bindHost !== '0.0.0.0' && bindHost !== '::' && bindHost !== '')
    return [formatHostAddress({ host: bindHost, port })];
  const out: string[] = [];
  for (const [name, infos] of Object.entries(table)) {
    for (const info of infos ?? []) {
      if (info.internal) continue;
      if (bindHost === '0.0.0.0' && info.family !== 'IPv4') continue;
      out.push(formatHostAddress({ host: entryHost(name, info), port }));
    }
  }
  // Global addresses first: they are the ones that work from elsewhere.
  out.sort((a, b) => Number(a.includes('fe80:')) - Number(b.includes('fe80:')));
  if (out.length === 0) out.push(formatHostAddress({ host: bindHost === '::' ? '::1' : '127.0.0.1', port }));
  return out;
}

/** The address our own client uses to reach our embedded server. */
export function loopbackFor(bindHost: string): string {
  if (bindHost === '0.0.0.0' || bindHost === '') return '127.0.0.1';
  if (bindHost === '::') return '::1';
  return bindHost;
}

export function interfaceChoices(table: InterfaceTable): NetInterfaceChoice[] {
  const choices: NetInterfaceChoice[] = [
    { value: '0.0.0.0', label: 'All IPv4 interfaces (0.0.0.0)' },
    { value: '::', label: 'All interfaces, IPv4 and IPv6 (::)' },
    { value: '127.0.0.1', label: 'This computer only (127.0.0.1)' },
  ];
  for (const [name, infos] of Object.entries(table)) {
    for (const info of infos ?? []) {
      if (info.internal || isLoopback(info.address)) continue;
      const host = entryHost(name, info);
      choices.push({ value: host, label: `${name}: ${host}` });
    }
  }
  return choices;
}

export function inviteText(
  room: string,
  addresses: readonly string[],
  passwordProtected: boolean,
  /** The host certificate's fingerprint: the link carries it as `fp`, so members pin it. */
  fingerprint: string | null = null,
): string {
  const [first, ...others] = addresses;
  const lines = [`Join my Tincan chat room "${room}".`, `Host address: ${first ?? ''}`];
  if (others.length > 0) lines.push(`Other addresses: ${others.join(', ')}`);
  lines.push(`Room: ${room}`);
  if (passwordProtected) lines.push('Password: ask me for it');
  if (fingerprint) {
    lines.push(
      'Encrypted: the Tincan app connects over TLS, checks the host fingerprint below, and sends the password and messages sealed.',
    );
    lines.push(`Host fingerprint: ${fingerprint}`);
  }
  const link = inviteLink(room, addresses, fingerprint);
  if (link) lines.push(`Link: ${link}`);
  return lines.join('\n');
}

/** The invite link for the first address a link can carry (a link-local zone cannot travel), or null. */
export function inviteLink(
  room: string,
  addresses: readonly string[],
  fingerprint: string | null = null,
): string | null {
  for (const address of addresses) {
    try {
      const { host, port } = parseHostAddress(address, DEFAULT_PORT);
      return formatJoinLink({ host, port, room, fingerprint });
    } catch (err) {
      if (!(err instanceof LinkError) && !(err instanceof AddressError)) throw err;
    }
  }
  return null;
}
