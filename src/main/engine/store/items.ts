import { join } from 'node:path';
import type { ItemDetail, ItemKind, ItemStatus, ItemSummary, TimeSource } from '../../../shared/types.js';
import type { Db } from './db.js';
import { toPlace, type PlacesRepo } from './places.js';

export interface ItemRow {
  id: number;
  root_id: number;
  root_path: string;
  rel_path: string;
  kind: ItemKind;
  size: number;
  mtime: number;
  hash: string | null;
  status: ItemStatus;
  error: string | null;
  title: string;
  taken_at: number | null;
  time_source: TimeSource | null; // NULL: written before migration 7, until backfillTimes fills it in
  time_day: number;
  width: number | null;
  height: number | null;
  duration_ms: number | null;
  camera: string | null;
  latitude: number | null;
  longitude: number | null;
  place_id?: number | null;
  phash?: string | null;
  // From PLACE_JOIN, where a query reads it:
  place_name?: string | null;
  place_region?: string | null;
  place_country?: string | null;
  place_latitude?: number | null;
  place_longitude?: number | null;
}

/** The columns of an item's town, for toSummary: `${PLACE_COLUMNS} … ${PLACE_JOIN}` beside `items i`. [Note: places] */
export const PLACE_COLUMNS = 'p.name AS place_name, p.region AS place_region, p.country AS place_country, p.latitude AS place_latitude, p.longitude AS place_longitude';
export const PLACE_JOIN = 'LEFT JOIN places p ON p.id = i.place_id';

/** What extraction learnt about a file, written together with its segments. */
export interface ItemFacts {
  title: string;
  /** Wall-clock ms written as UTC. An extractor sets its own (EXIF, front matter, tags) with its source; the indexer
   * then settles the time with chooseTime (ingest/when.ts), so an indexed item always has one. [Note: item-times] */
  takenAt: number | null;
  timeSource?: TimeSource | null;
  timeDay?: boolean; // only the day is known
  width: number | null;
  height: number | null;
  durationMs: number | null;
  camera: string | null;
  latitude: number | null;
  longitude: number | null;
  phash?: string | null; // a photo's perceptual hash [Note: duplicates]
  meta: Record<string, unknown>;
}

/** Facts with nothing known but the title; extractors fill in what they learn. */
export function noFacts(title: string, meta: Record<string, unknown> = {}): ItemFacts {
  return { title, takenAt: null, width: null, height: null, durationMs: null, camera: null, latitude: null, longitude: null, meta };
}

export interface FileState {
  rootId: number;
  relPath: string;
  kind: ItemKind;
  size: number;
  mtime: number;
  hash: string;
}

const SELECT = `SELECT i.*, r.path AS root_path, ${PLACE_COLUMNS} FROM items i JOIN roots r ON r.id = i.root_id ${PLACE_JOIN}`;

export function absolutePath(rootPath: string, relPath: string): string {
  return join(rootPath, ...relPath.split('/'));
}

export function toSummary(row: ItemRow): ItemSummary {
  return {
    id: row.id,
    rootId: row.root_id,
    path: absolutePath(row.root_path, row.rel_path),
    relPath: row.rel_path,
    kind: row.kind,
    title: row.title,
    size: row.size,
    mtime: row.mtime,
    takenAt: row.taken_at,
    timeSource: row.time_source ?? null,
    timeDay: row.time_day === 1,
    status: row.status,
    error: row.error,
    width: row.width,
    height: row.height,
    durationMs: row.duration_ms,
    place:
      row.place_id && row.place_name
        ? toPlace({ id: row.place_id, name: row.place_name, region: row.place_region ?? null, country: row.place_country!, latitude: row.place_latitude!, longitude: row.place_longitude! })
        : null,
  };
}

export function toDetail(row: ItemRow, segments: ItemDetail['segments']): ItemDetail {
  return {
    ...toSummary(row),
    hash: row.hash,
    width: row.width,
    height: row.height,
    durationMs: row.duration_ms,
    camera: row.camera,
    latitude: row.latitude,
    longitude: row.longitude,
    segments,
  };
}

/** The fields change detection needs, for every item of a root. */
export interface KnownFile {
  id: number;
  relPath: string;
  kind: ItemKind;
  size: number;
  mtime: number;
  hash: string | null;
  status: ItemStatus;
  embeddedHash: string | null; // the hash at which it was embedded in the space asked about
  ocrHash: string | null; // the hash at which OCR ran
  ocrText: string | null; // what OCR found then ('' when nothing)
}

/** An indexed item whose time was written before migration 7 (time_source NULL). [Note: item-times] */
export interface UntimedItem {
  id: number;
  kind: ItemKind;
  rootPath: string;
  relPath: string;
  mtime: number;
  takenAt: number | null;
}

export interface OcrWork {
  id: number;
  rootPath: string;
  relPath: string;
  hash: string;
  takenAt: number | null;
}

export class ItemsRepo {
  private readonly byIdStmt;
  private readonly byPathStmt;
  private readonly byIdsStmt;
  private readonly knownStmt;
  private readonly upsertStmt;
  private readonly failStmt;
  private readonly touchStmt;
  private readonly deleteStmt;
  private readonly countsStmt;
  private readonly errorsStmt;
  private readonly errorCountStmt;
  private readonly moveStmt;
  private readonly needingOcrStmt;
  private readonly countOcrStmt;
  private readonly setOcrStmt;
  private readonly setTimeStmt;
  private readonly fillTimeStmt;
  private readonly untimedStmt;

  constructor(db: Db, private readonly places: PlacesRepo) {
    this.byIdStmt = db.prepare<[number], ItemRow>(`${SELECT} WHERE i.id = ?`);
    this.byPathStmt = db.prepare<[number, string], ItemRow>(`${SELECT} WHERE i.root_id = ? AND i.rel_path = ?`);
    this.byIdsStmt = db.prepare<[string], ItemRow>(`${SELECT} WHERE i.id IN (SELECT value FROM json_each(?))`);
    this.knownStmt = db.prepare<[number, number], KnownFile>(
      `SELECT i.id, i.rel_path AS relPath, i.kind, i.size, i.mtime, i.hash, i.status, e.hash AS embeddedHash,
              i.ocr_hash AS ocrHash, i.ocr_text AS ocrText
       FROM items i LEFT JOIN item_embeddings e ON e.item_id = i.id AND e.space_id = ?
       WHERE i.root_id = ?`,
    );
    this.upsertStmt = db.prepare(
      `INSERT INTO items (root_id, rel_path, kind, size, mtime, hash, status, error, title, taken_at, time_source,
                          time_day, width, height, duration_ms, camera, latitude, longitude, place_id, phash, meta, indexed_at)
       VALUES (@rootId, @relPath, @kind, @size, @mtime, @hash, 'indexed', NULL, @title, @takenAt, @timeSource,
               @timeDay, @width, @height, @durationMs, @camera, @latitude, @longitude, @placeId, @phash, @meta, @now)
       ON CONFLICT (root_id, rel_path) DO UPDATE SET
         kind = excluded.kind, size = excluded.size, mtime = excluded.mtime, hash = excluded.hash,
         status = 'indexed', error = NULL, title = excluded.title, taken_at = excluded.taken_at,
         time_source = excluded.time_source, time_day = excluded.time_day,
         width = excluded.width, height = excluded.height, duration_ms = excluded.duration_ms,
         camera = excluded.camera, latitude = excluded.latitude, longitude = excluded.longitude,
         place_id = excluded.place_id, phash = excluded.phash, meta = excluded.meta, indexed_at = excluded.indexed_at
       RETURNING id`,
    );
    this.failStmt = db.prepare(
      `INSERT INTO items (root_id, rel_path, kind, size, mtime, hash, status, error, title, indexed_at)
       VALUES (@rootId, @relPath, @kind, @size, @mtime, @hash, 'error', @error, @title, @now)
       ON CONFLICT (root_id, rel_path) DO UPDATE SET
         kind = excluded.kind, size = excluded.size, mtime = excluded.mtime, hash = excluded.hash,
         status = 'error', error = excluded.error, indexed_at = excluded.indexed_at
       RETURNING id`,
    );
    this.touchStmt = db.prepare<[number, number, number]>('UPDATE items SET size = ?, mtime = ? WHERE id = ?');
    this.deleteStmt = db.prepare<[number]>('DELETE FROM items WHERE id = ?');
    this.countsStmt = db.prepare<[], { kind: ItemKind; n: number }>(
      `SELECT kind, count(*) AS n FROM items WHERE status = 'indexed' GROUP BY kind`,
    );
    this.errorsStmt = db.prepare<[number], ItemRow>(`${SELECT} WHERE i.status = 'error' ORDER BY i.rel_path LIMIT ?`);
    this.errorCountStmt = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM items WHERE status = 'error'`);
    this.moveStmt = db.prepare<[number, string, number, number, string | null, number]>(
      'UPDATE items SET root_id = ?, rel_path = ?, size = ?, mtime = ?, title = coalesce(?, title) WHERE id = ?',
    );
    const needing = `FROM items i JOIN roots r ON r.id = i.root_id
       WHERE i.kind = 'photo' AND i.status = 'indexed' AND r.ocr = 1 AND r.present = 1
         AND (i.ocr_hash IS NULL OR i.ocr_hash != i.hash)`;
    this.needingOcrStmt = db.prepare<[number], OcrWork>(
      `SELECT i.id, r.path AS rootPath, i.rel_path AS relPath, i.hash, i.taken_at AS takenAt ${needing} ORDER BY i.id LIMIT ?`,
    );
    this.countOcrStmt = db.prepare<[], { n: number }>(`SELECT count(*) AS n ${needing}`);
    this.setOcrStmt = db.prepare<[string, string, number]>('UPDATE items SET ocr_hash = ?, ocr_text = ? WHERE id = ?');
    this.setTimeStmt = db.prepare<[number, string, number, number]>('UPDATE items SET taken_at = ?, time_source = ?, time_day = ? WHERE id = ?');
    this.fillTimeStmt = db.prepare<[number, string, number, number]>(
      'UPDATE items SET taken_at = ?, time_source = ?, time_day = ? WHERE id = ? AND time_source IS NULL',
    );
    this.untimedStmt = db.prepare<[number, number], UntimedItem>(
      `SELECT i.id, i.kind, r.path AS rootPath, i.rel_path AS relPath, i.mtime, i.taken_at AS takenAt
       FROM items i JOIN roots r ON r.id = i.root_id
       WHERE i.status = 'indexed' AND i.time_source IS NULL AND i.id > ? ORDER BY i.id LIMIT ?`,
    );
  }

  get(id: number): ItemRow | undefined {
    return this.byIdStmt.get(id);
  }

  byPath(rootId: number, relPath: string): ItemRow | undefined {
    return this.byPathStmt.get(rootId, relPath);
  }

  /** Rows for these ids, in no particular order. */
  many(ids: readonly number[]): ItemRow[] {
    return ids.length === 0 ? [] : this.byIdsStmt.all(JSON.stringify(ids));
  }

  known(rootId: number, spaceId: number): KnownFile[] {
    return this.knownStmt.all(spaceId, rootId);
  }

  /** Writes an indexed item (insert or update); returns its id. Call inside the batch's transaction. */
  upsertIndexed(file: FileState, facts: ItemFacts, now = Date.now()): number {
    const row = this.upsertStmt.get({
      ...file,
      title: facts.title,
      takenAt: facts.takenAt,
      timeSource: facts.timeSource ?? null,
      timeDay: facts.timeDay ? 1 : 0,
      width: facts.width,
      height: facts.height,
      durationMs: facts.durationMs,
      camera: facts.camera,
      latitude: facts.latitude,
      longitude: facts.longitude,
      placeId: this.places.placeFor(facts.latitude, facts.longitude),
      phash: facts.phash ?? null,
      meta: JSON.stringify(facts.meta),
      now,
    }) as { id: number };
    return row.id;
  }

  /** Records a file that could not be indexed, with the reason; returns its id. [Note: bad-input] */
  upsertFailed(file: Omit<FileState, 'hash'> & { hash: string | null }, error: string, title: string, now = Date.now()): number {
    const row = this.failStmt.get({ ...file, error, title, now }) as { id: number };
    return row.id;
  }

  /** Photos whose current version has not been through OCR, in roots that want it. */
  needingOcr(limit: number): OcrWork[] {
    return this.needingOcrStmt.all(limit);
  }

  countNeedingOcr(): number {
    return this.countOcrStmt.get()!.n;
  }

  setOcr(id: number, hash: string, text: string): void {
    this.setOcrStmt.run(hash, text, id);
  }

  /** A file renamed or moved: same item, same vectors, new path (and title, when it came from the name). */
  move(id: number, to: { rootId: number; relPath: string; size: number; mtime: number; title: string | null }): void {
    this.moveStmt.run(to.rootId, to.relPath, to.size, to.mtime, to.title, id);
  }

  /** An item's time, settled again without re-indexing (a rename, the backfill); its vectors' copy is the caller's
   * to update (SpacesRepo.setTakenAt). [Note: item-times] */
  setTime(id: number, time: { takenAt: number; timeSource: TimeSource; timeDay: boolean }): void {
    this.setTimeStmt.run(time.takenAt, time.timeSource, time.timeDay ? 1 : 0, id);
  }

  /** Indexed items with no time source yet (written before migration 7), by id after `afterId`. */
  untimed(afterId: number, limit: number): UntimedItem[] {
    return this.untimedStmt.all(afterId, limit);
  }

  /** Sets the time of an item that has none settled yet; false when it has one by now (indexed meanwhile). */
  fillTime(id: number, time: { takenAt: number; timeSource: TimeSource; timeDay: boolean }): boolean {
    return this.fillTimeStmt.run(time.takenAt, time.timeSource, time.timeDay ? 1 : 0, id).changes > 0;
  }

  touch(id: number, size: number, mtime: number): void {
    this.touchStmt.run(size, mtime, id);
  }

  /** Deletes an item; its segments, vectors, FTS rows and embedding marks go with it. */
  remove(id: number): void {
    this.deleteStmt.run(id);
  }

  countsByKind(): Record<ItemKind, number> {
    const counts: Record<ItemKind, number> = { photo: 0, note: 0, audio: 0 };
    for (const { kind, n } of this.countsStmt.all()) counts[kind] = n;
    return counts;
  }

  errors(limit = 1000): ItemRow[] {
    return this.errorsStmt.all(limit);
  }

  errorCount(): number {
    return this.errorCountStmt.get()!.n;
  }
}
