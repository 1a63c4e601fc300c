import type { Migration } from './index.js';

// A town's region: the state, province or district GeoNames puts it in (California, Lisbon, Île-de-France).
// [Note: places] Shown between the town and the country, and searchable (`in:California`, or just the word).
// Places made before have none until the places backfill of the next index run names them again (PLACE_VERSION 3),
// with the words-index rows of their photos, without re-embedding.
export const placeRegions: Migration = {
  version: 13,
  name: 'place-regions',
  sql: `ALTER TABLE places ADD COLUMN region TEXT;`,
};
