import type { Migration } from './index.js';
import { createVecTrigger, vecTable } from '../spaces.js';

// Text segments belong to one embedding space. [Note: spaces]
// A note's chunks (and OCR and transcript chunks) are sized for one model's context — 77 CLIP tokens, 64 SigLIP
// tokens — so while a new model's space is built, the new space needs its own chunks while the old one keeps
// answering with its own. Image segments stay shared (space_id NULL): one image, a vector per space.
// SQLite cannot change a table's constraints in place, so the table is rebuilt (same ids: FTS rows and vectors
// keep pointing at them). Its triggers are dropped first, so the rebuild deletes no FTS row and no vector.
export const segmentsPerSpace: Migration = {
  version: 3,
  name: 'segments-per-space',
  up(db) {
    const spaces = db.prepare(`SELECT id, state FROM spaces`).all() as { id: number; state: string }[];
    const active = spaces.find((s) => s.state === 'active')?.id ?? null;
    for (const s of spaces) db.exec(`DROP TRIGGER IF EXISTS ${vecTable(s.id)}_segment_gone`);
    db.exec(`
      DROP TRIGGER segments_fts_insert;
      DROP TRIGGER segments_fts_delete;
      DROP TRIGGER ocr_fts_insert;
      DROP TRIGGER ocr_fts_delete;
      CREATE TABLE segments_v3 (
        id         INTEGER PRIMARY KEY,
        item_id    INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
        space_id   INTEGER REFERENCES spaces(id) ON DELETE CASCADE,
        kind       TEXT NOT NULL CHECK (kind IN ('image', 'text', 'transcript', 'ocr')),
        ordinal    INTEGER NOT NULL,
        text       TEXT,
        breadcrumb TEXT NOT NULL DEFAULT '[]',
        start      INTEGER,
        "end"      INTEGER
      );
    `);
    db.prepare(
      `INSERT INTO segments_v3 (id, item_id, space_id, kind, ordinal, text, breadcrumb, start, "end")
       SELECT id, item_id, CASE WHEN kind = 'image' THEN NULL ELSE ? END, kind, ordinal, text, breadcrumb, start, "end"
       FROM segments`,
    ).run(active);
    db.exec(`
      DROP TABLE segments;
      ALTER TABLE segments_v3 RENAME TO segments;
      CREATE UNIQUE INDEX segments_order ON segments(item_id, coalesce(space_id, 0), ordinal);
      CREATE INDEX segments_by_space ON segments(space_id);
      CREATE TRIGGER segments_fts_insert AFTER INSERT ON segments BEGIN
        INSERT INTO segments_fts (rowid, text, breadcrumb, title, path)
        SELECT new.id, coalesce(new.text, ''), new.breadcrumb, i.title, i.rel_path FROM items i WHERE i.id = new.item_id;
      END;
      CREATE TRIGGER segments_fts_delete AFTER DELETE ON segments BEGIN
        DELETE FROM segments_fts WHERE rowid = old.id;
      END;
      CREATE TRIGGER ocr_fts_insert AFTER INSERT ON segments WHEN new.kind = 'ocr' BEGIN
        INSERT INTO ocr_fts (rowid, text) VALUES (new.id, coalesce(new.text, ''));
      END;
      CREATE TRIGGER ocr_fts_delete AFTER DELETE ON segments WHEN old.kind = 'ocr' BEGIN
        DELETE FROM ocr_fts WHERE rowid = old.id;
      END;
    `);
    for (const s of spaces) createVecTrigger(db, s.id);
  },
};
