import type { Migration } from './index.js';

// OCR: a per-root switch, and per photo the text recognised and the content hash it was recognised at, so OCR
// runs once per version of a photo and its text survives re-embedding into a new space.
export const ocr: Migration = {
  version: 2,
  name: 'ocr',
  sql: `
    ALTER TABLE roots ADD COLUMN ocr INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE items ADD COLUMN ocr_hash TEXT;
    ALTER TABLE items ADD COLUMN ocr_text TEXT;
    CREATE INDEX items_needing_ocr ON items(kind, status) WHERE ocr_hash IS NULL OR ocr_hash != hash;

    -- OCR often runs words together ("Opendaily9am"), so its text is also indexed by trigrams: a word typed in a
    -- query matches inside such a run. See [Note: fusion].
    CREATE VIRTUAL TABLE ocr_fts USING fts5(text, content = '', contentless_delete = 1, tokenize = 'trigram');
    CREATE TRIGGER ocr_fts_insert AFTER INSERT ON segments WHEN new.kind = 'ocr' BEGIN
      INSERT INTO ocr_fts (rowid, text) VALUES (new.id, coalesce(new.text, ''));
    END;
    CREATE TRIGGER ocr_fts_delete AFTER DELETE ON segments WHEN old.kind = 'ocr' BEGIN
      DELETE FROM ocr_fts WHERE rowid = old.id;
    END;
  `,
};
