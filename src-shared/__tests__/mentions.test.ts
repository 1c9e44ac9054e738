import { describe, expect, it } from 'vitest';
import { MentionFinder, mentionsName } from '../mentions.js';

const members = new MentionFinder(['alice', 'Bob', 'Bob Smith', 'Zoë']);

function mentions(text: string): [string, string][] {
  return members
    .splitPlain(text)
    .filter((p) => p.member !== null)
    .map((p) => [p.text, p.member ?? '']);
}

describe('MentionFinder', () => {
  it('finds members by the name rule: case, width and look-alikes fold', () => {
    expect(mentions('hi @alice and @BOB')).toEqual([
      ['@alice', 'alice'],
      ['@BOB', 'Bob'],
    ]);
    expect(mentions('@ａｌｉｃｅ, @\u0430lice?')).toEqual([
      ['@ａｌｉｃｅ', 'alice'],
      ['@\u0430lice', 'alice'],
    ]);
  });

  it('keeps the text intact around mentions', () => {
    const parts = members.splitPlain('ask @alice: now');
    expect(parts).toEqual([
      { text: 'ask ', member: null },
      { text: '@alice', member: 'alice' },
      { text: ': now', member: null },
    ]);
    expect(parts.map((p) => p.text).join('')).toBe('ask @alice: now');
  });

  it('prefers the longest member name', () => {
    expect(mentions('@Bob Smith said')).toEqual([['@Bob Smith', 'Bob Smith']]);
    expect(mentions('@Bob said')).toEqual([['@Bob', 'Bob']]);
  });

  it('needs a word boundary on both sides', () => {
    expect(mentions('mail@alice @alicex @alice_ @Zoë\u0301')).toEqual([]);
    expect(mentions('(@alice) @@alice')).toEqual([
      ['@alice', 'alice'],
      ['@alice', 'alice'],
    ]);
  });

  it('ignores names that are not members, and has no members to find in an empty room', () => {
    expect(mentions('@carol @')).toEqual([]);
    expect(new MentionFinder([]).splitPlain('@alice')).toEqual([{ text: '@alice', member: null }]);
  });

  it('never looks inside links', () => {
    expect(members.mentioned('https://example.com/@alice')).toEqual(new Set());
    expect(members.mentioned('https://example.com/@alice and @Bob')).toEqual(new Set(['Bob']));
  });
});

describe('mentionsName', () => {
  it('tells whether a message names one person', () => {
    expect(mentionsName('hey @ALICE', 'alice')).toBe(true);
    expect(mentionsName('hey alice', 'alice')).toBe(false);
    expect(mentionsName('see https://x.example/@alice', 'alice')).toBe(false);
  });
});
