// Links in peer text: which parts of a message become clickable, which links may leave the app, and
// how a link is shown before it is opened. One module for the renderer (making links), the main
// process (its confirmation) and web mode (its own confirmation), so all three agree. Pure.

/** Only these schemes are ever opened outside the app. */
export const EXTERNAL_SCHEMES: ReadonlySet<string> = new Set(['https:', 'http:', 'mailto:']);

// What the message finder calls a link: http(s) up to whitespace or a quote, minus trailing
// punctuation. Whitespace is \s without U+FEFF: an invisible character must not split a link into
// a clickable half and a plain rest that still look like one address.
const SPACE = '\\t-\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const URL_PATTERN = new RegExp(`\\bhttps?://[^${SPACE}<>"']+[^${SPACE}<>"'.,;:!?)\\]]`, 'giu');

// Characters that make a link look like something else: controls, bidi controls (overrides,
// embeddings, isolates, marks) and every default-ignorable (zero-width, U+FEFF, variation
// selectors, tags). A link with one of them is shown as plain text.
// eslint-disable-next-line no-control-regex -- spotting control characters is the point
const DECEPTIVE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Bidi_Control}\p{Default_Ignorable_Code_Point}]/u;

export type LinkProblem = 'deceptive' | 'invalid' | 'scheme';

/** Why `raw` may not be opened outside the app, or null when it may. */
export function externalLinkProblem(raw: string): LinkProblem | null {
  if (DECEPTIVE.test(raw)) return 'deceptive';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'invalid';
  }
  return EXTERNAL_SCHEMES.has(url.protocol) ? null : 'scheme';
}

export type TextPart = { text: string; url: string | null };

/** Splits text into plain parts and http(s) links; a link that could deceive stays plain text. */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let plain = '';
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index ?? 0;
    plain += text.slice(last, start);
    last = start + match[0].length;
    if (externalLinkProblem(match[0]) !== null) {
      plain += match[0];
      continue;
    }
    if (plain) parts.push({ text: plain, url: null });
    plain = '';
    parts.push({ text: match[0], url: match[0] });
  }
  plain += text.slice(last);
  if (plain) parts.push({ text: plain, url: null });
  return parts;
}

/** A link as the confirmation shows it: ASCII only, host punycoded, path percent-encoded. */
export interface LinkDisplay {
  /** "https:", "mailto:". */
  scheme: string;
  /** Host name in punycode with the port if any; empty for mailto. */
  host: string;
  /** Path, query and fragment as the URL parser normalised them. */
  path: string;
  /** The normalised URL that is opened. */
  href: string;
}

/** The normalised form of an allowed link, or null when it may not be opened. */
export function describeLink(raw: string): LinkDisplay | null {
  if (externalLinkProblem(raw) !== null) return null;
  const url = new URL(raw);
  if (url.protocol === 'mailto:') return { scheme: url.protocol, host: '', path: url.pathname, href: url.href };
  return { scheme: url.protocol, host: url.host, path: `${url.pathname}${url.search}${url.hash}`, href: url.href };
}

/** The confirmation text, the same in the Electron dialog and the web-mode prompt. */
export function confirmLinkText(link: LinkDisplay): string {
  const lines = [`Address: ${link.href}`];
  if (link.host) lines.unshift(`Site: ${link.host}`);
  else lines.unshift(`Mail to: ${link.path}`);
  return lines.join('\n');
}
