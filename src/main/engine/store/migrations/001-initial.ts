import type { Migration } from './index.js';

// The first schema. Vectors live in one vec0 table per embedding space, created by spaces.ts when a space is made,
// not here: see [Note: vec-tables].
export const initial: Migration = {
  version: 1,
  name: 'initial',
  sql: `
    CREATE TABLE settings (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );

    CREATE TABLE roots (
      id       INTEGER PRIMARY KEY,
      path     TEXT NOT NULL UNIQUE,
      ignore   TEXT NOT NULL DEFAULT '[]',
      added_at INTEGER NOT NULL,
      present  INTEGER NOT NULL DEFAULT 1
    );

    CREATE TABLE items (
      id          INTEGER PRIMARY KEY,
      root_id     INTEGER NOT NULL REFERENCES roots(id) ON DELETE CASCADE,
      rel_path    TEXT NOT NULL,
      kind        TEXT NOT NULL CHECK (kind IN ('photo', 'note', 'audio')),
      size        INTEGER NOT NULL,
      mtime       INTEGER NOT NULL,
      hash        TEXT,
      status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'indexed', 'error')),
      error       TEXT,
      title       TEXT NOT NULL DEFAULT '',
      taken_at    INTEGER,
      width       INTEGER,
      height      INTEGER,
      duration_ms INTEGER,
      camera      TEXT,
      latitude    REAL,
      longitude   REAL,
      meta        TEXT NOT NULL DEFAULT '{}',
      indexed_at  INTEGER,
      UNIQUE (root_id, rel_path)
    );
    CREATE INDEX items_by_hash ON items(hash);
    CREATE INDEX items_by_kind ON items(kind, status);

    CREATE TABLE segments (
      id         INTEGER PRIMARY KEY,
      item_id    INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
      kind       TEXT NOT NULL CHECK (kind IN ('image', 'text', 'transcript', 'ocr')),
      ordinal    INTEGER NOT NULL,
      text       TEXT,
      breadcrumb TEXT NOT NULL DEFAULT '[]',
      start      INTEGER,
      "end"      INTEGER,
      UNIQUE (item_id, ordinal)
    );

    -- Lexical search over segment text, headings, titles and paths. Contentless: the text lives in segments.
    CREATE VIRTUAL TABLE segments_fts USING fts5(
      text, breadcrumb, title, path,
      content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER segments_fts_insert AFTER INSERT ON segments BEGIN
      INSERT INTO segments_fts (rowid, text, breadcrumb, title, path)
      SELECT new.id, coalesce(new.text, ''), new.breadcrumb, i.title, i.rel_path FROM items i WHERE i.id = new.item_id;
    END;
    CREATE TRIGGER segments_fts_delete AFTER DELETE ON segments BEGIN
      DELETE FROM segments_fts WHERE rowid = old.id;
    END;

    CREATE TABLE spaces (
      id         INTEGER PRIMARY KEY,
      model_id   TEXT NOT NULL,
      revision   TEXT NOT NULL,
      dimensions INTEGER NOT NULL,
      state      TEXT NOT NULL CHECK (state IN ('active', 'building', 'retired')),
      created_at INTEGER NOT NULL,
      UNIQUE (model_id, revision, dimensions)
    );

    -- Which items are embedded in which space, and at which content hash: an item is up to date in a space when
    -- this row exists with its current hash.
    CREATE TABLE item_embeddings (
      item_id  INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
      space_id INTEGER NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
      hash     TEXT NOT NULL,
      PRIMARY KEY (item_id, space_id)
    ) WITHOUT ROWID;
  `,
};
