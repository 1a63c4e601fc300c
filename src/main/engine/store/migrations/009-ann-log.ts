import type { Migration } from './index.js';
import { registerVectorFunctions } from '../vector-codec.js';
import { vecTable } from '../spaces.js';

// What an approximate index beside SQLite needs. [Note: ann]
// - `ann_log`: every vector written (with its item's kind) and every segment deleted, in the writer's transaction;
//   an index records the last row it holds (`seq`) and replays the rest when it opens. Rows no index needs any more
//   are trimmed by the search reader that keeps the index.
// - `vectors_q15`: each vector again, as 16-bit fixed point (1 KB for 512 dimensions), in a plain table: reading a
//   vector back from sqlite-vec's vec0 table costs ~170 µs here (it reads from its chunk), from this table a few µs,
//   and rescoring candidates, judging closeness and the lexical hits' scores read dozens per search. Filled from the
//   vec0 tables for libraries written before.
export const annLog: Migration = {
  version: 9,
  name: 'ann-log',
  up(db) {
    registerVectorFunctions(db);
    db.exec(`
      CREATE TABLE ann_log (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        space_id   INTEGER NOT NULL,
        segment_id INTEGER NOT NULL,
        kind       TEXT,             -- the item's kind for an added vector; NULL for a removal
        added      INTEGER NOT NULL  -- 1: the vector was written, 0: the segment (and its vectors) went
      );
      CREATE INDEX ann_log_by_space ON ann_log(space_id, seq);
      CREATE TABLE vectors_q15 (
        segment_id INTEGER NOT NULL,
        space_id   INTEGER NOT NULL,
        v          BLOB NOT NULL,
        PRIMARY KEY (segment_id, space_id)
      ) WITHOUT ROWID;
      CREATE TRIGGER ann_segment_gone AFTER DELETE ON segments BEGIN
        INSERT INTO ann_log (space_id, segment_id, kind, added) SELECT id, old.id, NULL, 0 FROM spaces;
        DELETE FROM vectors_q15 WHERE segment_id = old.id;
      END;
    `);
    const spaces = db.prepare('SELECT id FROM spaces').pluck().all() as number[];
    for (const id of spaces) db.prepare(`INSERT INTO vectors_q15 (segment_id, space_id, v) SELECT segment_id, ?, trove_q15(embedding) FROM ${vecTable(id)}`).run(id);
  },
};
