// Embedding spaces and their vectors. [Note: vec-tables]
// A space is (model id, revision, dimensions). Each space has its own sqlite-vec `vec0` table, `vec_space_<id>`,
// with cosine distance and the metadata columns that filtered KNN needs (kind, item id, taken-at), so a query
// filters while it scans instead of after. A trigger per space deletes a segment's vector with the segment, so no
// vector is ever orphaned whichever way a segment goes (replaced, its item deleted, its root removed).
// sqlite-vec metadata columns cannot hold NULL: an unknown taken-at is stored as NO_DATE, below every real date.
import type { ItemKind, SpaceInfo } from '../../../shared/types.js';
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';
import { dotQ15, fromQ15, toQ15 } from './vector-codec.js';

export const NO_DATE = -(2n ** 62n);
/** vec0 answers at most this many neighbours per query. */
export const MAX_K = 4096;

export interface SpaceRow {
  id: number;
  model_id: string;
  revision: string;
  dimensions: number;
  state: SpaceInfo['state'];
  created_at: number;
}

export interface VectorRow {
  segmentId: number;
  itemId: number;
  kind: ItemKind;
  takenAt: number | null;
  vector: Float32Array;
}

export interface KnnFilter {
  kinds?: readonly ItemKind[];
  excludeItemId?: number;
  after?: number | null;
  before?: number | null;
  /** Only these items (a scope short enough to list: in:, near:, camera:): their vectors are scanned directly. */
  items?: ReadonlySet<number>;
  /** Which of these candidate segments a scope too broad to list lets through (the search widens until enough do). */
  passing?: (segmentIds: readonly number[]) => ReadonlySet<number>;
  /** Only items this lets through (those holding a quoted phrase and no excluded word). */
  keepItem?: (itemId: number) => boolean;
  /** One segment per item, its nearest: k items, not k segments (a long note's chunks do not fill the page). */
  perItem?: boolean;
  /** A search that widens to find enough items stops once this many came through (default: k). */
  enough?: number;
}

/**
 * k results of a search that cannot keep one segment per item or test items itself (sqlite-vec's scan, the graphs):
 * it is asked for a few more segments than k, and again for ×4 as many while fewer than k items come through and it
 * has more. Its results are best first, so an item's first segment is its nearest. [Note: flat-space]
 */
export function widenPerItem(search: (want: number) => Neighbour[], k: number, filter: Pick<KnnFilter, 'perItem' | 'keepItem' | 'enough'>): Neighbour[] {
  const enough = Math.min(k, filter.enough ?? k);
  for (let want = Math.min(MAX_K, filter.perItem ? enough * 2 + 16 : k); ; want = Math.min(MAX_K, want * 4)) {
    const found = search(want);
    const seen = new Set<number>();
    const kept = found.filter((n) => {
      if (filter.keepItem && !filter.keepItem(n.itemId)) return false;
      if (!filter.perItem) return true;
      if (seen.has(n.itemId)) return false;
      seen.add(n.itemId);
      return true;
    });
    if (kept.length >= enough || found.length < want || want >= MAX_K) return kept.slice(0, k);
  }
}

/**
 * The most items a scope lists for a direct scan of their vectors (more: candidates are tested instead, as the
 * search widens). With the approximate index the scan reads the copy beside its graphs (~3 µs a vector: 60 ms at
 * the limit), without it the 16-bit copy in SQLite (~12 µs), where a library small enough to have no index has
 * fewer vectors than that anyway.
 */
export const SCAN_ITEMS = 20_000;

export interface Neighbour {
  segmentId: number;
  itemId: number;
  distance: number;
}

export function vecTable(spaceId: number): string {
  return `vec_space_${Math.trunc(spaceId)}`;
}

/** The trigger that deletes a segment's vector in this space with the segment. [Note: vec-tables] */
export function createVecTrigger(db: Db, spaceId: number): void {
  const table = vecTable(spaceId);
  db.exec(`CREATE TRIGGER IF NOT EXISTS ${table}_segment_gone AFTER DELETE ON segments BEGIN
             DELETE FROM ${table} WHERE segment_id = old.id;
           END;`);
}

export class SpacesRepo {
  private readonly findStmt;
  private readonly byIdStmt;
  private readonly insertStmt;
  private readonly listStmt;
  private readonly stateStmt;
  private readonly markStmt;
  private readonly statements = new Map<string, Statement<unknown[], unknown>>();

  constructor(private readonly db: Db) {
    this.findStmt = db.prepare<[string, string, number], SpaceRow>(
      'SELECT * FROM spaces WHERE model_id = ? AND revision = ? AND dimensions = ?',
    );
    this.byIdStmt = db.prepare<[number], SpaceRow>('SELECT * FROM spaces WHERE id = ?');
    this.insertStmt = db.prepare<[string, string, number, string, number]>(
      'INSERT INTO spaces (model_id, revision, dimensions, state, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.listStmt = db.prepare<[], SpaceRow>('SELECT * FROM spaces ORDER BY id');
    this.stateStmt = db.prepare<[string, number]>('UPDATE spaces SET state = ? WHERE id = ?');
    this.markStmt = db.prepare<[number, number, string]>(
      `INSERT INTO item_embeddings (item_id, space_id, hash) VALUES (?, ?, ?)
       ON CONFLICT (item_id, space_id) DO UPDATE SET hash = excluded.hash`,
    );
  }

  get(id: number): SpaceRow | undefined {
    return this.byIdStmt.get(id);
  }

  find(modelId: string, revision: string, dimensions: number): SpaceRow | undefined {
    return this.findStmt.get(modelId, revision, dimensions);
  }

  /** The space for this model, made (with its vec0 table and trigger) if it does not exist yet. */
  ensure(modelId: string, revision: string, dimensions: number): SpaceRow {
    if (!Number.isInteger(dimensions) || dimensions <= 0 || dimensions > 8192) {
      throw new Error(`invalid embedding dimensions: ${dimensions}`);
    }
    const existing = this.find(modelId, revision, dimensions);
    if (existing) return existing;
    return this.db.transaction(() => {
      const hasActive = this.listStmt.all().some((s) => s.state === 'active');
      const id = Number(
        this.insertStmt.run(modelId, revision, dimensions, hasActive ? 'building' : 'active', Date.now())
          .lastInsertRowid,
      );
      const table = vecTable(id);
      this.db.exec(`
        CREATE VIRTUAL TABLE ${table} USING vec0(
          segment_id INTEGER PRIMARY KEY,
          embedding float[${dimensions}] distance_metric=cosine,
          kind TEXT,
          item_id INTEGER,
          taken_at INTEGER
        );
`);
      createVecTrigger(this.db, id);
      const row = this.get(id);
      if (!row) throw new Error(`space ${id} vanished after insert`);
      return row;
    })();
  }

  /** Every space's row (id, model, dimensions, state). */
  listRows(): SpaceRow[] {
    return this.listStmt.all();
  }

  list(): SpaceInfo[] {
    return this.listStmt.all().map((s) => {
      const items = this.cached<{ n: number }>('SELECT count(*) AS n FROM item_embeddings WHERE space_id = ?').get(s.id)!;
      const vectors = this.cached<{ n: number }>(`SELECT count(*) AS n FROM ${vecTable(s.id)}`).get()!;
      return {
        id: s.id,
        modelId: s.model_id,
        revision: s.revision,
        dimensions: s.dimensions,
        state: s.state,
        items: items.n,
        vectors: vectors.n,
      };
    });
  }

  active(): SpaceRow | undefined {
    return this.listStmt.all().find((s) => s.state === 'active');
  }

  /** Makes this space the one that answers queries; every other space is dropped with its vectors. */
  activate(id: number): void {
    this.db.transaction(() => {
      for (const s of this.listStmt.all()) if (s.id !== id) this.drop(s.id);
      this.stateStmt.run('active', id);
    })();
  }

  /** Deletes a space: its vec0 table, its trigger, its embedding marks. */
  drop(id: number): void {
    const table = vecTable(id);
    for (const sql of [...this.statements.keys()]) if (sql.includes(table)) this.statements.delete(sql);
    this.db.transaction(() => {
      this.db.exec(`DROP TRIGGER IF EXISTS ${table}_segment_gone; DROP TABLE IF EXISTS ${table};`);
      this.db.prepare('DELETE FROM spaces WHERE id = ?').run(id); // item_embeddings go by cascade
      this.db.prepare('DELETE FROM ann_log WHERE space_id = ?').run(id);
      this.db.prepare('DELETE FROM vectors_q15 WHERE space_id = ?').run(id);
      this.db.prepare('DELETE FROM ann_trimmed WHERE space_id = ?').run(id);
    })();
  }

  /** A prepared statement per SQL text: the per-space tables make SQL that differs by space. */
  private cached<R = unknown>(sql: string): Statement<unknown[], R> {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare<unknown[], unknown>(sql);
      this.statements.set(sql, stmt);
    }
    return stmt as Statement<unknown[], R>;
  }

  /** Writes vectors (call inside the batch's transaction). */
  insertVectors(spaceId: number, rows: readonly VectorRow[]): void {
    if (rows.length === 0) return;
    const stmt = this.cached(
      `INSERT INTO ${vecTable(spaceId)} (segment_id, embedding, kind, item_id, taken_at) VALUES (?, ?, ?, ?, ?)`,
    );
    const log = this.cached('INSERT INTO ann_log (space_id, segment_id, kind, added) VALUES (?, ?, ?, 1)'); // [Note: ann]
    const copy = this.cached('INSERT OR REPLACE INTO vectors_q15 (segment_id, space_id, v) VALUES (?, ?, ?)');
    for (const r of rows) {
      stmt.run(
        BigInt(r.segmentId),
        Buffer.from(r.vector.buffer, r.vector.byteOffset, r.vector.byteLength),
        r.kind,
        BigInt(r.itemId),
        r.takenAt === null ? NO_DATE : BigInt(Math.trunc(r.takenAt)),
      );
      log.run(spaceId, r.segmentId, r.kind);
      copy.run(r.segmentId, spaceId, toQ15(r.vector));
    }
  }

  /**
   * Sets the `taken_at` of an item's vectors in every space, when its time changes without re-embedding (a rename,
   * the backfill of old libraries). By segment id, the vec0 table's primary key: `WHERE item_id = ?` would scan the
   * whole table. Call inside a transaction. [Note: item-times]
   */
  setTakenAt(itemId: number, takenAt: number | null): void {
    const segments = this.cached<{ id: number }>('SELECT id FROM segments WHERE item_id = ?').all(itemId);
    if (segments.length === 0) return;
    const value = takenAt === null ? NO_DATE : BigInt(Math.trunc(takenAt));
    for (const space of this.listStmt.all()) {
      const stmt = this.cached(`UPDATE ${vecTable(space.id)} SET taken_at = ? WHERE segment_id = ?`);
      for (const s of segments) stmt.run(value, BigInt(s.id));
    }
  }

  /** Indexed items not yet embedded in this space at their current version. */
  missing(spaceId: number): number {
    return this.cached<{ n: number }>(
      `SELECT count(*) AS n FROM items i LEFT JOIN item_embeddings e ON e.item_id = i.id AND e.space_id = ?
       WHERE i.status = 'indexed' AND (e.hash IS NULL OR e.hash != i.hash)`,
    ).get(spaceId)!.n;
  }

  markEmbedded(itemId: number, spaceId: number, hash: string): void {
    this.markStmt.run(itemId, spaceId, hash);
  }

  /**
   * The stored vectors of these segments, from the 16-bit copy (a few µs each; cosines off by ~1e-4 at most), or from
   * the vec0 table when there is no copy or `exact` is asked (~170 µs each). [Note: ann]
   */
  vectors(spaceId: number, segmentIds: readonly number[], exact = false): Map<number, Float32Array> {
    const out = new Map<number, Float32Array>();
    if (segmentIds.length === 0) return out;
    if (!exact) {
      const fast = this.cached<{ id: number; v: Buffer }>(
        'SELECT segment_id AS id, v FROM vectors_q15 WHERE segment_id IN (SELECT value FROM json_each(?)) AND space_id = ?',
      );
      for (const row of fast.iterate(JSON.stringify(segmentIds), spaceId)) out.set(row.id, fromQ15(row.v));
      if (out.size === segmentIds.length) return out;
    }
    const stmt = this.cached<{ embedding: Buffer }>(`SELECT embedding FROM ${vecTable(spaceId)} WHERE segment_id = ?`);
    for (const id of segmentIds) {
      if (out.has(id)) continue;
      const row = stmt.get(BigInt(id));
      if (row) out.set(id, new Float32Array(row.embedding.buffer.slice(row.embedding.byteOffset, row.embedding.byteOffset + row.embedding.byteLength)));
    }
    return out;
  }

  /**
   * The k nearest segments of a short list of items, by their 16-bit vectors read in one statement (~12 µs each):
   * a scope that leaves few items is answered without the vec0 scan of the whole space. [Note: places]
   */
  scan(spaceId: number, query: Float32Array, k: number, items: ReadonlySet<number>, excludeItemId?: number): Neighbour[] {
    if (items.size === 0) return [];
    const stmt = this.cached<{ segmentId: number; itemId: number; v: Buffer }>(
      `SELECT q.segment_id AS segmentId, s.item_id AS itemId, q.v FROM segments s
       JOIN vectors_q15 q ON q.segment_id = s.id AND q.space_id = ?
       WHERE s.item_id IN (SELECT value FROM json_each(?))`,
    );
    const out: Neighbour[] = [];
    for (const row of stmt.iterate(spaceId, JSON.stringify([...items]))) {
      if (row.itemId === excludeItemId) continue;
      out.push({ segmentId: row.segmentId, itemId: row.itemId, distance: 1 - dotQ15(row.v, query) });
    }
    out.sort((a, b) => a.distance - b.distance);
    return out.slice(0, Math.min(Math.max(1, Math.trunc(k)), MAX_K));
  }

  /** The k nearest segments by cosine distance, filtered while scanning. */
  knn(spaceId: number, query: Float32Array, k: number, filter: KnnFilter = {}): Neighbour[] {
    if (filter.perItem || filter.keepItem) {
      const { perItem: _perItem, keepItem: _keepItem, enough: _enough, ...rest } = filter;
      return widenPerItem((want) => this.knn(spaceId, query, want, rest), k, filter);
    }
    if (filter.items) return this.scan(spaceId, query, k, filter.items, filter.excludeItemId);
    const { passing, ...rest } = filter;
    if (passing) {
      // A scope too broad to list: the nearest in the rest of the filter, widened until k pass it. [Note: places]
      for (let want = Math.min(MAX_K, k * 8); ; want = Math.min(MAX_K, want * 8)) {
        const found = this.knn(spaceId, query, want, rest);
        const pass = passing(found.map((n) => n.segmentId));
        const kept = found.filter((n) => pass.has(n.segmentId));
        if (kept.length >= k || found.length < want || want >= MAX_K) return kept.slice(0, k);
      }
    }
    const kinds = filter.kinds && filter.kinds.length > 0 ? [...new Set(filter.kinds)].sort() : null;
    const clauses = ['embedding MATCH ?', 'k = ?'];
    const params: unknown[] = [Buffer.from(query.buffer, query.byteOffset, query.byteLength), Math.min(Math.max(1, Math.trunc(k)), MAX_K)];
    if (kinds) {
      clauses.push(`kind IN (${kinds.map(() => '?').join(', ')})`);
      params.push(...kinds);
    }
    if (filter.excludeItemId !== undefined) {
      clauses.push('item_id != ?');
      params.push(BigInt(filter.excludeItemId));
    }
    if (filter.after !== undefined && filter.after !== null) {
      clauses.push('taken_at >= ?');
      params.push(BigInt(Math.trunc(filter.after)));
    }
    if (filter.before !== undefined && filter.before !== null) {
      clauses.push('taken_at < ?');
      params.push(BigInt(Math.trunc(filter.before)));
      if (filter.after === undefined || filter.after === null) {
        clauses.push('taken_at > ?'); // unknown dates are not "before" anything
        params.push(NO_DATE);
      }
    }
    const sql = `SELECT segment_id AS segmentId, item_id AS itemId, distance FROM ${vecTable(spaceId)}
                 WHERE ${clauses.join(' AND ')} ORDER BY distance`;
    return this.cached<Neighbour>(sql).all(...params).map((r) => ({
      segmentId: Number(r.segmentId),
      itemId: Number(r.itemId),
      distance: r.distance,
    }));
  }
}
