// A small, strict XML reader for the documents a gateway sends (device descriptions, SOAP replies).
// The gateway is untrusted: the input length, the element count and the nesting depth are capped; no
// DOCTYPE (so no entity expansion), only the five predefined entities and character references.
// Namespace prefixes are dropped: UPnP documents are matched by local name.

export interface XmlElement {
  /** Local name, prefix removed ("s:Envelope" → "Envelope"). */
  name: string;
  children: XmlElement[];
  /** Concatenated text directly inside this element (entities decoded). */
  text: string;
}

export class XmlError extends Error {}

export interface XmlLimits {
  maxChars: number;
  maxElements: number;
  maxDepth: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxChars: 64 * 1024, maxElements: 2000, maxDepth: 24 };

const NAME = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?$/;
const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function localName(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon === -1 ? qualified : qualified.slice(colon + 1);
}

function decodeText(raw: string): string {
  return raw.replace(/&([^;&\s]{1,10});/g, (whole, ref: string) => {
    if (ref in NAMED_ENTITIES) return NAMED_ENTITIES[ref] as string;
    const code = /^#x[0-9a-fA-F]{1,6}$/.test(ref)
      ? parseInt(ref.slice(2), 16)
      : /^#\d{1,7}$/.test(ref)
        ? parseInt(ref.slice(1), 10)
        : NaN;
    if (!Number.isInteger(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      throw new XmlError(`unknown entity ${whole}`);
    }
    return String.fromCodePoint(code);
  });
}

/** Parses one document and returns its root element; throws XmlError on anything malformed. */
export function parseXml(input: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  if (input.length > limits.maxChars) throw new XmlError(`document longer than ${limits.maxChars} characters`);
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let elements = 0;
  let at = 0;

  const appendText = (raw: string): void => {
    const parent = stack[stack.length - 1];
    if (parent) parent.text += raw;
    else if (raw.trim() !== '') throw new XmlError('text outside the root element');
  };

  while (at < input.length) {
    const open = input.indexOf('<', at);
    if (open === -1) {
      appendText(decodeText(input.slice(at)));
      break;
    }
    if (open > at) appendText(decodeText(input.slice(at, open)));

    if (input.startsWith('<?', open)) {
      const end = input.indexOf('?>', open + 2);
      if (end === -1) throw new XmlError('unterminated processing instruction');
      at = end + 2;
      continue;
    }
    if (input.startsWith('<!--', open)) {
      const end = input.indexOf('-->', open + 4);
      if (end === -1) throw new XmlError('unterminated comment');
      at = end + 3;
      continue;
    }
    if (input.startsWith('<![CDATA[', open)) {
      const end = input.indexOf(']]>', open + 9);
      if (end === -1) throw new XmlError('unterminated CDATA section');
      appendText(input.slice(open + 9, end));
      at = end + 3;
      continue;
    }
    if (input.startsWith('<!', open)) throw new XmlError('DOCTYPE and declarations are not accepted');

    const close = input.indexOf('>', open + 1);
    if (close === -1) throw new XmlError('unterminated tag');
    const tag = input.slice(open + 1, close);
    at = close + 1;

    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const current = stack.pop();
      if (!current || localName(name) !== current.name) throw new XmlError(`unexpected closing tag </${name}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const nameEnd = body.search(/\s|$/);
    const qualified = body.slice(0, nameEnd);
    if (!NAME.test(qualified)) throw new XmlError(`bad element name "${qualified.slice(0, 40)}"`);
    // Attributes (namespace declarations, encodingStyle) carry nothing we read: skipped, not parsed.
    if (++elements > limits.maxElements) throw new XmlError(`more than ${limits.maxElements} elements`);
    const element: XmlElement = { name: localName(qualified), children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else if (root) throw new XmlError('more than one root element');
    else root = element;
    if (!selfClosing) {
      stack.push(element);
      if (stack.length > limits.maxDepth) throw new XmlError(`nested deeper than ${limits.maxDepth}`);
    }
  }
  if (stack.length > 0) throw new XmlError(`element <${stack[stack.length - 1]?.name}> is not closed`);
  if (!root) throw new XmlError('no root element');
  return root;
}

/** Every element named `name` under `from` (depth-first, `from` itself excluded). */
export function findAll(from: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  const visit = (el: XmlElement): void => {
    for (const child of el.children) {
      if (child.name === name) found.push(child);
      visit(child);
    }
  };
  visit(from);
  return found;
}

/** The trimmed text of the first child named `name`, or undefined. */
export function childText(from: XmlElement, name: string): string | undefined {
  return from.children.find((c) => c.name === name)?.text.trim();
}
