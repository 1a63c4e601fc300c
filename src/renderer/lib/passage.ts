// Where a note's matched passage lies in the note as the page renders it. [Note: ui-notes]
// A chunk's text is what the indexer read (Markdown's marks, line breaks and entities in it), the page shows the
// rendered note: the two are compared by their letters and digits only, in every script, folded to lower case, so
// `**Day 59:** the wheelbarrow` finds "Day 59: the wheelbarrow" in a paragraph of the page.

/** A place in the page's text: the index of a text piece and an offset in it (UTF-16 units). */
export interface TextPoint {
  readonly piece: number;
  readonly offset: number;
}

const WORD = /[\p{L}\p{N}]/u;

/** The letters and digits of a text, folded, with where each came from in `pieces`. */
function letters(pieces: readonly string[]): { text: string; at: TextPoint[] } {
  let text = '';
  const at: TextPoint[] = [];
  pieces.forEach((piece, i) => {
    for (let offset = 0; offset < piece.length; ) {
      const code = piece.codePointAt(offset)!;
      const ch = String.fromCodePoint(code);
      if (WORD.test(ch)) {
        const folded = ch.toLowerCase();
        for (let k = 0; k < folded.length; k++) at.push({ piece: i, offset });
        text += folded;
      }
      offset += ch.length;
    }
  });
  return { text, at };
}

/**
 * The span of `passage` among `pieces` (the page's text nodes, in order): its start and end, or null when it is not
 * there. The passage's first letters are looked for (40, then 16, so a passage cut differently still lands), and the
 * span runs as far as its letters go on matching.
 */
export function findPassage(pieces: readonly string[], passage: string): { start: TextPoint; end: TextPoint } | null {
  const want = letters([passage]).text;
  if (!want) return null;
  const page = letters(pieces);
  for (const head of [40, 16]) {
    const probe = want.slice(0, head);
    const from = page.text.indexOf(probe);
    if (from < 0) continue;
    let length = probe.length;
    while (length < want.length && from + length < page.text.length && page.text[from + length] === want[length]) length++;
    const last = page.at[from + length - 1]!;
    const lastChar = String.fromCodePoint(pieces[last.piece]!.codePointAt(last.offset)!);
    return { start: page.at[from]!, end: { piece: last.piece, offset: last.offset + lastChar.length } };
  }
  return null;
}
