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
import { Calibration } from '../collections/calibrate.js';
import { linkInfo } from '../collections/evidence.js';
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
  const probes = [...vectors.values()];
  const step = Math.max(1, Math.ceil(probes.length / MAX_PROBES));
  const scored: ScoredSegment[] = [];
  const k = Math.min(MAX_K, limit * 4 + 16);
  for (let i = 0; i < probes.length; i += step) {
    const found = await turn(() => store.spaces.knn(spaceId, probes[i]!, k, { kinds: wanted, excludeItemId: item.id }));
    for (const n of found) scored.push({ ...n, score: 1 - n.distance });
  }
  // Ranked with the evidence that links them (time, place, folder besides meaning), what a person confirmed first,
  // what they rejected left out: the photo of the day of a journal note lists it before another day's note about the
  // same thing. [Note: links]
  return turn(() => withEvidence(store, spaceId, item, bestPerItem(scored, limit * 3 + 8), wanted, limit));
}

function withEvidence(store: Store, spaceId: number, item: ItemRow, byMeaning: readonly ScoredSegment[], wanted: readonly ItemKind[], limit: number): Hit[] {
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
    return m ? [{ s, link: linkInfo(m.evidence, m.dayOnly, verdicts.get(s.itemId) ?? null) }] : [];
  });
  ranked.sort((a, b) => b.link.score - a.link.score || b.s.score - a.s.score || a.s.itemId - b.s.itemId);
  const top = ranked.slice(0, limit);
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
