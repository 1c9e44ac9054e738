// Peer-supplied text shown outside our own UI (desktop notifications), where there is no <bdi> to
// isolate it and no guarantee of how a line break or a direction override is drawn: one line, no
// control, bidi or invisible characters, bounded length. Pure: used by the main process.

// C0/C1 controls, DEL and every default-ignorable code point (bidi embeddings, overrides and
// isolates, zero-width characters, U+FEFF, variation selectors, tags). Emoji glue goes too: a
// notification loses an emoji's exact form at worst, never its meaning.
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const UNSAFE = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\p{Default_Ignorable_Code_Point}]/gu;
// Line breaks and other vertical/horizontal spacing controls become one space.
const SPACING = /[\t\n\v\f\r\u2028\u2029\s]+/gu;

/**
 * `text` as one plain line of at most `maxChars` code points (an ellipsis marks a cut): line breaks
 * and runs of whitespace become one space, controls and invisible or direction-changing characters
 * are removed.
 */
export function plainDisplayText(text: string, maxChars: number): string {
  const line = text.replace(UNSAFE, '').replace(SPACING, ' ').trim();
  const chars = Array.from(line);
  if (chars.length <= maxChars) return line;
  return `${chars
    .slice(0, Math.max(0, maxChars - 1))
    .join('')
    .trimEnd()}…`;
}
