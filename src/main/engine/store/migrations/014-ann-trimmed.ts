import type { Migration } from './index.js';

// How far each space's `ann_log` has been trimmed. [Note: flat-space]
// A copy of a space kept by a search reader applies the log rows after the last it read; a reader of another
// process (the app and `trove serve` on one library) may trim rows this one has not read yet. Each trim records
// its bound here, so a copy behind it knows to load again instead of missing what those rows said.
export const annTrimmed: Migration = {
  version: 14,
  name: 'ann-trimmed',
  sql: `CREATE TABLE ann_trimmed (
          space_id INTEGER PRIMARY KEY,
          up_to    INTEGER NOT NULL
        );`,
};
