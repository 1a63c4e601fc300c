import type { Migration } from './index.js';

// Towns' own names in Chinese, Japanese and Korean. [Note: places]
// `places.version`: which recipe made a place's names and words. 1: the town's name and its country's; 2 adds the
// town's names in CJK script from GeoNames (里斯本 for Lisbon). Places made before are brought up to date by the
// places backfill of the next index run, with the words-index rows of their photos, without re-embedding.
export const placeNames: Migration = {
  version: 12,
  name: 'place-names',
  sql: `ALTER TABLE places ADD COLUMN version INTEGER NOT NULL DEFAULT 1;`,
};
