// The similarity of unrelated items, per space and pair of kinds, from which meaning evidence is read.
// [Note: links] A sample of items of each kind (up to SAMPLE) is compared pair by pair; most pairs in a library are
// unrelated, but in a small library many are not (three outings: a third of all photo pairs share one), so the
// centre is the median and the spread is taken from the lower half (median − 16th percentile, one σ of a normal
// distribution), which related pairs above the median do not inflate. The sample is a fixed hash of the ids, so the
// same library gives the same figures. Kept in `space_stats` and made again when
// the library has doubled or halved since.
import { ITEM_KINDS, type ItemKind } from '../../../shared/types.js';
import type { Store } from '../store/index.js';
import { pairKey, type PairStats } from './evidence.js';
import { dot, itemVectors } from './vectors.js';

export const SAMPLE = 300;
/** Fewer pairs than this say too little: the pooled figure of every pair of kinds is used instead. */
const MIN_PAIRS = 30;
/** A spread below this (a model whose unrelated items all score alike) would make any likeness look certain. */
const MIN_STD = 0.015;
/** Before anything is known (an empty space). Chosen wide, so nothing looks related. */
const UNKNOWN: PairStats = { mean: 0, std: 1 };

export function robustStats(values: Float64Array | number[]): PairStats | null {
  if (values.length < MIN_PAIRS) return null;
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!;
  const median = at(0.5);
  return { mean: median, std: Math.max(MIN_STD, median - at(0.1587)) };
}

export class Calibration {
  private readonly cache = new Map<string, PairStats>();

  constructor(
    private readonly store: Store,
    private readonly spaceId: number,
  ) {
    const rows = store.db.prepare<[number], { pair: string; mean: number; std: number }>('SELECT pair, mean, std FROM space_stats WHERE space_id = ?').all(spaceId);
    for (const r of rows) this.cache.set(r.pair, { mean: r.mean, std: r.std });
  }

  stats(a: ItemKind, b: ItemKind): PairStats {
    return this.cache.get(pairKey(a, b)) ?? this.cache.get('all') ?? UNKNOWN;
  }

  /** Whether the stored figures are missing or were made for a library of a very different size. */
  stale(): boolean {
    const row = this.store.db.prepare<[number], { items: number }>(`SELECT max(items) AS items FROM space_stats WHERE space_id = ?`).get(this.spaceId);
    const now = this.store.db.prepare<[number], { n: number }>(`SELECT count(*) AS n FROM item_embeddings WHERE space_id = ?`).get(this.spaceId)!.n;
    if (!row || row.items === null) return now >= 2;
    return now > row.items * 2 || now < row.items / 2;
  }

  /** Measures the distributions again from a sample of the library. Call inside a write transaction. */
  refresh(): void {
    const sample = new Map<ItemKind, Float32Array[]>();
    let items = 0;
    for (const kind of ITEM_KINDS) {
      const rows = this.store.db
        .prepare<[number, string, number], { id: number; kind: ItemKind }>(
          `SELECT i.id, i.kind FROM items i JOIN item_embeddings e ON e.item_id = i.id AND e.space_id = ?
           WHERE i.kind = ? AND i.status = 'indexed' ORDER BY (i.id * 2654435761) % 4294967296 LIMIT ?`,
        )
        .all(this.spaceId, kind, SAMPLE);
      sample.set(kind, [...itemVectors(this.store, this.spaceId, rows).values()]);
    }
    items = this.store.db.prepare<[number], { n: number }>(`SELECT count(*) AS n FROM item_embeddings WHERE space_id = ?`).get(this.spaceId)!.n;
    const all: number[] = [];
    const write = this.store.db.prepare('INSERT OR REPLACE INTO space_stats (space_id, pair, mean, std, n, items) VALUES (?, ?, ?, ?, ?, ?)');
    this.store.db.prepare('DELETE FROM space_stats WHERE space_id = ?').run(this.spaceId);
    this.cache.clear();
    for (let i = 0; i < ITEM_KINDS.length; i++) {
      for (let j = i; j < ITEM_KINDS.length; j++) {
        const a = sample.get(ITEM_KINDS[i]!)!;
        const b = sample.get(ITEM_KINDS[j]!)!;
        const values: number[] = [];
        for (let x = 0; x < a.length; x++) for (let y = i === j ? x + 1 : 0; y < b.length; y++) values.push(dot(a[x]!, b[y]!));
        for (const v of values) all.push(v);
        const s = robustStats(values);
        if (!s) continue;
        const key = pairKey(ITEM_KINDS[i]!, ITEM_KINDS[j]!);
        this.cache.set(key, s);
        write.run(this.spaceId, key, s.mean, s.std, values.length, items);
      }
    }
    const pooled = robustStats(all);
    if (pooled) {
      this.cache.set('all', pooled);
      write.run(this.spaceId, 'all', pooled.mean, pooled.std, all.length, items);
    }
  }
}
