// Links between items: for each item, the items of other kinds (and notes to notes) that belong with it, kept in
// `links` with their evidence. [Note: links]
//
// Candidates come from three places, each cheap: items within two days of it (by the time index), items in its
// folder, and its nearest items by meaning — notes and recordings from a scan of their item vectors held in memory
// for the run, photos (for a note or a recording) from a KNN filtered to photos. Each candidate's evidence is measured, scored
// (evidence.ts) and the best MAX_LINKS above MIN_LINK_SCORE are kept. Photos are not linked to photos: the timeline
// and collections group them, and a library of 100k photos would hold millions of such links.
import type { ItemKind, LinkVerdict } from '../../../shared/types.js';
import type { Store } from '../store/index.js';
import { MAX_K } from '../store/spaces.js';
import { PLACE_COLUMNS, PLACE_JOIN } from '../store/items.js';
import type { Calibration } from './calibrate.js';
import { DAY, evidenceOf, linkScore, MIN_LINK_SCORE } from './evidence.js';
import type { LinkEvidence } from '../../../shared/types.js';
import { dot, folderOf, itemVectors, placed, type TimedRow, type VectorCache } from './vectors.js';

export const MAX_LINKS = 24;
const TIME_CANDIDATES = 200;
const FOLDER_CANDIDATES = 100;
const MEANING_CANDIDATES = 48;

/** Which kinds an item links to. */
export function linkable(a: ItemKind, b: ItemKind): boolean {
  return a !== b || a === 'note';
}

export interface StoredLink {
  readonly other: number;
  readonly score: number;
  readonly meaning: number | null;
  readonly similarity: number | null;
  readonly gapMs: number | null;
  readonly sameDay: boolean;
  readonly distanceM: number | null;
  readonly sameFolder: boolean;
}

/** The note and recording vectors of a space, held for one run, so a photo's candidates by meaning cost a scan. */
export class TextVectors {
  private loaded: { ids: number[]; kinds: ItemKind[]; vectors: Float32Array[] } | null = null;

  constructor(
    private readonly store: Store,
    private readonly spaceId: number,
  ) {}

  private load() {
    if (this.loaded) return this.loaded;
    const rows = this.store.db
      .prepare<[number], { id: number; kind: ItemKind }>(
        `SELECT i.id, i.kind FROM items i JOIN item_embeddings e ON e.item_id = i.id AND e.space_id = ?
         WHERE i.kind IN ('note', 'audio') AND i.status = 'indexed'`,
      )
      .all(this.spaceId);
    const vectors = itemVectors(this.store, this.spaceId, rows);
    const loaded = { ids: [] as number[], kinds: [] as ItemKind[], vectors: [] as Float32Array[] };
    for (const r of rows) {
      const v = vectors.get(r.id);
      if (!v) continue;
      loaded.ids.push(r.id);
      loaded.kinds.push(r.kind);
      loaded.vectors.push(v);
    }
    this.loaded = loaded;
    return loaded;
  }

  /** Forget: notes or recordings changed. */
  reset(): void {
    this.loaded = null;
  }

  nearest(vector: Float32Array, exclude: number, n: number): number[] {
    const { ids, vectors } = this.load();
    // The n best by insertion into a short sorted list: no sort of every note per photo.
    const best: { id: number; s: number }[] = [];
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] === exclude) continue;
      const s = dot(vector, vectors[i]!);
      if (best.length === n && s <= best[n - 1]!.s) continue;
      let at = best.length;
      while (at > 0 && best[at - 1]!.s < s) at--;
      best.splice(at, 0, { id: ids[i]!, s });
      if (best.length > n) best.pop();
    }
    return best.map((x) => x.id);
  }
}

const SELECT = `SELECT i.*, r.path AS root_path, ${PLACE_COLUMNS} FROM items i JOIN roots r ON r.id = i.root_id ${PLACE_JOIN}`;

export class LinksRepo {
  constructor(private readonly store: Store) {}

  /** An item's links, strongest first. */
  of(itemId: number, limit: number): StoredLink[] {
    return this.store.db
      .prepare<[number, number, number, number], Omit<StoredLink, 'sameDay' | 'sameFolder'> & { sameDay: number; sameFolder: number }>(
        `SELECT CASE WHEN a = ? THEN b ELSE a END AS other, score, meaning, similarity, gap_ms AS gapMs, same_day AS sameDay,
                distance_m AS distanceM, same_folder AS sameFolder
         FROM links WHERE a = ? OR b = ? ORDER BY score DESC LIMIT ?`,
      )
      .all(itemId, itemId, itemId, limit)
      .map((r) => ({ ...r, sameDay: r.sameDay === 1, sameFolder: r.sameFolder === 1 }));
  }

  verdicts(itemId: number): Map<number, LinkVerdict> {
    const rows = this.store.db
      .prepare<[number, number, number], { other: number; verdict: LinkVerdict }>(
        `SELECT CASE WHEN a = ? THEN b ELSE a END AS other, verdict FROM link_verdicts WHERE a = ? OR b = ?`,
      )
      .all(itemId, itemId, itemId);
    return new Map(rows.map((r) => [r.other, r.verdict]));
  }

  verdict(a: number, b: number): LinkVerdict | null {
    const [x, y] = a < b ? [a, b] : [b, a];
    return this.store.db.prepare<[number, number], { verdict: LinkVerdict }>('SELECT verdict FROM link_verdicts WHERE a = ? AND b = ?').get(x, y)?.verdict ?? null;
  }

  setVerdict(a: number, b: number, verdict: LinkVerdict | null): void {
    const [x, y] = a < b ? [a, b] : [b, a];
    if (verdict === null) this.store.db.prepare('DELETE FROM link_verdicts WHERE a = ? AND b = ?').run(x, y);
    else this.store.db.prepare('INSERT OR REPLACE INTO link_verdicts (a, b, verdict, at) VALUES (?, ?, ?, ?)').run(x, y, verdict, Date.now());
  }

  replace(itemId: number, links: readonly StoredLink[]): void {
    this.store.db.prepare('DELETE FROM links WHERE a = ? OR b = ?').run(itemId, itemId);
    const insert = this.store.db.prepare(
      `INSERT OR REPLACE INTO links (a, b, score, meaning, similarity, gap_ms, same_day, distance_m, same_folder) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const l of links) {
      const [a, b] = itemId < l.other ? [itemId, l.other] : [l.other, itemId];
      insert.run(a, b, l.score, l.meaning, l.similarity, l.gapMs, l.sameDay ? 1 : 0, l.distanceM, l.sameFolder ? 1 : 0);
    }
  }

  /** Items waiting for their links, oldest first. */
  queued(limit: number): number[] {
    return this.store.db.prepare<[number], { item_id: number }>('SELECT item_id FROM link_queue ORDER BY item_id LIMIT ?').all(limit).map((r) => r.item_id);
  }

  countQueued(): number {
    return this.store.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM link_queue').get()!.n;
  }

  dequeue(ids: readonly number[]): void {
    this.store.db.prepare('DELETE FROM link_queue WHERE item_id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids));
  }
}

function rows(store: Store, sql: string, ...params: unknown[]): TimedRow[] {
  return store.db.prepare(`${SELECT} ${sql}`).all(...params) as TimedRow[];
}

/** Candidates for an item's links: near in time, in its folder, near in meaning. */
export function candidates(store: Store, spaceId: number, item: TimedRow, vector: Float32Array | null, texts: TextVectors): TimedRow[] {
  const ids = new Set<number>();
  const found: TimedRow[] = [];
  const take = (list: readonly TimedRow[]) => {
    for (const r of list) {
      if (r.id === item.id || ids.has(r.id) || !linkable(item.kind, r.kind)) continue;
      ids.add(r.id);
      found.push(r);
    }
  };
  const p = placed(item);
  if (item.taken_at !== null && !p.guessed) {
    take(
      rows(
        store,
        `WHERE i.status = 'indexed' AND i.taken_at BETWEEN ? AND ? AND i.id != ? AND coalesce(i.time_source, 'mtime') != 'mtime'
         ${item.kind === 'photo' ? `AND i.kind != 'photo'` : ''}
         ORDER BY abs(i.taken_at - ?) LIMIT ?`,
        item.taken_at - 2 * DAY,
        item.taken_at + 2 * DAY,
        item.id,
        item.taken_at,
        TIME_CANDIDATES,
      ),
    );
  }
  // Its folder's items of the kinds it links to, by an index range on (root, kind, path): a folder of 20k photos
  // is not read to find the two notes in it.
  const folder = folderOf(item).slice(String(item.root_id).length + 1);
  const prefix = folder ? `${folder}/` : '';
  const kinds = (['photo', 'note', 'audio'] as const).filter((k) => linkable(item.kind, k));
  for (const kind of kinds) {
    take(
      rows(
        store,
        `WHERE i.root_id = ? AND i.kind = ? AND i.rel_path >= ? AND i.rel_path < ? AND i.status = 'indexed'
           AND instr(substr(i.rel_path, ?), '/') = 0 AND i.id != ? LIMIT ?`,
        item.root_id,
        kind,
        prefix,
        prefix ? `${folder}0` : '\uffff', // '0' follows '/'
        prefix.length + 1,
        item.id,
        FOLDER_CANDIDATES,
      ),
    );
  }
  if (vector) {
    // Notes and recordings by their item vectors, held in memory; photos (for a note or a recording) by a KNN
    // filtered to photos inside the scan: over /usr/share/doc's 200k note chunks a KNN of every kind took 115 ms
    // a note, one of photos 6.6 ms.
    const near = texts.nearest(vector, item.id, MEANING_CANDIDATES); // what an item does not link to is left by take()
    if (item.kind !== 'photo') {
      const seen = new Set<number>();
      let photos = 0;
      for (const n of store.spaces.knn(spaceId, vector, Math.min(MAX_K, MEANING_CANDIDATES * 2), { kinds: ['photo'], excludeItemId: item.id })) {
        if (!seen.has(n.itemId)) {
          seen.add(n.itemId);
          near.push(n.itemId);
          photos++;
        }
        if (photos >= MEANING_CANDIDATES) break;
      }
    }
    const missing = near.filter((id) => !ids.has(id));
    if (missing.length) take(rows(store, `WHERE i.status = 'indexed' AND i.id IN (SELECT value FROM json_each(?))`, JSON.stringify(missing)));
  }
  return found;
}

export interface Measured {
  readonly evidence: LinkEvidence;
  readonly dayOnly: boolean; // either is dated only by day (how time evidence is read)
}

/**
 * The evidence between an item and others, measured now: their item vectors' cosine read against this space's
 * calibration, time, place, folder. What links, related lists and an item's confirmed links all measure with.
 */
export function measure(store: Store, spaceId: number, calibration: Calibration, item: TimedRow, others: readonly TimedRow[], cache?: VectorCache): Map<number, Measured> {
  const vectors = itemVectors(store, spaceId, [item, ...others], cache);
  const mine = vectors.get(item.id);
  const me = placed(item);
  const out = new Map<number, Measured>();
  for (const row of others) {
    const v = vectors.get(row.id);
    const other = placed(row);
    out.set(row.id, {
      evidence: evidenceOf(me, other, mine && v ? dot(mine, v) : null, calibration.stats(item.kind, row.kind)),
      dayOnly: me.day || other.day,
    });
  }
  return out;
}

/** Measures and scores an item's candidates; the links worth keeping, strongest first. */
export function computeLinks(store: Store, spaceId: number, calibration: Calibration, item: TimedRow, texts: TextVectors, cache?: VectorCache): StoredLink[] {
  const vector = itemVectors(store, spaceId, [item], cache).get(item.id) ?? null;
  const links: StoredLink[] = [];
  for (const [other, { evidence, dayOnly }] of measure(store, spaceId, calibration, item, candidates(store, spaceId, item, vector, texts), cache)) {
    const score = linkScore(evidence, dayOnly);
    if (score >= MIN_LINK_SCORE) links.push({ other, score, ...evidence });
  }
  return links.sort((a, b) => b.score - a.score || a.other - b.other).slice(0, MAX_LINKS);
}
