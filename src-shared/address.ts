// Parsing of the "host address" a user types: `host`, `host:port`, `1.2.3.4:port`, `::1`, `[::1]:port`.

export interface HostAddress {
  /** Hostname or IP literal, IPv6 without brackets. */
  host: string;
  port: number;
}

export class AddressError extends Error {
  override name = 'AddressError';
}

function parsePort(text: string, input: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new AddressError(`invalid port in "${input}"`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw new AddressError(`port out of range in "${input}"`);
  return port;
}

/** Parses a user-typed address; throws AddressError with a readable message. */
export function parseHostAddress(input: string, defaultPort: number): HostAddress {
  const text = input.trim();
  if (text.length === 0) throw new AddressError('the host address is empty');
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) throw new AddressError(`missing "]" in "${input}"`);
    const host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (host.length === 0 || !host.includes(':')) throw new AddressError(`"${input}" is not an IPv6 address`);
    if (rest === '') return { host, port: defaultPort };
    if (!rest.startsWith(':')) throw new AddressError(`unexpected "${rest}" after "]" in "${input}"`);
    return { host, port: parsePort(rest.slice(1), input) };
  }
  const colons = text.split(':').length - 1;
  if (colons > 1) return { host: text, port: defaultPort }; // bare IPv6 literal
  if (colons === 1) {
    const [host, port] = text.split(':') as [string, string];
    if (host.length === 0) throw new AddressError(`missing host in "${input}"`);
    return { host, port: parsePort(port, input) };
  }
  if (/\s/.test(text)) throw new AddressError(`"${input}" is not a host name`);
  return { host: text, port: defaultPort };
}

/** Formats an address for display and copying: IPv6 in brackets. */
export function formatHostAddress(address: HostAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** The default TCRP port of Tincan servers. */
export const DEFAULT_PORT = 7777;
