// The host of an invite link: an IPv4 literal, an IPv6 literal in brackets, or a DNS name. Pure string
// checks (src-shared has no node:net), strict so that a link can only ever name one machine.

/** Returns null when `text` is a valid link host, else why not. IPv6 must be written in brackets. */
export function linkHostProblem(text: string): string | null {
  if (text.length === 0) return 'the host is empty';
  if (text.startsWith('[') || text.endsWith(']')) {
    if (!text.startsWith('[') || !text.endsWith(']')) return `the host "${text}" has an unbalanced bracket`;
    const inner = text.slice(1, -1);
    if (inner.includes('%')) return `the host "${text}" has a zone (%…), which only works on the host's own network`;
    return isIpv6(inner) ? null : `the host "${text}" is not a valid IPv6 address`;
  }
  if (text.includes(':')) return `the IPv6 address "${text}" must be written in brackets, e.g. [${text}]`;
  if (/^[\d.]+$/.test(text)) return isIpv4(text) ? null : `the host "${text}" is not a valid IPv4 address`;
  return dnsNameProblem(text);
}

/** The host as the rest of the app uses it: IPv6 without brackets. */
export function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** The host as a link writes it: IPv6 in brackets. */
export function bracket(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export function isIpv4(text: string): boolean {
  const parts = text.split('.');
  // No leading zeros: "010" reads as octal to some resolvers.
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

export function isIpv6(text: string): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = (half: string): string[] | null => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!head || !tail) return false;
  const all = [...head, ...tail];
  // An embedded IPv4 address (::ffff:1.2.3.4) counts as two groups and may only come last.
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const group = all[i] ?? '';
    if (i === all.length - 1 && group.includes('.')) {
      if (!isIpv4(group)) return false;
      count += 2;
    } else if (/^[0-9a-fA-F]{1,4}$/.test(group)) {
      count += 1;
    } else {
      return false;
    }
  }
  return halves.length === 2 ? count <= 7 : count === 8;
}

function dnsNameProblem(text: string): string | null {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length > 253) return `the host name is longer than 253 characters`;
  for (const label of name.split('.')) {
    if (label.length === 0) return `the host name "${text}" has an empty part`;
    if (label.length > 63) return `the host name "${text}" has a part longer than 63 characters`;
    if (!/^[A-Za-z0-9-]+$/.test(label))
      return `the host name "${text}" may only use letters, digits, "-" and "." (international names in xn-- form)`;
    if (label.startsWith('-') || label.endsWith('-'))
      return `a part of the host name "${text}" starts or ends with "-"`;
  }
  return null;
}
