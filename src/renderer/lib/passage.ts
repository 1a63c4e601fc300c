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

/**
 * The letters and digits of a text, folded, with where each came from in `pieces` (typed arrays: a note of a
 * megabyte would otherwise make a million small objects).
 */
function letters(pieces: readonly string[]): { text: string; piece: Int32Array; offset: Int32Array } {
  let length = 0;
  for (const p of pieces) length += p.length;
  // A folded letter may be longer than the letter (İ → i̇): room for twice as many, then cut.
  const piece = new Int32Array(length * 2);
  const offset = new Int32Array(length * 2);
  const parts: string[] = [];
  let n = 0;
  pieces.forEach((p, i) => {
    for (let at = 0; at < p.length; ) {
      const ch = String.fromCodePoint(p.codePointAt(at)!);
      if (WORD.test(ch)) {
        const folded = ch.toLowerCase();
        for (let k = 0; k < folded.length; k++, n++) {
          piece[n] = i;
          offset[n] = at;
        }
        parts.push(folded);
      }
      at += ch.length;
    }
  });
  return { text: parts.join(''), piece: piece.subarray(0, n), offset: offset.subarray(0, n) };
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
    const last = { piece: page.piece[from + length - 1]!, offset: page.offset[from + length - 1]! };
    const lastChar = String.fromCodePoint(pieces[last.piece]!.codePointAt(last.offset)!);
    return { start: { piece: page.piece[from]!, offset: page.offset[from]! }, end: { piece: last.piece, offset: last.offset + lastChar.length } };
  }
  return null;
}
