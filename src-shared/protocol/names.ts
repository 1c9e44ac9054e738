// The one rule for the human-chosen names that cross the wire (room names and usernames), used by
// the server, the client, the CLI and the UI. A name is printed in other people's member lists,
// terminals and logs, so it must look like what it is: nothing invisible, nothing that reorders the
// text around it, nothing that could pass for a plain-dialect line (`* notice` or `name: text`).
import { ROOM_NAME_MAX_BYTES, USERNAME_MAX_BYTES } from './limits.js';
import { utf8ByteLength } from './utf8.js';

export type NameProblem =
  | 'empty'
  | 'too-long'
  | 'control-character'
  | 'invisible-character'
  | 'surrounding-space'
  | 'notice-prefix'
  | 'line-separator';

// C0 controls, DEL, C1 controls, and the Unicode line/paragraph separators: any of these in a name
// could forge a line in someone's terminal or log.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

// Default-ignorable code points render as nothing (zero-width spaces and joiners, bidi controls
// U+202A–202E and U+2066–2069, U+FEFF, variation selectors, tag characters, fillers); U+2800 (braille
// blank) is not one but draws nothing either. Emoji are the exception: U+FE0F/U+FE0E right after a
// pictograph and U+200D between two pictographs are how emoji sequences are spelled.
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\u2800]/u;
const EMOJI_GLUE =
  /(?<=\p{Extended_Pictographic}\p{Emoji_Modifier}?)[\uFE0E\uFE0F]|(?<=\p{Extended_Pictographic}[\uFE0F\p{Emoji_Modifier}]?)\u200D(?=\p{Extended_Pictographic})/gu;

/** Plain-dialect notices start with `* ` and chat lines are `name: text` (see plain-text.ts). */
const NOTICE_START = '*';
const CHAT_SEPARATOR = ': ';

function checkName(name: string, maxBytes: number): NameProblem | null {
  if (name.length === 0) return 'empty';
  if (utf8ByteLength(name) > maxBytes) return 'too-long';
  if (CONTROL.test(name)) return 'control-character';
  if (INVISIBLE.test(name.replace(EMOJI_GLUE, ''))) return 'invisible-character';
  if (name.trim() !== name) return 'surrounding-space';
  if (name.startsWith(NOTICE_START)) return 'notice-prefix';
  if (name.includes(CHAT_SEPARATOR)) return 'line-separator';
  return null;
}

export function checkRoomName(name: string): NameProblem | null {
  return checkName(name, ROOM_NAME_MAX_BYTES);
}

export function checkUsername(name: string): NameProblem | null {
  return checkName(name, USERNAME_MAX_BYTES);
}

export function describeNameProblem(what: string, problem: NameProblem, maxBytes: number): string {
  switch (problem) {
    case 'empty':
      return `${what} must not be empty`;
    case 'too-long':
      return `${what} must be at most ${maxBytes} bytes of UTF-8`;
    case 'control-character':
      return `${what} must not contain control characters or line breaks`;
    case 'invisible-character':
      return `${what} must not contain invisible or text-direction characters`;
    case 'surrounding-space':
      return `${what} must not start or end with whitespace`;
    case 'notice-prefix':
      return `${what} must not start with "*"`;
    case 'line-separator':
      return `${what} must not contain ": " (a colon followed by a space)`;
  }
}

// The same characters, each to be replaced where a name is shown.
const HIDDEN = new RegExp(`${CONTROL.source}|${INVISIBLE.source}`, 'gu');

/**
 * `name` as it may appear inside a line of our own words (a join notice, a terminal line). A Tincan
 * server refuses names with control, invisible or direction-changing characters, but a spec server
 * relays whatever its users chose: there each such character becomes a visible U+FFFD, so the name
 * can neither hide nor reorder the words around it (`\u202Eecila joined` would draw as "denioj
 * alice"). A name that keeps the rule comes back unchanged, emoji sequences included.
 */
export function visibleName(name: string): string {
  if (!CONTROL.test(name) && !INVISIBLE.test(name.replace(EMOJI_GLUE, ''))) return name;
  return name.replace(HIDDEN, '\uFFFD');
}

// Letters of other scripts that are drawn like a Latin letter, mapped to it for comparison only. Not
// the full Unicode confusables table (thousands of entries): the Cyrillic and Greek lower-case
// look-alikes of Latin letters, which is what a spoofed "alice" or "admin" is made of.
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  а: 'a', // U+0430
  с: 'c', // U+0441
  ԁ: 'd', // U+0501
  е: 'e', // U+0435
  һ: 'h', // U+04BB
  і: 'i', // U+0456
  ӏ: 'l', // U+04CF
  ј: 'j', // U+0458
  о: 'o', // U+043E
  р: 'p', // U+0440
  ԛ: 'q', // U+051B
  ѕ: 's', // U+0455
  у: 'y', // U+0443
  ԝ: 'w', // U+051D
  х: 'x', // U+0445
  α: 'a', // U+03B1
  ϲ: 'c', // U+03F2
  ι: 'i', // U+03B9
  ν: 'v', // U+03BD
  ο: 'o', // U+03BF
  ρ: 'p', // U+03C1
  υ: 'u', // U+03C5
  χ: 'x', // U+03C7
  ı: 'i', // U+0131 dotless i
};
const LOOK_ALIKE = new RegExp(`[${Object.keys(LOOK_ALIKES).join('')}]`, 'gu');

/**
 * The key two names are compared by: names with equal keys cannot both exist (two members of one
 * room, or two rooms of one server). NFKC folds canonical and compatibility variants (NFC vs NFD,
 * full-width letters, ligatures); upper- then lower-casing, repeated, folds case (ẞ → ß → ss);
 * emoji glue is dropped and common Cyrillic/Greek look-alikes become the Latin letter. Names on the
 * wire stay as sent.
 */
export function nameKey(name: string): string {
  return foldCase(name.replace(EMOJI_GLUE, '').normalize('NFKC'))
    .normalize('NFKC')
    .replace(LOOK_ALIKE, (c) => LOOK_ALIKES[c] ?? c);
}

/**
 * Upper- then lower-cases until nothing changes: one round is not always enough (ẞ → ß, and only
 * the next round gives ss), and a key must be its own key. Two rounds settle every string we know
 * of; the bound keeps a hostile name from looping.
 */
function foldCase(text: string): string {
  let folded = text;
  for (let round = 0; round < 4; round++) {
    const next = folded.toUpperCase().toLowerCase();
    if (next === folded) break;
    folded = next;
  }
  return folded;
}
