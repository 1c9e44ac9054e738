// `@name` in message text: which parts name a current member, and whether a message mentions you.
// Names are compared by the name rule's key (names.ts), so `@ALICE` or a Cyrillic look-alike `@аlice`
// names alice just as the server would refuse them as duplicates. Links are never searched: an `@`
// inside an address is part of the address. Pure, shared by the renderer and the main process.
import { splitLinks } from './links.js';
import { nameKey } from './protocol/names.js';

export const MENTION_SIGN = '@';

/** A piece of plain message text: `member` is the member's name when the piece is a mention of them. */
export interface MentionPart {
  text: string;
  member: string | null;
}

// A mention starts where a word cannot continue ("mail@alice" is not one) and ends where a name
// cannot ("@alicex" is not alice).
const WORD = /[\p{L}\p{N}\p{M}_]/u;

export class MentionFinder {
  private readonly byKey = new Map<string, string>();
  /** The lengths (UTF-16 units) of the members' names, longest first: "@Bob Smith" beats "@Bob". */
  private readonly lengths: number[];

  constructor(members: readonly string[]) {
    for (const name of members) if (name.length > 0) this.byKey.set(nameKey(name), name);
    this.lengths = [...new Set([...this.byKey.values()].map((name) => name.length))].sort((a, b) => b - a);
  }

  /** The member named right after the sign at `at`, as the text spells it, or null. */
  private memberAt(text: string, at: number): { spelled: string; member: string } | null {
    const start = at + MENTION_SIGN.length;
    for (const length of this.lengths) {
      const end = start + length;
      if (end > text.length) continue;
      if (end < text.length && WORD.test(text.charAt(end))) continue;
      const spelled = text.slice(start, end);
      const member = this.byKey.get(nameKey(spelled));
      if (member !== undefined) return { spelled, member };
    }
    return null;
  }

  /** Splits plain text (no links) into ordinary parts and mentions of members. */
  splitPlain(text: string): MentionPart[] {
    const parts: MentionPart[] = [];
    let plainFrom = 0;
    let at = text.indexOf(MENTION_SIGN);
    while (at >= 0 && this.lengths.length > 0) {
      const found = at === 0 || !WORD.test(text.charAt(at - 1)) ? this.memberAt(text, at) : null;
      if (found) {
        if (at > plainFrom) parts.push({ text: text.slice(plainFrom, at), member: null });
        const end = at + MENTION_SIGN.length + found.spelled.length;
        parts.push({ text: text.slice(at, end), member: found.member });
        plainFrom = end;
        at = text.indexOf(MENTION_SIGN, end);
      } else {
        at = text.indexOf(MENTION_SIGN, at + 1);
      }
    }
    if (plainFrom < text.length) parts.push({ text: text.slice(plainFrom), member: null });
    return parts;
  }

  /** The members a message names, links left out. */
  mentioned(text: string): Set<string> {
    const names = new Set<string>();
    for (const part of splitLinks(text)) {
      if (part.url !== null) continue;
      for (const piece of this.splitPlain(part.text)) if (piece.member !== null) names.add(piece.member);
    }
    return names;
  }
}

/** True when `text` mentions `name` (outside links). */
export function mentionsName(text: string, name: string): boolean {
  return new MentionFinder([name]).mentioned(text).size > 0;
}
