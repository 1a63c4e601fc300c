// Item → related items of the other kinds: a photo → its notes, a note → its photos. [Note: related]
// Every segment of the item (its image, each chunk of a note) looks for its nearest segments of the wanted kinds,
// the item itself excluded inside the KNN; an item's score is its best segment match over all of them.
import type { RelatedResponse } from '../../../shared/api.js';
import { TroveError } from '../../../shared/errors.js';
import { ITEM_KINDS, type Hit, type ItemKind, type SpaceInfo } from '../../../shared/types.js';
import type { Store } from '../store/index.js';
import { toSummary, type ItemRow } from '../store/items.js';
import { MAX_K } from '../store/spaces.js';
import { bestPerItem, toHits, type ScoredSegment } from './hits.js';
import { inTurn } from '../turns.js';
import type { Knn } from '../ann/registry.js';
import { meaningless, relevanceFor } from './relevance.js';
import { closeness } from './search.js';

/** A stand-in query for text probes: their candidates are judged by their own background. */
const NON_EMPTY = Float32Array.of(1, 0);
import { Calibration } from '../collections/calibrate.js';
import { linkInfo, linkScore, MIN_LINK_SCORE } from '../collections/evidence.js';
import { LinksRepo, measure } from '../collections/links.js';
import type { TimedRow } from '../collections/vectors.js';

/** Segments of one item that look for neighbours: enough to cover a long note without a KNN per paragraph. */
const MAX_PROBES = 64;

/**
 * Related items as hits. Each probe's KNN is one piece of synchronous work handed to `turn`, so other requests run in
 * between (on the engine's thread: `inTurn`; in the reader worker: a turn of its own event loop). [Note: responsive]
 */
export async function relatedHits(
  store: Store,
  spaceId: number,
  item: ItemRow,
  kinds: readonly ItemKind[] | undefined,
  limit: number,
  turn: <T>(work: () => T) => Promise<T> = (work) => inTurn(work, 'query'),
  knn: Knn = (...args) => store.spaces.knn(...args),
): Promise<Hit[]> {
  const wanted = kinds && kinds.length ? kinds : ITEM_KINDS.filter((k) => k !== item.kind);
  const segments = store.segments.forItem(item.id, spaceId);
  const vectors = store.spaces.vectors(
    spaceId,
    segments.map((s) => s.id),
  );
  if (item.status !== 'indexed' || vectors.size === 0) {
    throw new TroveError('NOT_FOUND', `${item.rel_path} is not indexed${item.error ? ` (${item.error})` : ''}`);
  }
  const probes = [...vectors.values()].filter((v) => !meaningless(v)); // a vector that says nothing finds nothing
  const step = Math.max(1, Math.ceil(probes.length / MAX_PROBES));
  const scored: ScoredSegment[] = [];
  const k = Math.min(MAX_K, limit * 4 + 16);
  for (let i = 0; i < probes.length; i += step) {
    const found = await turn(() => knn(spaceId, probes[i]!, k, { kinds: wanted, excludeItemId: item.id }));
    for (const n of found) scored.push({ ...n, score: 1 - n.distance });
  }
  // Ranked with the evidence that links them (time, place, folder besides meaning), what a person confirmed first,
  // what they rejected left out: the photo of the day of a journal note lists it before another day's note about the
  // same thing. [Note: links]
  return turn(() => withEvidence(store, spaceId, item, vectors, bestPerItem(scored, limit * 3 + 8), wanted, limit));
}

function withEvidence(store: Store, spaceId: number, item: ItemRow, vectors: Map<number, Float32Array>, byMeaning: readonly ScoredSegment[], wanted: readonly ItemKind[], limit: number): Hit[] {
  const links = new LinksRepo(store);
  const verdicts = links.verdicts(item.id);
  const candidates = new Map(byMeaning.map((s) => [s.itemId, s]));
  const linked = [...links.of(item.id, limit * 2).map((l) => l.other), ...[...verdicts].filter(([, v]) => v === 'confirmed').map(([id]) => id)];
  const extra = store.items.many(linked.filter((id) => !candidates.has(id))).filter((r) => r.status === 'indexed' && wanted.includes(r.kind));
  // An item found through its link, not its meaning, is shown by its first segment.
  for (const r of extra) {
    const first = store.segments.forItem(r.id, spaceId)[0];
    if (first) candidates.set(r.id, { segmentId: first.id, itemId: r.id, score: 0 });
  }
  for (const [id, v] of verdicts) if (v === 'rejected') candidates.delete(id);
  const rows = store.items.many([...candidates.keys()]) as TimedRow[];
  const measured = measure(store, spaceId, new Calibration(store, spaceId), item as TimedRow, rows);
  const ranked = [...candidates.values()].flatMap((s) => {
    const m = measured.get(s.itemId);
    return m ? [{ s, dayOnly: m.dayOnly, link: linkInfo(m.evidence, m.dayOnly, verdicts.get(s.itemId) ?? null) }] : [];
  });
  // Close: what a person confirmed, a meaning that stands out from ordinary texts' ([Note: relevance]), or evidence
  // besides meaning (the same day, the same place, the same folder) strong enough for a link on its own. A note whose
  // text means nothing to the model is like every such note, and no closer to it than ordinary texts are.
  const probe = item.kind === 'photo' ? [...vectors.values()][0] ?? null : null;
  const judge = closeness(relevanceFor(store, spaceId), probe ?? NON_EMPTY, probe !== null, Math.max(0, ...ranked.map((r) => r.s.score)));
  const candidateVectors = store.spaces.vectors(spaceId, ranked.map((r) => r.s.segmentId));
  const segs = store.segments.many(ranked.map((r) => r.s.segmentId));
  const judged = ranked.map((r) => {
    const v = candidateVectors.get(r.s.segmentId);
    const byMeaning = v !== undefined && r.s.score > 0 && judge(r.s.segmentId, segs.get(r.s.segmentId)?.kind === 'image', v, r.s.score);
    const withoutMeaning = linkScore({ ...r.link.evidence, meaning: null }, r.dayOnly) >= MIN_LINK_SCORE;
    return { ...r, s: { ...r.s, close: r.link.verdict === 'confirmed' || byMeaning || withoutMeaning } };
  });
  judged.sort((a, b) => Number(b.s.close) - Number(a.s.close) || b.link.score - a.link.score || b.s.score - a.s.score || a.s.itemId - b.s.itemId);
  const top = judged.slice(0, limit);
  const hits = toHits(store, top.map((r) => r.s));
  const infos = new Map(top.map((r) => [r.s.itemId, r.link]));
  return hits.map((h) => ({ ...h, link: infos.get(h.item.id)! }));
}

export async function related(
  store: Store,
  space: SpaceInfo,
  item: ItemRow,
  kinds: readonly ItemKind[] | undefined,
  limit: number,
): Promise<Omit<RelatedResponse, 'tookMs'>> {
  return { item: toSummary(item), hits: await relatedHits(store, space.id, item, kinds, limit) };
}
