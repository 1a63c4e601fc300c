import type { Migration } from './index.js';

// Near-duplicates. [Note: duplicates]
// `items.phash`: a photo's perceptual hash (16 hex digits), made while it is decoded for embedding; NULL for photos
// indexed before, until `duplicates` makes it from their thumbnail.
export const duplicates: Migration = {
  version: 11,
  name: 'duplicates',
  sql: `ALTER TABLE items ADD COLUMN phash TEXT;`,
};
