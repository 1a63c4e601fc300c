// Where and with what a match was made: `in:`, `near:` and `camera:`, read against the items table. [Note: places]
// A query's scope becomes SQL clauses on `items i` (every search path filters through itemFilterClauses), and, for
// the nearest-neighbour search, either the short list of the items it allows (scanned directly) or, when it allows
// too many to list, a test of candidate segments (the index widens until enough pass). The filter is applied
// inside the search either way, so a narrow scope never empties a page that has matches.
import type { ParsedQuery } from '../../../shared/query.js';
import { foldName, townNamed } from '../places/gazetteer.js';
import type { Store } from '../store/index.js';
import { scopeSeed, type ItemScope } from '../store/places.js';
import { SCAN_ITEMS, type KnnFilter } from '../store/spaces.js';
import { itemFilterClauses, type TimeFilter } from '../store/timeline.js';

/** A scope that no item passes: a `near:` town that does not exist. */
const NOTHING: ItemScope = { within: [], near: { latitude: 0, longitude: 0, km: -1 }, cameras: [] };

/** The query's scope, its town names found; null when it has none. Warnings for what could not be understood. */
export function scopeOf(store: Store, query: ParsedQuery): { scope: ItemScope | null; warnings: string[] } {
  const within = (query.within ?? []).map((v) => ({ place: foldName(v), folder: folderKey(v) }));
  const cameras = (query.cameras ?? []).map((c) => c.toLowerCase());
  let near: ItemScope['near'] = null;
  const warnings: string[] = [];
  if (query.near) {
    const n = query.near;
    if (n.latitude !== null && n.longitude !== null) near = { latitude: n.latitude, longitude: n.longitude, km: n.km };
    else if (n.place) {
      const at = placeNamed(store, n.place);
      if (at) near = { ...at, km: n.km };
      else {
        warnings.push(`no town called "${n.place}" is known: near: takes a town's name or a position (near:38.7,-9.1)`);
        return { scope: NOTHING, warnings };
      }
    }
  }
  if (!within.length && !cameras.length && !near) return { scope: null, warnings };
  return { scope: { within, near, cameras }, warnings };
}

/** Where a town of that name is: one the library's photos were taken in first, else the most populous of the world's. */
function placeNamed(store: Store, name: string): { latitude: number; longitude: number } | null {
  const key = foldName(name);
  const row = store.db
    .prepare<[string], { latitude: number; longitude: number }>(
      `SELECT latitude, longitude FROM places WHERE instr(names, char(10) || ? || char(10)) > 0
       ORDER BY (SELECT count(*) FROM items WHERE place_id = places.id) DESC LIMIT 1`,
    )
    .get(key);
  if (row) return row;
  const town = townNamed(name);
  return town ? { latitude: town.latitude, longitude: town.longitude } : null;
}

/** A folder as `in:` compares it: lower-case, '/' between parts, no slashes around. */
export function folderKey(value: string): string {
  return value.replace(/\\/g, '/').replace(/^\/+|\/+$/g, '').toLowerCase();
}

/**
 * What the nearest-neighbour search needs of a scope within kinds and dates: the items it allows when they are few
 * (SCAN_ITEMS at most), else a test of candidate segments.
 */
export function knnScope(store: Store, scope: ItemScope, filter: TimeFilter): Pick<KnnFilter, 'items' | 'passing'> {
  const params: unknown[] = [];
  const seed = scopeSeed(scope, params);
  // A seed of in: values is exactly their test: listing by it, the test is not made again row by row (10k items:
  // 21 → ~8 ms). A near: seed is a box, the distance still to be tested.
  const rest = seed !== null && scope.within.length ? { ...scope, within: [] } : scope;
  const where = (params: unknown[], of: ItemScope = scope) => [`i.status = 'indexed'`, ...itemFilterClauses({ ...filter, scope: of }, params)];
  // A scope that holds most of a large library (in: the watched folder) is not listed at all: counting its seed
  // stops at the limit, where listing it would gather every id first.
  const broad = seed !== null && store.db.prepare<unknown[], number>(`SELECT count(*) FROM (${seed.replace(/\bUNION\b/g, 'UNION ALL')} LIMIT ${SCAN_ITEMS + 1})`).pluck().get(...params)! > SCAN_ITEMS;
  const clauses = [...(seed ? [`i.id IN (${seed})`] : []), ...where(params, rest)];
  const ids = broad ? null : store.db.prepare<unknown[], number>(`SELECT i.id FROM items i WHERE ${clauses.join(' AND ')} LIMIT ${SCAN_ITEMS + 1}`).pluck().all(...params);
  if (ids && ids.length <= SCAN_ITEMS) return { items: new Set(ids) };
  const testParams: unknown[] = [];
  const test = store.db.prepare<unknown[], number>(
    `SELECT s.id FROM segments s JOIN items i ON i.id = s.item_id WHERE s.id IN (SELECT value FROM json_each(?)) AND ${where(testParams).join(' AND ')}`,
  );
  return { passing: (segmentIds) => new Set(test.pluck().all(JSON.stringify(segmentIds), ...testParams)) };
}
