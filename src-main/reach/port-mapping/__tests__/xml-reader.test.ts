import { describe, expect, it } from 'vitest';
import { childText, findAll, parseXml, XmlError } from '../xml-reader.js';

describe('parseXml', () => {
  it('reads elements by local name, decodes entities and CDATA, skips comments and declarations', () => {
    const root = parseXml(
      '<?xml version="1.0"?><s:Envelope xmlns:s="x"><!-- hi --><s:Body><a>1 &lt; 2 &amp; &#x41;&#66;</a><b><![CDATA[<raw>]]></b><c/></s:Body></s:Envelope>',
    );
    expect(root.name).toBe('Envelope');
    const body = findAll(root, 'Body')[0];
    expect(body && childText(body, 'a')).toBe('1 < 2 & AB');
    expect(body && childText(body, 'b')).toBe('<raw>');
    expect(body?.children.map((c) => c.name)).toEqual(['a', 'b', 'c']);
  });

  it.each([
    ['<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', /DOCTYPE/],
    ['<x>&bogus;</x>', /unknown entity/],
    ['<x>&#xD800;</x>', /unknown entity/],
    ['<x><y></x>', /unexpected closing tag/],
    ['<x>', /not closed/],
    ['<x></x><y></y>', /more than one root/],
    ['text<x/>', /outside the root/],
    ['<1x/>', /bad element name/],
    ['<x', /unterminated tag/],
    ['<x><!-- open</x>', /unterminated comment/],
    ['', /no root/],
  ])('refuses %j', (input, message) => {
    expect(() => parseXml(input)).toThrow(message);
  });

  it('caps the length, the element count and the depth', () => {
    const limits = { maxChars: 100, maxElements: 3, maxDepth: 2 };
    expect(() => parseXml(`<x>${'a'.repeat(200)}</x>`, limits)).toThrow(XmlError);
    expect(() => parseXml('<a><b/><c/><d/></a>', limits)).toThrow(/more than 3 elements/);
    expect(() => parseXml('<a><b><c></c></b></a>', limits)).toThrow(/deeper than 2/);
    expect(() => parseXml('<a><b/><c/></a>', limits)).not.toThrow();
  });
});
