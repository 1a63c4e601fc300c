// Text → items of any kind, by cosine in the joint space. [Note: search]
// The query is parsed (src/shared/query.ts), its free text embedded by the text tower, and the nearest segments
// found by a filtered KNN in the active space (kind and date filters are applied inside the scan, so a filter
// never empties a page). Segments are grouped per item; an item's score is its best segment's, and that segment
// is the explanation shown with the result. The query's words are also looked up in FTS5 (note text, OCR text,
// headings, titles, paths) and the two rankings fused: see [Note: fusion] in lexical.ts.
import type { SearchRequest, SearchResponse } from '../../../shared/api.js';
import { TroveError } from '../../../shared/errors.js';
import { parseQuery, type ParsedQuery } from '../../../shared/query.js';
import { ITEM_KINDS, type Hit, type ItemKind, type SpaceInfo } from '../../../shared/types.js';
import { createLogger, SLOW_QUERY_MS } from '../log.js';
import type { Encoder } from '../models/encoder.js';
import type { Store } from '../store/index.js';
import { MAX_K, SCAN_ITEMS } from '../store/spaces.js';
import { filterHits } from './browse.js';
import { toHits, type ScoredSegment } from './hits.js';
import { ftsQuery, fuse, itemsHolding, lexicalSearch, lexicalTerms } from './lexical.js';
import { normalise } from '../collections/vectors.js';
import { CLOSE_RATIO, dot, meaningless, relevanceFor, Z_CLOSE, type Relevance } from './relevance.js';
import { inTurn } from '../turns.js';
import { knnScope, scopeOf } from './scope.js';
import type { Knn } from '../ann/registry.js';


const log = createLogger('search');

export const DEFAULT_LIMIT = 20;

/** Readers that have answered a query: a slow first one is the reader starting, not a slow query. */
const warmed = new WeakSet<HitReader>();

/** The vector of a search of filters only: nothing to compare, the matches are listed by time. */
const NO_VECTOR = new Float32Array(0);

/**
 * Recent query vectors, per encoder: search as you type asks the same text again (a page reloaded, a filter
 * changed, back and forward), and the text tower is the dearest step of a search (~9 ms on 2 cores for CLIP's).
 */
const QUERY_CACHE = 256;
const queryCaches = new WeakMap<Encoder, Map<string, Float32Array>>();

async function queryVector(encoder: Encoder, text: string): Promise<Float32Array> {
  let cache = queryCaches.get(encoder);
  if (!cache) queryCaches.set(encoder, (cache = new Map()));
  const hit = cache.get(text);
  if (hit) {
    cache.delete(text); // most recent last
    cache.set(text, hit);
    return hit;
  }
  const [vector] = await encoder.embedQueries([text]);
  cache.set(text, vector!);
  if (cache.size > QUERY_CACHE) cache.delete(cache.keys().next().value!);
  return vector!;
}

/** Kinds from the request and from the query text: both narrow. */
export function combineKinds(fromRequest: readonly ItemKind[] | undefined, fromQuery: readonly ItemKind[]): ItemKind[] | null {
  const a = fromRequest && fromRequest.length ? new Set(fromRequest) : null;
  const b = fromQuery.length ? new Set(fromQuery) : null;
  if (a && b) return [...a].filter((k) => b.has(k));
  return a ? [...a] : b ? [...b] : null;
}

/**
 * Where a search's database work runs: the reader worker with its own connection (the engine), or this thread, a
 * piece per turn (tests, one-off uses). [Note: search-reader]
 */
export interface HitReader {
  hits(spaceId: number, vector: Float32Array, query: ParsedQuery, kinds: readonly ItemKind[] | null, limit: number, options?: HitOptions): Promise<Hit[]>;
}

/** A reader over a store in this thread. */
export function localReader(store: Store): HitReader {
  return { hits: (spaceId, vector, query, kinds, limit, options) => inTurn(() => findHits(store, spaceId, vector, query, kinds, limit, options), 'query') };
}

/** The lanes a request asks for: its own, or one of every kind it allows. */
function lanesOf(req: SearchRequest, kinds: readonly ItemKind[] | null, limit: number): { kinds: ItemKind[] | null; limit: number }[] {
  if (!req.lanes) return [{ kinds: kinds ? [...kinds] : null, limit }];
  return req.lanes.map((lane) => {
    const k = combineKinds(lane.kinds, kinds ?? []);
    return { kinds: k, limit: lane.limit ?? limit };
  });
}

/** What the query vector is made of: the query's text, its weighted parts, what it leaves out, a photo. */
export async function queryVectorOf(encoder: Encoder, query: ParsedQuery, image: Float32Array | null): Promise<Float32Array> {
  const parts: { text: string; weight: number }[] = [];
  if (query.text) {
    if (query.weighted.length === 0) parts.push({ text: query.text, weight: 1 });
    else {
      // rclip's way: each weighted part embedded alone and added with its weight, the rest of the text as one part.
      let rest = query.text;
      for (const w of query.weighted) rest = rest.replace(w.text, ' ');
      rest = rest.replace(/\s+/g, ' ').trim();
      if (rest) parts.push({ text: rest, weight: 1 });
      parts.push(...query.weighted);
    }
  }
  // What is left out is subtracted: its direction in the joint space steers the answer away from it.
  for (const x of query.exclude) if (parts.length || image) parts.push({ text: x, weight: -1 });
  const weighted: [Float32Array, number][] = image ? [[normalise(Float32Array.from(image)), 1]] : [];
  for (const p of parts) weighted.push([await queryVector(encoder, p.text), p.weight]);
  if (weighted.length === 1 && weighted[0]![1] === 1) return weighted[0]![0]; // the usual case: as the tower gave it
  const sum = new Float32Array(weighted[0]?.[0].length ?? 0);
  for (const [v, w] of weighted) for (let i = 0; i < sum.length; i++) sum[i]! += w * (v[i] ?? 0);
  return normalise(sum);
}


/** A photo to search by: its vector, and its item when it is in the library (not shown as its own match). */
export interface ImageQuery {
  readonly vector: Float32Array;
  readonly itemId: number | null;
}

export async function search(reader: HitReader | Store, encoder: Encoder, space: SpaceInfo, req: SearchRequest, image: ImageQuery | null = null): Promise<SearchResponse> {
  const started = performance.now();
  const limit = req.limit ?? DEFAULT_LIMIT;
  const query = parseQuery(req.query);
  // Filters and no words (`kind:photo after:2024-06`) list every match newest first. [Note: timeline]
  const filtersOnly = !image && !query.text && hasFilters(query, req);
  if (!query.text && !filtersOnly && !image) throw new TroveError('INVALID_ARGUMENT', 'type something to search for');
  const mode = filtersOnly ? 'filters' : 'meaning';
  const kinds = combineKinds(req.kinds, query.kinds);
  const lanes = lanesOf(req, kinds, limit);
  const tookMs = () => Math.round((performance.now() - started) * 10) / 10;

  // The query is embedded once for every lane. [Note: relevance]
  const vector = filtersOnly ? NO_VECTOR : await queryVectorOf(encoder, query, image?.vector ?? null);
  const options: HitOptions = image ? { byImage: true, ...(image.itemId !== null ? { excludeItemId: image.itemId } : {}) } : {};
  const hitReader = 'hits' in reader ? reader : localReader(reader);
  const answers = await Promise.all(
    lanes.map((lane) => (lane.kinds !== null && lane.kinds.length === 0 ? Promise.resolve([]) : hitReader.hits(space.id, vector, query, lane.kinds, lane.limit, options))),
  );
  const hits = answers.flat();
  const close = hits.filter((h) => h.close).length;
  const laneInfo = lanes.map((lane, i) => ({
    kinds: lane.kinds ?? [...ITEM_KINDS],
    count: answers[i]!.length,
    close: answers[i]!.filter((h) => h.close).length,
  }));
  const ms = tookMs();
  // The first query of a process also starts the search reader and warms its caches: said, but not as a warning.
  if (ms > SLOW_QUERY_MS) (warmed.has(hitReader) ? log.warn : log.info)('slow query', { query: req.query, ms, ...(warmed.has(hitReader) ? {} : { first: true }) });
  warmed.add(hitReader);
  const notice = hits.length === 0 && query.near?.place ? nearNotice(query.near.place) : mode === 'meaning' ? noticeFor(query, vector, image !== null, hits.length, close) : null;
  return { hits, close, lanes: laneInfo, notice, query, space, tookMs: ms, mode };
}

/** Whether a search narrows by anything besides words: kinds, dates, in:, near:, camera:. */
function hasFilters(query: ParsedQuery, req: SearchRequest): boolean {
  return query.kinds.length > 0 || query.after !== null || query.before !== null || query.within.length > 0 || query.near !== null || query.cameras.length > 0 || (req.kinds?.length ?? 0) > 0;
}

/** The answer of a library with nothing indexed yet: no hits, and what to do. The query is still checked. */
export function nothingIndexed(req: SearchRequest): SearchResponse {
  const query = parseQuery(req.query);
  const filtersOnly = !req.image && !query.text;
  if (filtersOnly && !hasFilters(query, req)) throw new TroveError('INVALID_ARGUMENT', 'type something to search for');
  const kinds = combineKinds(req.kinds, query.kinds);
  const lanes = lanesOf(req, kinds, req.limit ?? DEFAULT_LIMIT).map((lane) => ({ kinds: lane.kinds ?? [...ITEM_KINDS], count: 0, close: 0 }));
  return {
    hits: [],
    close: 0,
    lanes,
    notice: 'Nothing is indexed yet: add a folder (the Library page, or trove index <folder>) and search again once its files are in.',
    query,
    space: null,
    tookMs: 0,
    mode: filtersOnly ? 'filters' : 'meaning',
  };
}

/** Nothing near a town by name: it may be no town the gazetteer knows, or nothing was taken there. [Note: places] */
function nearNotice(place: string): string {
  return `Nothing was taken near “${place}”. near: takes a town's name (near:Lisbon) or a position (near:38.7,-9.1,20km).`;
}

/** What to tell a person about an answer with no close match. */
function noticeFor(query: ParsedQuery, vector: Float32Array, byImage: boolean, count: number, close: number): string | null {
  if (close > 0) return null;
  const what = byImage ? (query.text ? `this photo and “${query.text}”` : 'this photo') : `“${query.text}”`;
  if (meaningless(vector)) {
    // With -word, the words may have been found only in items it leaves out: say so, not that nothing holds them.
    const left = query.exclude.length ? ` outside the items left out by ${query.exclude.map((x) => `-${/\s/.test(x) ? `"${x}"` : x}`).join(' ')}` : '';
    return `${what} means nothing to the search model: only its exact words are looked for, and none were found${left}.`;
  }
  return count ? `No close matches for ${what}.` : `Nothing matches ${what}.`;
}

export interface HitOptions {
  /** The query is (or holds) a photo: its closeness to photos is judged against the best score. */
  readonly byImage?: boolean;
  /** The photo searched by, when it is in the library: not shown as its own match. */
  readonly excludeItemId?: number;
}

/**
 * Whether a match by meaning is close. [Note: relevance] The reference texts are compared with whichever side of
 * the pair is not text-to-text-scaled wrongly: a text query with the candidate (text→photo and text→text scores
 * alike), a photo query with itself (how ordinary texts score for this photo) for text candidates. A photo query
 * against photos has no text to compare with: within CLOSE_RATIO of the best score.
 */
export function closeness(relevance: Relevance, query: Float32Array, byImage: boolean, best: number): (segmentId: number, isImage: boolean, v: Float32Array, score: number) => boolean {
  if (meaningless(query)) return () => false;
  return (segmentId, isImage, v, score) => {
    if (meaningless(v)) return false;
    if (!relevance.calibrated || (byImage && isImage)) return score >= best * CLOSE_RATIO;
    return (byImage ? relevance.zAgainst(query, score) : relevance.z(segmentId, v, score)) >= Z_CLOSE;
  };
}

/**
 * The database part of a search, synchronous: nearest segments by meaning and segments holding the words, fused,
 * judged close or not, and loaded as hits (close ones first). Runs in the reader worker, or on this thread in a turn
 * of its own.
 */
export function findHits(
  store: Store,
  spaceId: number,
  vector: Float32Array,
  query: ParsedQuery,
  kinds: readonly ItemKind[] | null,
  limit: number,
  options: HitOptions = {},
  knn: Knn = (...args) => store.spaces.knn(...args),
): Hit[] {
  const byImage = options.byImage ?? false;
  if (vector.length === 0) return filterHits(store, spaceId, query, kinds, limit);
  const scope = scopeOf(store, query).scope;
  const lexFilter = { spaceId, kinds, after: query.after, before: query.before, scope };
  // in:, near:, camera: inside the nearest-neighbour search too: a short list scanned, or candidates tested.
  const filter = { ...(kinds ? { kinds } : {}), after: query.after, before: query.before, ...(scope ? knnScope(store, scope, lexFilter) : {}) };
  const terms = lexicalTerms(query);
  // Quoted phrases must appear: only the items that hold every one of them can match. [Note: relevance]
  const phrases = ftsQuery(query.phrases);
  const allowed = phrases ? new Set(lexicalSearch(store, phrases, lexFilter, MAX_K).map((h) => h.itemId)) : null;
  const excluded = new Set<number>();
  for (const x of query.exclude) {
    const q = ftsQuery([x]);
    if (q) for (const id of itemsHolding(store, q, lexFilter)) excluded.add(id);
  }
  const keep = (itemId: number) => (allowed === null || allowed.has(itemId)) && !excluded.has(itemId);

  // One segment per item, the nearest: a long note's chunks do not fill the page. A few more items than `limit`, so
  // an item also found by its words just past the page is fused with both ranks. A small space's copy in memory
  // finds each item's best in one pass; sqlite-vec and the graphs are asked for segments and widen ×4 while fewer
  // than `limit` items come through ([Note: flat-space]).
  // Items that hold the quoted phrases, when few, have their vectors scanned directly (as a listed in: scope does)
  // rather than the whole space widened until enough of them come up: a phrase held by a few notes widened k to the
  // end of the space, 75–90 ms a search at 8k vectors (BENCHMARKS.md, "Search under load", the fifth session's rerun).
  const phraseItems =
    allowed !== null && allowed.size <= SCAN_ITEMS && !filter.passing ? { items: filter.items ? new Set([...filter.items].filter((id) => allowed.has(id))) : allowed } : {};
  const wanted = { ...filter, ...phraseItems, perItem: true, enough: limit, keepItem: keep, ...(options.excludeItemId ? { excludeItemId: options.excludeItemId } : {}) };
  const byMeaning: ScoredSegment[] =
    meaningless(vector) || (allowed !== null && allowed.size === 0)
      ? []
      : knn(spaceId, vector, Math.min(MAX_K, limit * 2 + 16), wanted)
          .map((n) => ({ ...n, score: 1 - n.distance }))
          // By the score a hit shows (4 decimals, about what the 16-bit copies can tell apart), ties in item order:
          // the same order whichever search answered (sqlite-vec's float vectors, or the 16-bit copy in memory).
          .sort((a, b) => Math.round(b.score * 1e4) - Math.round(a.score * 1e4) || a.itemId - b.itemId);
  const fts = ftsQuery(terms);
  const byWords = fts ? lexicalSearch(store, fts, lexFilter, Math.min(MAX_K, limit * 8 + 32)).filter((h) => keep(h.itemId)) : [];
  const fused = fuse(byMeaning, byWords, limit);
  const vectors = store.spaces.vectors(spaceId, fused.map((f) => f.segmentId));
  const segments = store.segments.many(fused.map((f) => f.segmentId));
  const judge = closeness(relevanceFor(store, spaceId), vector, byImage, Math.max(0, ...fused.map((f) => f.vectorScore ?? 0)));
  const ranked: ScoredSegment[] = [];
  for (const f of fused) {
    const v = vectors.get(f.segmentId);
    // A segment whose vector says nothing (zero, constant) is found by its words or not at all.
    if (meaningless(v) && !f.lexical) continue;
    // An item found only by its words gets the cosine of the segment that holds them, so every score means the same.
    const score = f.vectorScore ?? (v ? dot(vector, v) : 0);
    const close = f.lexical || (v !== undefined && judge(f.segmentId, segments.get(f.segmentId)?.kind === 'image', v, score));
    ranked.push({ segmentId: f.segmentId, itemId: f.itemId, lexical: f.lexical, score, close });
  }
  // Close matches first, each group in rank order.
  const ordered = [...ranked.filter((r) => r.close), ...ranked.filter((r) => !r.close)];
  return toHits(store, ordered, terms);
}

