// Text → items of any kind, by cosine in the joint space. [Note: search]
// The query is parsed (src/shared/query.ts), its free text embedded by the text tower, and the nearest segments
// found by a filtered KNN in the active space (kind and date filters are applied inside the scan, so a filter
// never empties a page). Segments are grouped per item; an item's score is its best segment's, and that segment
// is the explanation shown with the result. The query's words are also looked up in FTS5 (note text, OCR text,
// headings, titles, paths) and the two rankings fused: see [Note: fusion] in lexical.ts.
import type { SearchRequest, SearchResponse } from '../../../shared/api.js';
import { TroveError } from '../../../shared/errors.js';
import { parseQuery, type ParsedQuery } from '../../../shared/query.js';
import type { Hit, ItemKind, SpaceInfo } from '../../../shared/types.js';
import { createLogger, SLOW_QUERY_MS } from '../log.js';
import type { Encoder } from '../models/encoder.js';
import type { Store } from '../store/index.js';
import { MAX_K } from '../store/spaces.js';
import { filterHits } from './browse.js';
import { bestPerItem, toHits } from './hits.js';
import { ftsQuery, fuse, lexicalSearch } from './lexical.js';
import { inTurn } from '../turns.js';

function cosine(a: Float32Array, b: Float32Array | undefined): number {
  if (!b) return 0;
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot; // both are unit vectors
}

const log = createLogger('search');

export const DEFAULT_LIMIT = 20;

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
  hits(spaceId: number, vector: Float32Array, query: ParsedQuery, kinds: readonly ItemKind[] | null, limit: number): Promise<Hit[]>;
}

/** A reader over a store in this thread. */
export function localReader(store: Store): HitReader {
  return { hits: (spaceId, vector, query, kinds, limit) => inTurn(() => findHits(store, spaceId, vector, query, kinds, limit), 'query') };
}

export async function search(reader: HitReader | Store, encoder: Encoder, space: SpaceInfo, req: SearchRequest): Promise<SearchResponse> {
  const started = performance.now();
  const limit = req.limit ?? DEFAULT_LIMIT;
  const query = parseQuery(req.query);
  // Filters and no words (`kind:photo after:2024-06`) list every match newest first. [Note: timeline]
  const filtersOnly = !query.text && (query.kinds.length > 0 || query.after !== null || query.before !== null || (req.kinds?.length ?? 0) > 0);
  if (!query.text && !filtersOnly) throw new TroveError('INVALID_ARGUMENT', 'type something to search for');
  const mode = filtersOnly ? 'filters' : 'meaning';
  const kinds = combineKinds(req.kinds, query.kinds);
  const tookMs = () => Math.round((performance.now() - started) * 10) / 10;
  if (kinds !== null && kinds.length === 0) return { hits: [], query, space, tookMs: tookMs(), mode };

  const vector = filtersOnly ? NO_VECTOR : await queryVector(encoder, query.text);
  const hits = await ('hits' in reader ? reader : localReader(reader)).hits(space.id, vector, query, kinds, limit);
  const ms = tookMs();
  if (ms > SLOW_QUERY_MS) log.warn('slow query', { query: req.query, ms });
  return { hits, query, space, tookMs: ms, mode };
}

/**
 * The database part of a search, synchronous: nearest segments by meaning and segments holding the words, fused and
 * loaded as hits. Runs in the reader worker, or on this thread in a turn of its own.
 */
export function findHits(store: Store, spaceId: number, vector: Float32Array, query: ParsedQuery, kinds: readonly ItemKind[] | null, limit: number): Hit[] {
  if (vector.length === 0) return filterHits(store, spaceId, query, kinds, limit);
  // Several segments of one item may be near (a long note's chunks): ask for a few more than `limit`, and widen
  // when they hold fewer than `limit` distinct items and the space has more. The KNN's cost grows with k (at 7k
  // vectors: 0.6 ms for 20, 4.1 ms for 192), so the usual case asks for little.
  const filter = { ...(kinds ? { kinds } : {}), after: query.after, before: query.before };
  let k = Math.min(MAX_K, limit * 2 + 16);
  let neighbours = store.spaces.knn(spaceId, vector, k, filter);
  let byMeaning = bestPerItem(neighbours.map((n) => ({ ...n, score: 1 - n.distance })), k);
  // Once, ×4: enough for one long note crowding a page; issue 11's index finds distinct items without it.
  if (byMeaning.length < limit && neighbours.length === k && k < MAX_K) {
    k = Math.min(MAX_K, k * 4);
    neighbours = store.spaces.knn(spaceId, vector, k, filter);
    byMeaning = bestPerItem(neighbours.map((n) => ({ ...n, score: 1 - n.distance })), k);
  }
  const fts = ftsQuery(query);
  const byWords = fts ? lexicalSearch(store, fts, { spaceId, kinds, after: query.after, before: query.before }, Math.min(MAX_K, limit * 8 + 32)) : [];
  const fused = fuse(byMeaning, byWords, limit);
  // An item found only by its words gets the cosine of the segment that holds them, so every score means the same.
  const missing = fused.filter((f) => f.vectorScore === null).map((f) => f.segmentId);
  const vectors = store.spaces.vectors(spaceId, missing);
  const ranked = fused.map((f) => ({
    segmentId: f.segmentId,
    itemId: f.itemId,
    lexical: f.lexical,
    score: f.vectorScore ?? cosine(vector, vectors.get(f.segmentId)),
  }));
  return toHits(store, ranked);
}
