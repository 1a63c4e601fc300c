// What counts as a match: decided here, once, for the CLI, the UI and the API alike. [Note: relevance]
//
// A cosine means different things in different spaces (CLIP's good text→photo matches score ~0.3, SigLIP's differ,
// the fixture pack's near 1), and a fixed cut-off or a fraction of the best score holds for none of them: "xyzzyqq"
// always has a best match. So each candidate is asked how unusual the query's score is *for it*: the same candidate
// is scored against a reference set of ordinary texts embedded by the same text tower (the space's vocabulary,
// `collections/vocabulary.ts`: "a photo of beach", "a photo of birthday", …), and the query's score is read as a
// z-value against that distribution (`robustStats` of calibrate.ts: the median, and the spread of its lower half
// with a floor, as link scores are read).
// A query that means something specific about the candidate stands out from ordinary texts (z ≥ Z_CLOSE); a word the
// model does not know, or a note whose text means nothing to the model, scores like ordinary texts do and never does.
// Lexical matches (the query's words, every one of them, are in the text) are close by definition.
//
// A vector with no meaning at all — zero, or all its components alike — is never a match (`meaningless`).
//
// Cost: one dot product per reference text per candidate (64 × 512 multiply-adds), kept per segment in a bounded
// cache, so a page of 300 hits costs ~5 ms the first time and nothing after.
import type { Store } from '../store/index.js';
import { robustStats } from '../collections/calibrate.js';
import type { PairStats } from '../collections/evidence.js';
import { dot } from '../collections/vectors.js';

export { dot };

/** How far above ordinary texts a candidate's score must stand to be a close match. */
export const Z_CLOSE = 3;
/** Reference texts used: every n-th vocabulary word, about this many. */
const REFERENCE = 64;
/** Fewer reference texts than this say too little (robustStats' own minimum): closeness falls back to the best score. */
const MIN_REFERENCE = 30;
/** Candidates whose background is remembered. */
const CACHE = 50_000;


/** Zero, not finite, or (near) constant in every component: a vector that says nothing. */
export function meaningless(v: Float32Array | undefined): boolean {
  if (!v || v.length === 0) return true;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!Number.isFinite(x)) return true;
    sum += x;
    sq += x * x;
  }
  if (sq < 1e-12) return true;
  const mean = sum / v.length;
  const variance = sq / v.length - mean * mean;
  // Relative spread of the components: a unit vector with one value everywhere has none.
  return variance / (sq / v.length) < 1e-4;
}

type Background = PairStats;

/** The reference texts' scores for one candidate, read as calibrate.ts reads link scores (median, lower-half spread). */
function background(reference: readonly Float32Array[], v: Float32Array): Background {
  const scores = new Float64Array(reference.length);
  for (let i = 0; i < reference.length; i++) scores[i] = dot(reference[i]!, v);
  return robustStats(scores) ?? { mean: 0, std: 1 };
}

/** The reference texts of one space and the backgrounds of the candidates seen so far. */
export class Relevance {
  private readonly cache = new Map<number, Background>();

  constructor(
    readonly spaceId: number,
    private readonly reference: readonly Float32Array[],
    readonly stamp: number,
  ) {}

  /** Whether closeness is read against reference texts (else: against the best score, a cruder rule). */
  get calibrated(): boolean {
    return this.reference.length >= MIN_REFERENCE;
  }

  /** How unusual `score` is for this candidate, in spreads of ordinary texts' scores above their median. */
  z(segmentId: number, vector: Float32Array, score: number): number {
    let b = this.cache.get(segmentId);
    if (!b) {
      b = background(this.reference, vector);
      if (this.cache.size >= CACHE) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(segmentId, b);
    }
    return (score - b.mean) / b.std;
  }

  /** The same, against how ordinary texts score for the query's own vector (a photo searched by). */
  zAgainst(query: Float32Array, score: number): number {
    if (this.queryVector !== query) {
      this.queryVector = query;
      this.queryBackground = background(this.reference, query);
    }
    const b = this.queryBackground!;
    return (score - b.mean) / b.std;
  }

  private queryVector: Float32Array | null = null;
  private queryBackground: Background | null = null;
}

const perStore = new WeakMap<Store, Map<number, Relevance>>();

/** The relevance of a space, read again when its vocabulary changed (a new space, words added). */
export function relevanceFor(store: Store, spaceId: number): Relevance {
  const stamp = store.db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM vocabulary WHERE space_id = ?').get(spaceId)!.n;
  let perSpace = perStore.get(store);
  if (!perSpace) perStore.set(store, (perSpace = new Map()));
  const known = perSpace.get(spaceId);
  if (known && known.stamp === stamp) return known;
  const rows = store.db.prepare<[number], { vector: Buffer }>('SELECT vector FROM vocabulary WHERE space_id = ? ORDER BY word').all(spaceId);
  const step = Math.max(1, Math.floor(rows.length / REFERENCE));
  const reference: Float32Array[] = [];
  for (let i = 0; i < rows.length; i += step) {
    const b = rows[i]!.vector;
    const v = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    if (!meaningless(v)) reference.push(v);
  }
  const r = new Relevance(spaceId, reference, stamp);
  perSpace.set(spaceId, r);
  return r;
}

/** Fallback without reference texts: within this fraction of the best score. */
export const CLOSE_RATIO = 0.6;
