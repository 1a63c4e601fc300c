// The towns the library's photos were taken in, and the filters that read them. [Note: places]
import type { Database } from 'better-sqlite3';
import { countryName, countryNames, foldName, kmBetween, localNames, nearestTown, townById, type Town } from '../places/gazetteer.js';
import { placeLabel, type Place, type PlacesMap } from '../../../shared/types.js';
import type { Db } from './db.js';

/** `in:`, `near:` and `camera:` as the store filters by them (search/scope.ts reads them from a query). */
export interface ItemScope {
  /** in: each value as a place's folded name and as a folder (lower-case, '/'-separated, no outer slashes). */
  readonly within: readonly { readonly place: string; readonly folder: string }[];
  readonly near: { readonly latitude: number; readonly longitude: number; readonly km: number } | null;
  /** camera: lower-case parts of the camera's name. */
  readonly cameras: readonly string[];
}

/** An item's place_id when its position was looked up and no town is near. */
export const NOWHERE = 0;

export interface PlaceRow {
  id: number;
  name: string;
  region: string | null;
  country: string;
  latitude: number;
  longitude: number;
}

/** A stored town as the API shows it. */
export function toPlace(row: PlaceRow): Place {
  return { id: row.id, name: row.name, region: row.region, country: row.country, countryName: countryName(row.country), latitude: row.latitude, longitude: row.longitude };
}

/** An item without a place: a photo whose position was never looked up (written before migration 10). */
export interface UnplacedItem {
  id: number;
  latitude: number;
  longitude: number;
}

export class PlacesRepo {
  private readonly insertStmt;
  private readonly knownStmt;
  private readonly getStmt;
  private readonly unplacedStmt;
  private readonly setStmt;
  private readonly staleStmt;
  private readonly refreshStmt;
  private readonly itemsAtStmt;
  private readonly known = new Set<number>();

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      `INSERT OR IGNORE INTO places (id, name, region, country, latitude, longitude, names, words, version) VALUES (@id, @name, @region, @country, @latitude, @longitude, @names, @words, ${PLACE_VERSION})`,
    );
    this.staleStmt = db.prepare<[number], number>(`SELECT id FROM places WHERE version < ${PLACE_VERSION} ORDER BY id LIMIT ?`).pluck();
    this.refreshStmt = db.prepare(`UPDATE places SET region = @region, names = @names, words = @words, version = ${PLACE_VERSION} WHERE id = @id`);
    this.itemsAtStmt = db.prepare<[number], number>('SELECT id FROM items WHERE place_id = ? AND place_id > 0').pluck();
    this.knownStmt = db.prepare<[number], { id: number }>('SELECT id FROM places WHERE id = ?');
    this.getStmt = db.prepare<[number], PlaceRow>('SELECT id, name, region, country, latitude, longitude FROM places WHERE id = ?');
    this.unplacedStmt = db.prepare<[number, number], UnplacedItem>(
      `SELECT id, latitude, longitude FROM items INDEXED BY items_unplaced
       WHERE latitude IS NOT NULL AND place_id IS NULL AND longitude IS NOT NULL AND id > ? ORDER BY id LIMIT ?`,
    );
    this.setStmt = db.prepare<[number, number]>('UPDATE items SET place_id = ? WHERE id = ?');
  }

  /** The town a position is in, stored: its id, or NOWHERE. Call inside the writer's transaction. */
  placeFor(latitude: number | null, longitude: number | null): number | null {
    if (latitude === null || longitude === null) return null;
    const town = nearestTown(latitude, longitude);
    if (!town) return NOWHERE;
    if (!this.known.has(town.id)) {
      if (!this.knownStmt.get(town.id)) this.insertStmt.run(placeRecord(town));
      this.known.add(town.id);
    }
    return town.id;
  }

  get(id: number | null): Place | null {
    if (!id) return null;
    const row = this.getStmt.get(id);
    return row ? toPlace(row) : null;
  }

  /** Photos with a position that was never looked up, after `afterId`. */
  unplaced(afterId: number, limit: number): UnplacedItem[] {
    return this.unplacedStmt.all(afterId, limit);
  }

  setPlace(itemId: number, placeId: number): void {
    this.setStmt.run(placeId, itemId);
  }

  /** Places whose names were made by an older recipe (see PLACE_VERSION). */
  stale(limit: number): number[] {
    return this.staleStmt.all(limit);
  }

  /**
   * Makes a place's names and words again with today's recipe; returns the items taken there, whose words-index rows
   * must be written again. A town the gazetteer no longer has keeps its names, marked current.
   */
  refresh(id: number): number[] {
    const town = townById(id);
    const row = town ? placeRecord(town) : null;
    if (row) this.refreshStmt.run({ id, region: row.region, names: row.names, words: row.words });
    else this.db.prepare(`UPDATE places SET version = ${PLACE_VERSION} WHERE id = ?`).run(id);
    return row ? this.itemsAtStmt.all(id) : [];
  }
}

/** The recipe of a place's names and words: 2 added the town's own names in CJK script, 3 its region. */
export const PLACE_VERSION = 3;

/** A town's row: the names `in:` compares, one per line between newlines, and the words the index holds. */
export function placeRecord(town: Town): PlaceRow & { names: string; words: string } {
  const countries = countryNames(town.country);
  const own = localNames(town.id);
  const region = town.region ? [town.region] : [];
  const folded = [foldName(town.name), ...own.map(foldName), ...region.map(foldName), ...countries.map(foldName)];
  // "Île-de-France" is typed with hyphens or without: both are kept.
  const names = [...new Set(folded.flatMap((n) => (n.includes('-') ? [n, n.replace(/-+/g, ' ')] : [n])))].filter(Boolean);
  return {
    id: town.id,
    name: town.name,
    region: town.region,
    country: town.country,
    latitude: town.latitude,
    longitude: town.longitude,
    names: `\n${names.join('\n')}\n`,
    words: [town.name, ...own, ...region, ...countries].join(' '),
  };
}

/** Registers trove_km(lat1, lon1, lat2, lon2), the great-circle distance that `near:` filters by, on a connection. */
export function registerPlaceFunctions(db: Database): void {
  db.function('trove_km', { deterministic: true }, (a: unknown, b: unknown, c: unknown, d: unknown) =>
    typeof a === 'number' && typeof b === 'number' && typeof c === 'number' && typeof d === 'number' ? kmBetween(a, b, c, d) : null,
  );
}

/** The places, watched folders and folders an `in:` value names, as subqueries of ids, their values on `params`. */
function withinSql(w: ItemScope['within'][number], params: unknown[]): { place: string; root: string; folder: string } {
  params.push(w.place, `/${w.folder}/`, `/${w.folder}/`);
  return {
    place: 'SELECT id FROM places WHERE instr(names, char(10) || ? || char(10)) > 0',
    root: `SELECT id FROM roots WHERE instr('/' || lower(replace(path, char(92), '/')) || '/', ?) > 0`,
    folder: `SELECT id FROM folders WHERE instr('/' || lower(path), ?) > 0`,
  };
}

/** Degrees of latitude per km (the box around `near:` before the exact distance). */
const DEG_PER_KM = 1 / 111.2;

/** SQL clauses on `items i` for a scope, their values pushed onto `params`. */
export function scopeClauses(scope: ItemScope, params: unknown[]): string[] {
  const clauses: string[] = [];
  if (scope.within.length) {
    // A place, a watched folder whose own path holds the name, or a folder inside one (migration 010's `folders`).
    const either = scope.within.map((w) => {
      const { place, root, folder } = withinSql(w, params);
      return `(i.place_id IN (${place}) OR i.root_id IN (${root}) OR i.folder_id IN (${folder}))`;
    });
    clauses.push(`(${either.join(' OR ')})`);
  }
  if (scope.cameras.length) {
    const either = scope.cameras.map((c) => {
      params.push(`%${c.replace(/[\\%_]/g, (x) => `\\${x}`)}%`);
      return `lower(i.camera) LIKE ? ESCAPE '\\'`;
    });
    clauses.push(`(${either.join(' OR ')})`);
  }
  if (scope.near) {
    const { latitude, longitude, km } = scope.near;
    if (km < 0) clauses.push('i.latitude < -1000'); // nothing: a plain false would leave INDEXED BY without a plan
    else {
      const dLat = km * DEG_PER_KM;
      clauses.push('i.latitude BETWEEN ? AND ?');
      params.push(latitude - dLat, latitude + dLat);
      const cos = Math.cos((Math.min(89, Math.abs(latitude) + dLat) * Math.PI) / 180);
      const dLon = dLat / Math.max(cos, 1e-6);
      if (dLon < 180 && longitude - dLon >= -180 && longitude + dLon <= 180) {
        clauses.push('i.longitude BETWEEN ? AND ?');
        params.push(longitude - dLon, longitude + dLon);
      }
      clauses.push('trove_km(i.latitude, i.longitude, ?, ?) <= ?');
      params.push(latitude, longitude, km);
    }
  }
  return clauses;
}

/**
 * A query of the ids a scope may allow, through indexes (items_by_place, items_by_folder_id, the roots' unique index,
 * items_by_position), or null when only a scan of every item can say (camera: alone). The planner does not split
 * scopeClauses' ORs by itself: the list of a folder's items took 50 ms at 100k through them, and grows with the
 * library; through the seed it costs what the folder holds.
 */
export function scopeSeed(scope: ItemScope, params: unknown[]): string | null {
  if (scope.within.length) {
    return scope.within
      .map((w) => {
        const { place, root, folder } = withinSql(w, params);
        // place_id > 0 lets the partial index items_by_place serve (without it: a scan of every item).
        return `SELECT id FROM items INDEXED BY items_by_place WHERE place_id > 0 AND place_id IN (${place})
                UNION SELECT id FROM items WHERE root_id IN (${root})
                UNION SELECT id FROM items WHERE folder_id IN (${folder})`;
      })
      .join(' UNION ');
  }
  if (scope.near && scope.near.km >= 0) {
    const dLat = scope.near.km * DEG_PER_KM;
    params.push(scope.near.latitude - dLat, scope.near.latitude + dLat);
    return 'SELECT id FROM items INDEXED BY items_by_position WHERE latitude BETWEEN ? AND ?';
  }
  return null;
}

/**
 * Indexed photos with a position, gathered into cells of `cell` degrees: each cell's mean position, count, newest
 * photo and that photo's town. One grouped scan of items_by_position. [Note: places]
 */
export function placeClusters(db: Db, cell: number): PlacesMap {
  const rows = db
    .prepare<[number, number], { lat: number; lon: number; n: number; id: number; name: string | null; region: string | null; country: string | null; newest: number | null; towns: number; regions: number; countries: number }>(
      `SELECT avg(i.latitude) AS lat, avg(i.longitude) AS lon, count(*) AS n, max(coalesce(i.taken_at, 0)) AS newest, i.id AS id,
              p.name AS name, p.region AS region, p.country AS country, count(DISTINCT i.place_id) AS towns,
              count(DISTINCT p.country || '.' || coalesce(p.region, '')) AS regions, count(DISTINCT p.country) AS countries
       FROM items i INDEXED BY items_by_position LEFT JOIN places p ON p.id = i.place_id
       WHERE i.latitude IS NOT NULL AND i.longitude IS NOT NULL AND i.kind = 'photo' AND i.status = 'indexed'
       GROUP BY CAST((i.latitude + 90) / ? AS INTEGER), CAST((i.longitude + 180) / ? AS INTEGER)`,
    )
    .all(cell, cell);
  // SQLite takes the bare columns (id, name, country) from the row that gave max(): the newest photo of each cell.
  const clusters = rows.map((r) => ({
    latitude: r.lat,
    longitude: r.lon,
    count: r.n,
    itemId: r.id,
    // One town: its name; several in one region: the region; several in one country: the country; else nothing a
    // name can say.
    place:
      r.towns === 1 && r.name
        ? placeLabel({ name: r.name, region: r.region, countryName: countryName(r.country ?? '') })
        : r.regions === 1 && r.region && r.country && r.region !== countryName(r.country)
          ? `${r.region}, ${countryName(r.country)}`
          : r.countries === 1 && r.country
            ? countryName(r.country)
            : null,
  }));
  return { clusters: clusters.sort((a, b) => b.count - a.count), total: clusters.reduce((n, c) => n + c.count, 0) };
}
