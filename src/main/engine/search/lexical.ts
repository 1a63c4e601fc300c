// Lexical search: the query's words in segment text, headings, titles and paths (FTS5), and the fusion of that
// ranking with the vector ranking. [Note: fusion]
// Words are ANDed: a query naming a word printed in a photo, or a rare word of a note, finds exactly those; a
// long descriptive query rarely matches every word and is left to the vectors. The two rankings are fused by
// reciprocal rank (1/(60 + rank), summed), so an item found both ways leads, and neither list's raw scores need
// to be comparable.
import type { ParsedQuery } from '../../../shared/query.js';
import type { ItemKind } from '../../../shared/types.js';
import type { Store } from '../store/index.js';
import type { ItemScope } from '../store/places.js';
import { itemFilterClauses } from '../store/timeline.js';
import type { ScoredSegment } from './hits.js';
import { gramsPhrase, hasGrams, wordsPhrase } from './words.js';

export const RRF_K = 60;

/** The terms a query looks for in text: its free words (outer punctuation dropped) and its quoted phrases. */
export function lexicalTerms(q: Pick<ParsedQuery, 'text' | 'phrases'>): string[] {
  let rest = q.text;
  for (const p of q.phrases) rest = rest.replace(p, ' ');
  const words = rest
    .split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter((w) => w.length > 0);
  return [...words, ...q.phrases.map((p) => p.trim()).filter(Boolean)];
}

/** FTS5 queries for a query's terms, every term a quoted phrase (so no input is FTS syntax). [Note: cjk] */
export interface FtsQuery {
  readonly words: string; // over segments_fts: the terms' words, segmented and folded as the index is
  readonly grams: string | null; // over grams_fts, when a term has Chinese, Japanese or Korean letters
  readonly raw: string; // over ocr_fts (trigrams of OCR text as read): the terms as typed
}

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** The FTS5 queries for a list of terms (all must match); null when none has a letter or digit. */
export function ftsQuery(terms: readonly string[]): FtsQuery | null {
  const words = terms.map(wordsPhrase).filter((p): p is string => p !== null);
  if (words.length === 0) return null;
  const grams = terms.some(hasGrams) ? terms.map((t) => gramsPhrase(t) ?? wordsPhrase(t)).filter((p): p is string => p !== null) : null;
  return { words: words.join(' '), grams: grams ? grams.join(' ') : null, raw: terms.map(quote).join(' ') };
}

export interface LexicalFilter {
  readonly spaceId: number; // text segments of other spaces (a model being switched to) are not looked at
  readonly kinds: readonly ItemKind[] | null;
  readonly after: number | null;
  readonly before: number | null;
  readonly scope?: ItemScope | null; // in:, near:, camera: [Note: places]
}

export interface LexicalHit {
  readonly segmentId: number;
  readonly itemId: number;
}

/**
 * Segments whose text, headings, title or path hold every term as words, best first (BM25); then those that hold the
 * Chinese, Japanese or Korean terms' letters in order (letter pairs: a word the dictionary cut otherwise, a Korean
 * word with its particle); then OCR text that holds every term inside longer runs of letters (trigrams), for words
 * OCR ran together.
 */
export function lexicalSearch(store: Store, fts: FtsQuery, filter: LexicalFilter, limit: number): LexicalHit[] {
  const out = ranked(store, 'segments_fts', fts.words, filter, limit);
  const seen = new Set(out.map((w) => w.segmentId));
  const more = (hits: LexicalHit[]) => {
    for (const h of hits) {
      if (seen.has(h.segmentId)) continue;
      seen.add(h.segmentId);
      out.push(h);
    }
  };
  if (fts.grams) more(ranked(store, 'grams_fts', fts.grams, filter, limit));
  more(ranked(store, 'ocr_fts', fts.raw, filter, limit));
  return out;
}

/**
 * BM25 weights of text, headings, title and path: every chunk of a note carries its title and path, so the chunk
 * whose own text holds the words must outrank its siblings, whose passage would not show them.
 */
const COLUMN_WEIGHTS = '8.0, 3.0, 1.0, 0.5';

function ranked(store: Store, table: 'segments_fts' | 'grams_fts' | 'ocr_fts', fts: string, filter: LexicalFilter, limit: number): LexicalHit[] {
  const params: unknown[] = [fts, filter.spaceId];
  const clauses = [`${table} MATCH ?`, `i.status = 'indexed'`, '(s.space_id IS NULL OR s.space_id = ?)', ...itemFilterClauses(filter, params)];
  params.push(limit);
  const sql = `SELECT s.id AS segmentId, s.item_id AS itemId FROM ${table}
               JOIN segments s ON s.id = ${table}.rowid JOIN items i ON i.id = s.item_id
               WHERE ${clauses.join(' AND ')} ORDER BY ${table === 'ocr_fts' ? `bm25(${table})` : `bm25(${table}, ${COLUMN_WEIGHTS})`} LIMIT ?`;
  return store.db.prepare<unknown[], LexicalHit>(sql).all(...params);
}

export interface Fused {
  readonly itemId: number;
  readonly segmentId: number; // the segment to show: the lexical match when there is one, else the vector match
  readonly vectorScore: number | null; // cosine of the best vector match, when the item was among the neighbours
  readonly lexical: boolean;
  readonly fused: number;
}

/** Reciprocal-rank fusion of per-item vector and lexical rankings. Pure. */
export function fuse(vector: readonly ScoredSegment[], lexical: readonly LexicalHit[], limit: number): Fused[] {
  const byItem = new Map<number, { segmentId: number; vectorScore: number | null; lexical: boolean; fused: number }>();
  vector.forEach((v, rank) => {
    if (byItem.has(v.itemId)) return; // the list is best-per-item already; keep the first
    byItem.set(v.itemId, { segmentId: v.segmentId, vectorScore: v.score, lexical: false, fused: 1 / (RRF_K + rank + 1) });
  });
  const seen = new Set<number>();
  let rank = 0;
  for (const l of lexical) {
    if (seen.has(l.itemId)) continue;
    seen.add(l.itemId);
    rank++;
    const boost = 1 / (RRF_K + rank);
    const entry = byItem.get(l.itemId);
    if (entry) byItem.set(l.itemId, { ...entry, segmentId: l.segmentId, lexical: true, fused: entry.fused + boost });
    else byItem.set(l.itemId, { segmentId: l.segmentId, vectorScore: null, lexical: true, fused: boost });
  }
  return [...byItem.entries()]
    .map(([itemId, e]) => ({ itemId, ...e }))
    // On a tie, the item that holds the query's words leads: an exact word is the more specific evidence.
    .sort((a, b) => b.fused - a.fused || Number(b.lexical) - Number(a.lexical) || (b.vectorScore ?? -2) - (a.vectorScore ?? -2) || a.itemId - b.itemId)
    .slice(0, limit);
}

/** Every item (within the filter) with a segment that holds the terms of `fts`: for -word, which leaves them out. */
export function itemsHolding(store: Store, fts: FtsQuery, filter: LexicalFilter): Set<number> {
  const out = new Set<number>();
  const tables: ['segments_fts' | 'grams_fts' | 'ocr_fts', string][] = [['segments_fts', fts.words], ...(fts.grams ? [['grams_fts', fts.grams] as ['grams_fts', string]] : []), ['ocr_fts', fts.raw]];
  for (const [table, q] of tables) {
    const params: unknown[] = [q, filter.spaceId];
    const clauses = [`${table} MATCH ?`, '(s.space_id IS NULL OR s.space_id = ?)', ...itemFilterClauses(filter, params)];
    const sql = `SELECT DISTINCT s.item_id AS id FROM ${table} JOIN segments s ON s.id = ${table}.rowid JOIN items i ON i.id = s.item_id WHERE ${clauses.join(' AND ')}`;
    for (const r of store.db.prepare<unknown[], { id: number }>(sql).iterate(...params)) out.add(r.id);
  }
  return out;
}
