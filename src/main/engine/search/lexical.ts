// Lexical search: the query's words in segment text, headings, titles and paths (FTS5), and the fusion of that
// ranking with the vector ranking. [Note: fusion]
// Words are ANDed: a query naming a word printed in a photo, or a rare word of a note, finds exactly those; a
// long descriptive query rarely matches every word and is left to the vectors. The two rankings are fused by
// reciprocal rank (1/(60 + rank), summed), so an item found both ways leads, and neither list's raw scores need
// to be comparable.
import type { ParsedQuery } from '../../../shared/query.js';
import type { ItemKind } from '../../../shared/types.js';
import type { Store } from '../store/index.js';
import { itemFilterClauses } from '../store/timeline.js';
import type { ScoredSegment } from './hits.js';

export const RRF_K = 60;

/** An FTS5 query for the parsed query, every term quoted (so no input is FTS syntax); null when nothing to look for. */
export function ftsQuery(q: Pick<ParsedQuery, 'text' | 'phrases'>): string | null {
  let rest = q.text;
  for (const p of q.phrases) rest = rest.replace(p, ' ');
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const terms = rest
    .split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter((w) => w.length > 0)
    .map(quote);
  const phrases = q.phrases.map((p) => p.trim()).filter(Boolean).map(quote);
  const all = [...terms, ...phrases];
  return all.length ? all.join(' ') : null;
}

export interface LexicalFilter {
  readonly spaceId: number; // text segments of other spaces (a model being switched to) are not looked at
  readonly kinds: readonly ItemKind[] | null;
  readonly after: number | null;
  readonly before: number | null;
}

export interface LexicalHit {
  readonly segmentId: number;
  readonly itemId: number;
}

/**
 * Segments whose text, headings, title or path hold every term, best first (BM25); then OCR text that holds every
 * term inside longer runs of letters (trigrams), for words OCR ran together.
 */
export function lexicalSearch(store: Store, fts: string, filter: LexicalFilter, limit: number): LexicalHit[] {
  const words = ranked(store, 'segments_fts', fts, filter, limit);
  const seen = new Set(words.map((w) => w.segmentId));
  const inside = ranked(store, 'ocr_fts', fts, filter, limit).filter((h) => !seen.has(h.segmentId));
  return [...words, ...inside];
}

function ranked(store: Store, table: 'segments_fts' | 'ocr_fts', fts: string, filter: LexicalFilter, limit: number): LexicalHit[] {
  const params: unknown[] = [fts, filter.spaceId];
  const clauses = [`${table} MATCH ?`, `i.status = 'indexed'`, '(s.space_id IS NULL OR s.space_id = ?)', ...itemFilterClauses(filter, params)];
  params.push(limit);
  const sql = `SELECT s.id AS segmentId, s.item_id AS itemId FROM ${table}
               JOIN segments s ON s.id = ${table}.rowid JOIN items i ON i.id = s.item_id
               WHERE ${clauses.join(' AND ')} ORDER BY bm25(${table}) LIMIT ?`;
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
