import type { Migration } from './index.js';

// What browsing needs: a time for every item, links between items, and collections. [Note: item-times]
// [Note: links] [Note: collections]
// - `items.time_source`: where `taken_at` came from (exif | frontmatter | filename | tags | mtime); NULL on rows
//   written before this migration, which the engine fills in at open without re-embedding (see backfillTimes).
//   `time_day` is 1 when only the day is known (a note dated `2024-05-05`): it then belongs to that whole day.
// - `links`: item ↔ item (a < b) with a score and its evidence; rebuilt for an item when it changes.
//   `link_verdicts`: what a person said of a link (confirmed, rejected), kept across re-indexing and model changes.
// - `link_queue`, `collection_dirty`: the work that follows embedding, in the persistent queue: each row is deleted
//   in the transaction that does its work, so a crash loses and repeats nothing.
// - `collections` keep their id for as long as they live; a removed one stays as a tombstone (state 'removed') so
//   the same event is never made again. `collection_members.role`: 'event' (found by time), 'attached' (a note or
//   recording that fits it), 'added' (put there by a person). `collection_exclusions`: items a person took out.
// - `space_stats`: per space and pair of kinds, the distribution of similarity between unrelated items, from which
//   meaning evidence is calibrated. `vocabulary`: words embedded by a space's text tower, for titles.
export const collections: Migration = {
  version: 7,
  name: 'collections',
  sql: `
    ALTER TABLE items ADD COLUMN time_source TEXT CHECK (time_source IN ('exif', 'frontmatter', 'filename', 'tags', 'mtime'));
    ALTER TABLE items ADD COLUMN time_day INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX items_by_time ON items(taken_at DESC, id DESC) WHERE status = 'indexed';
    CREATE INDEX items_by_folder ON items(root_id, kind, rel_path);
    -- Every item already there gets its links and its place in collections.
    CREATE TABLE link_queue (
      item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE
    );
    INSERT INTO link_queue (item_id) SELECT id FROM items WHERE status = 'indexed';

    CREATE TABLE links (
      a           INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
      b           INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
      score       REAL NOT NULL,
      meaning     REAL,
      similarity  REAL,
      gap_ms      INTEGER,
      same_day    INTEGER NOT NULL DEFAULT 0,
      distance_m  REAL,
      same_folder INTEGER NOT NULL DEFAULT 0,
      CHECK (a < b),
      PRIMARY KEY (a, b)
    ) WITHOUT ROWID;
    CREATE INDEX links_by_b ON links(b, a);

    CREATE TABLE link_verdicts (
      a       INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
      b       INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
      verdict TEXT NOT NULL CHECK (verdict IN ('confirmed', 'rejected')),
      at      INTEGER NOT NULL,
      CHECK (a < b),
      PRIMARY KEY (a, b)
    ) WITHOUT ROWID;
    CREATE INDEX link_verdicts_by_b ON link_verdicts(b, a);

    CREATE TABLE collection_dirty (
      at INTEGER PRIMARY KEY
    );
    INSERT INTO collection_dirty (at) SELECT DISTINCT taken_at FROM items WHERE status = 'indexed' AND taken_at IS NOT NULL;

    -- The follow-up work is queued by triggers, so every writer (a run, OCR, a transcript, a move, a deletion) queues
    -- it in its own transaction and none can forget to. (NOT EXISTS, not OR IGNORE: an outer upsert's conflict
    -- handling would override the trigger's.)
    CREATE TRIGGER items_follow_insert AFTER INSERT ON items WHEN new.status = 'indexed' BEGIN
      INSERT INTO link_queue (item_id) SELECT new.id WHERE NOT EXISTS (SELECT 1 FROM link_queue WHERE item_id = new.id);
      INSERT INTO collection_dirty (at) SELECT new.taken_at WHERE new.taken_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM collection_dirty WHERE at = new.taken_at);
    END;
    CREATE TRIGGER items_follow_update AFTER UPDATE OF taken_at, hash, rel_path, root_id, status, latitude, longitude ON items BEGIN
      INSERT INTO link_queue (item_id) SELECT new.id WHERE new.status = 'indexed' AND NOT EXISTS (SELECT 1 FROM link_queue WHERE item_id = new.id);
      INSERT INTO collection_dirty (at) SELECT old.taken_at WHERE old.taken_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM collection_dirty WHERE at = old.taken_at);
      INSERT INTO collection_dirty (at) SELECT new.taken_at WHERE new.taken_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM collection_dirty WHERE at = new.taken_at);
    END;
    CREATE TRIGGER items_follow_delete AFTER DELETE ON items BEGIN
      INSERT INTO collection_dirty (at) SELECT old.taken_at WHERE old.taken_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM collection_dirty WHERE at = old.taken_at);
    END;
    CREATE TRIGGER segments_follow_insert AFTER INSERT ON segments BEGIN
      INSERT INTO link_queue (item_id) SELECT id FROM items WHERE id = new.item_id AND status = 'indexed'
        AND NOT EXISTS (SELECT 1 FROM link_queue WHERE item_id = new.item_id);
      INSERT INTO collection_dirty (at) SELECT taken_at FROM items WHERE id = new.item_id AND status = 'indexed'
        AND taken_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM collection_dirty d WHERE d.at = items.taken_at);
    END;

    CREATE TABLE collections (
      id             INTEGER PRIMARY KEY AUTOINCREMENT,
      state          TEXT NOT NULL DEFAULT 'live' CHECK (state IN ('live', 'removed')),
      title          TEXT NOT NULL DEFAULT '',
      title_source   TEXT NOT NULL DEFAULT 'date',
      user_title     TEXT,
      pinned         INTEGER NOT NULL DEFAULT 0,
      hidden         INTEGER NOT NULL DEFAULT 0,
      edited         INTEGER NOT NULL DEFAULT 0,
      start          INTEGER NOT NULL,
      "end"          INTEGER NOT NULL,
      cover_id       INTEGER REFERENCES items(id) ON DELETE SET NULL,
      photos         INTEGER NOT NULL DEFAULT 0,
      notes          INTEGER NOT NULL DEFAULT 0,
      recordings     INTEGER NOT NULL DEFAULT 0,
      created_at     INTEGER NOT NULL,
      updated_at     INTEGER NOT NULL,
      -- the members it was made or last recomputed with (JSON ids): how a removed one is recognised again
      signature      TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX collections_by_time ON collections(state, start);

    CREATE TABLE collection_members (
      collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
      item_id       INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
      role          TEXT NOT NULL CHECK (role IN ('event', 'attached', 'added')),
      PRIMARY KEY (collection_id, item_id)
    ) WITHOUT ROWID;
    CREATE INDEX collection_members_by_item ON collection_members(item_id, collection_id);

    CREATE TABLE collection_exclusions (
      collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
      item_id       INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
      PRIMARY KEY (collection_id, item_id)
    ) WITHOUT ROWID;

    CREATE TABLE space_stats (
      space_id INTEGER NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
      pair     TEXT NOT NULL,
      mean     REAL NOT NULL,
      std      REAL NOT NULL,
      n        INTEGER NOT NULL,
      items    INTEGER NOT NULL,
      PRIMARY KEY (space_id, pair)
    ) WITHOUT ROWID;

    CREATE TABLE vocabulary (
      space_id INTEGER NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
      word     TEXT NOT NULL,
      vector   BLOB NOT NULL,
      PRIMARY KEY (space_id, word)
    ) WITHOUT ROWID;
  `,
};
