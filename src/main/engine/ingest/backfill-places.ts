// Places for photos indexed before migration 10, without re-indexing them. [Note: places]
// Each photo with a position and no place looked up gets its town, and its words-index rows are written again so
// the town's name finds it. Places named by an older recipe (PLACE_VERSION) are named again, and the words of the
// photos taken there written again. Batches of BATCH photos, one transaction each, with the event loop let go between.
import type { Store } from '../store/index.js';
import { NOWHERE } from '../store/places.js';

const BATCH = 500;

export interface PlaceBackfillOptions {
  readonly batch?: number;
  /** Stop between batches (the engine is closing); what is left is done at the next open. */
  readonly stopped?: () => boolean;
}

/** Looks up every unplaced photo with a position, and names stale places again; returns the ids whose words changed. */
export async function backfillPlaces(store: Store, options: PlaceBackfillOptions = {}): Promise<number[]> {
  const placed: number[] = [];
  let after = 0;
  for (;;) {
    if (options.stopped?.()) break;
    const rows = store.places.unplaced(after, options.batch ?? BATCH);
    if (rows.length === 0) break;
    store.transaction(() => {
      for (const row of rows) {
        const place = store.places.placeFor(row.latitude, row.longitude) ?? NOWHERE;
        store.places.setPlace(row.id, place);
        if (place !== NOWHERE) {
          store.segments.reindexWords(row.id);
          placed.push(row.id);
        }
      }
    });
    after = rows[rows.length - 1]!.id;
    await new Promise((resolve) => setImmediate(resolve));
  }
  // Places named by an older recipe: their names again, and the words of the photos taken there.
  for (;;) {
    if (options.stopped?.()) break;
    const stale = store.places.stale(50);
    if (stale.length === 0) break;
    for (const id of stale) {
      const items = store.transaction(() => store.places.refresh(id));
      for (let i = 0; i < items.length; i += options.batch ?? BATCH) {
        store.transaction(() => {
          for (const itemId of items.slice(i, i + (options.batch ?? BATCH))) store.segments.reindexWords(itemId);
        });
        placed.push(...items.slice(i, i + (options.batch ?? BATCH)));
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }
  return placed;
}
