// Why a result matched, in words a person reads at a glance: the note chunk under its headings, the transcript
// line with its time, the words printed in a photo, or "looks like" for a photo found by its pixels. The match is
// the segment that scored best (src/shared/types.ts `Match`). [Note: ui-explain]
import { parseQuery } from '../../shared/query.js';
import type { Hit } from '../../shared/types.js';
import { clock } from './format.js';

export interface Reason {
  readonly label: string; // short, shown above or over the text
  readonly text: string | null; // the chunk, the transcript line, the OCR words; null for an image match
  readonly time: number | null; // ms into a recording
  readonly words: boolean; // the segment holds the query's words, not only its meaning
}

export function explain(hit: Hit): Reason {
  const { segment, lexical } = hit.match;
  const text = segment.text?.replace(/\s+/g, ' ').trim() || null;
  switch (segment.kind) {
    case 'image':
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

/** The words to mark in a snippet: the free text's words (two letters or more) and quoted phrases. */
export function queryTerms(query: string): string[] {
  const parsed = parseQuery(query);
  const words = parsed.text
    .split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter((w) => [...w].length >= 2);
  return [...new Set([...parsed.phrases, ...words].map((t) => t.toLocaleLowerCase()))];
}

const LETTER = /[\p{L}\p{N}]/u;
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Hangul}]/u;

/** A term matches where a word starts ("red" in "red engine", not in "covered"); unspaced scripts match anywhere. */
function startsWord(text: string, at: number, term: string): boolean {
  if (at === 0 || UNSPACED.test(term.charAt(0))) return true;
  return !LETTER.test(text.charAt(at - 1));
}

/** What counts as close: a fraction of the best score, since what is "close" differs from model to model. */
export const CLOSE_RATIO = 0.6;

/**
 * Results in rank order split into the close ones and how many weaker ones follow: the best, anything whose
 * words matched (a lexical match can have a modest cosine), and anything within CLOSE_RATIO of the best score.
 */
export function closeFirst<T extends Hit>(hits: readonly T[], ratio = CLOSE_RATIO): { close: T[]; rest: number } {
  const best = Math.max(0, ...hits.map((h) => h.score));
  const close = hits.filter((h, i) => i === 0 || h.match.lexical || h.score >= best * ratio);
  return { close, rest: hits.length - close.length };
}

export interface Piece {
  readonly text: string;
  readonly mark: boolean;
}

/** `text` cut into plain and marked pieces wherever a term occurs (case-insensitive, overlaps merged). */
export function highlight(text: string, terms: readonly string[]): Piece[] {
  const lower = text.toLocaleLowerCase();
  const ranges: [number, number][] = [];
  // Lower-casing can change a string's length (rare letters); then marking is skipped rather than misplaced.
  if (lower.length === text.length) {
    for (const term of terms) {
      if (!term) continue;
      for (let at = lower.indexOf(term); at >= 0; at = lower.indexOf(term, at + 1)) {
        if (startsWord(text, at, term)) ranges.push([at, at + term.length]);
      }
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const pieces: Piece[] = [];
  let pos = 0;
  for (const [start, end] of ranges) {
    if (end <= pos) continue;
    const from = Math.max(start, pos);
    if (from > pos) pieces.push({ text: text.slice(pos, from), mark: false });
    const last = pieces[pieces.length - 1];
    if (last?.mark && from === pos) pieces[pieces.length - 1] = { text: last.text + text.slice(from, end), mark: true };
    else pieces.push({ text: text.slice(from, end), mark: true });
    pos = end;
  }
  if (pos < text.length) pieces.push({ text: text.slice(pos), mark: false });
  return pieces;
}

/**
 * At most `max` characters of `text` around the first marked term, cut at word boundaries with an ellipsis, so
 * a long chunk still shows why it matched in a card's three lines.
 */
export function snippet(text: string, terms: readonly string[], max = 240): string {
  if (text.length <= max) return text;
  const lower = text.toLocaleLowerCase();
  const hits = terms.map((t) => lower.indexOf(t)).filter((i) => i >= 0);
  const first = hits.length ? Math.min(...hits) : 0;
  let start = Math.max(0, first - Math.floor(max / 4));
  if (start > 0) {
    const space = text.indexOf(' ', start);
    start = space >= 0 && space < first ? space + 1 : start;
  }
  let end = Math.min(text.length, start + max);
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    end = space > start + max / 2 ? space : end;
  }
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
}
