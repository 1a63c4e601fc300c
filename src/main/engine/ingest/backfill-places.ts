// Places for photos indexed before migration 10, without re-indexing them. [Note: places]
// Each photo with a position and no place looked up gets its town, and its words-index rows are written again so
// the town's name finds it. Batches of BATCH photos, one transaction each, with the event loop let go between.
import type { Store } from '../store/index.js';
import { NOWHERE } from '../store/places.js';

const BATCH = 500;

export interface PlaceBackfillOptions {
  readonly batch?: number;
  /** Stop between batches (the engine is closing); what is left is done at the next open. */
  readonly stopped?: () => boolean;
}

/** Looks up every unplaced photo with a position; returns the ids that got a town. */
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
  return placed;
}
