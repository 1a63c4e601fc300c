// Neighbouring segments → ranked items. Pure over the store's rows.
import { placeLabel, type Hit, type ItemSummary, type Passage } from '../../../shared/types.js';
import type { Store } from '../store/index.js';
import { toSummary } from '../store/items.js';
import { countryNames } from '../places/gazetteer.js';
import { findMarks, passage } from './words.js';

export interface ScoredSegment {
  readonly segmentId: number;
  readonly itemId: number;
  readonly score: number; // cosine similarity
  readonly lexical?: boolean; // found by the query's words
  readonly close?: boolean; // a close match ([Note: relevance]); taken as true when not said
}

/** Keeps each item's best segment, ranks items by it and takes `limit`. */
export function bestPerItem(scored: Iterable<ScoredSegment>, limit: number): ScoredSegment[] {
  const best = new Map<number, ScoredSegment>();
  for (const s of scored) {
    const b = best.get(s.itemId);
    if (!b || s.score > b.score) best.set(s.itemId, s);
  }
  return [...best.values()].sort((a, b) => b.score - a.score || a.itemId - b.itemId).slice(0, limit);
}

/**
 * Loads items and segments for ranked matches, in rank order, each with the passage that shows why it matched: the
 * part of its segment's text that holds the terms, with their offsets to mark. [Note: cjk]
 */
export function toHits(store: Store, ranked: readonly ScoredSegment[], terms: readonly string[] = []): Hit[] {
  const rows = new Map(store.items.many(ranked.map((r) => r.itemId)).map((r) => [r.id, r]));
  const segments = store.segments.many(ranked.map((r) => r.segmentId));
  const hits: Hit[] = [];
  for (const r of ranked) {
    const row = rows.get(r.itemId);
    const seg = segments.get(r.segmentId);
    if (!row || !seg) continue; // deleted between the KNN and now
    const { itemId: _itemId, ...segment } = seg;
    const score = Math.round(r.score * 10000) / 10000;
    const summary = toSummary(row);
    const shown = segment.text ? passage(segment.text, terms) : r.lexical ? wordsOutside(summary, terms) : null;
    hits.push({ item: summary, score, close: r.close ?? true, match: { segment, score, lexical: r.lexical === true, passage: shown } });
  }
  return hits;
}

/**
 * Where the words of a photo found by them are (a photo has no text of its own, bar OCR): the town it was taken in
 * (by the country's English name, or the name the query used), or its name and folders. [Note: places]
 */
function wordsOutside(item: ItemSummary, terms: readonly string[]): Passage | null {
  if (item.place) {
    const place = item.place;
    for (const text of [placeLabel(place), ...countryNames(place.country).slice(1).map((c) => placeLabel(place, c))]) {
      const marks = findMarks(text, terms);
      if (marks.length) return { text, marks, of: 'place' };
    }
  }
  const marks = findMarks(item.relPath, terms);
  return marks.length ? { text: item.relPath, marks, of: 'path' } : null;
}
