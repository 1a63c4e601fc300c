// Why a result matched, in words a person reads at a glance: the note chunk under its headings, the transcript
// line with its time, the words printed in a photo, or "looks like" for a photo found by its pixels. The match is
// the segment that scored best (src/shared/types.ts `Match`). [Note: ui-explain]
import type { Hit, Passage } from '../../shared/types.js';
import { clock } from './format.js';

export interface Reason {
  readonly label: string; // short, shown above or over the text
  readonly text: string | null; // the chunk, the transcript line, the OCR words; null for an image match
  readonly time: number | null; // ms into a recording
  readonly words: boolean; // the segment holds the query's words, not only its meaning
}

export function explain(hit: Hit): Reason {
  const { segment, lexical } = hit.match;
  const text = hit.match.passage?.text || segment.text?.replace(/\s+/g, ' ').trim() || null;
  switch (segment.kind) {
    case 'image':
      // Found by its words: the town it was taken in, or its name and folders (the engine says which).
      if (hit.match.passage?.of === 'place') return { label: 'Taken in', text, time: null, words: lexical };
      if (hit.match.passage?.of === 'path') return { label: 'Name', text, time: null, words: lexical };
      return { label: 'Looks like it', text: null, time: null, words: lexical };
    case 'ocr':
      return { label: 'Text in the photo', text, time: null, words: lexical };
    case 'transcript':
      return { label: segment.start === null ? 'Said' : `Said at ${clock(segment.start)}`, text, time: segment.start, words: lexical };
    case 'text': {
      // The note's own title leads its breadcrumb; the card shows the title already.
      const crumbs = segment.breadcrumb[0] === hit.item.title ? segment.breadcrumb.slice(1) : segment.breadcrumb;
      return { label: crumbs.length ? crumbs.join(' › ') : 'In the text', text, time: null, words: lexical };
    }
  }
}

export interface Piece {
  readonly text: string;
  readonly mark: boolean;
}

/**
 * The engine's passage cut into plain and marked pieces. What to show and which words to mark are decided in the
 * engine, once, for every front door (DESIGN rule 10, [Note: cjk]); marks arrive sorted and apart.
 */
export function pieces(passage: Passage): Piece[] {
  const out: Piece[] = [];
  let pos = 0;
  for (const [start, end] of passage.marks) {
    if (start < pos || end <= start || end > passage.text.length) continue;
    if (start > pos) out.push({ text: passage.text.slice(pos, start), mark: false });
    out.push({ text: passage.text.slice(start, end), mark: true });
    pos = end;
  }
  if (pos < passage.text.length) out.push({ text: passage.text.slice(pos), mark: false });
  return out;
}
