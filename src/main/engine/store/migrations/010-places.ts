import type { Migration } from './index.js';
import { PLACED_PATH, registerWordFunctions } from '../words.js';

// Places and folders: where an item was made, and where it is kept. [Note: places]
// - `places`: the towns the library's photos were taken in (GeoNames ids), with the names `in:` compares (folded,
//   one per line, between newlines) and the words the words index holds for them (the town and its country in the
//   languages a person may type).
// - `items.place_id`: the town a photo was taken in; NULL until looked up (libraries written before this migration
//   are looked up at the next index run, without re-indexing), 0 when no town is near.
// - The words index holds a photo's town and country with its path, so "Lisbon" or "葡萄牙" finds what was taken
//   there as any word does; the triggers and the item-level re-index read the place through PLACED_PATH.
// - `folders`: every folder items are in (its path inside the root, with a trailing '/'; '' for the root itself)
//   and `items.folder_id`, kept by a trigger on every write of a path, so `in:Trips` looks through the folders
//   (thousands) instead of every item's path (a million: 140 ms), then takes their items by index.
export const places: Migration = {
  version: 10,
  name: 'places',
  up(db) {
    registerWordFunctions(db);
    db.exec(`
      CREATE TABLE places (
        id        INTEGER PRIMARY KEY,
        name      TEXT NOT NULL,
        country   TEXT NOT NULL,
        latitude  REAL NOT NULL,
        longitude REAL NOT NULL,
        names     TEXT NOT NULL,
        words     TEXT NOT NULL
      );
      ALTER TABLE items ADD COLUMN place_id INTEGER;
      CREATE TABLE folders (
        id      INTEGER PRIMARY KEY,
        root_id INTEGER NOT NULL,
        path    TEXT NOT NULL,
        UNIQUE (root_id, path)
      );
      ALTER TABLE items ADD COLUMN folder_id INTEGER;
      CREATE INDEX items_by_folder_id ON items(folder_id);
      INSERT OR IGNORE INTO folders (root_id, path) SELECT DISTINCT root_id, rtrim(rel_path, replace(rel_path, '/', '')) FROM items;
      UPDATE items SET folder_id = (SELECT f.id FROM folders f WHERE f.root_id = items.root_id AND f.path = rtrim(items.rel_path, replace(items.rel_path, '/', '')));
      CREATE TRIGGER items_folder_insert AFTER INSERT ON items BEGIN
        INSERT OR IGNORE INTO folders (root_id, path) VALUES (new.root_id, rtrim(new.rel_path, replace(new.rel_path, '/', '')));
        UPDATE items SET folder_id = (SELECT id FROM folders WHERE root_id = new.root_id AND path = rtrim(new.rel_path, replace(new.rel_path, '/', '')))
        WHERE id = new.id;
      END;
      CREATE TRIGGER items_folder_update AFTER UPDATE OF root_id, rel_path ON items BEGIN
        INSERT OR IGNORE INTO folders (root_id, path) VALUES (new.root_id, rtrim(new.rel_path, replace(new.rel_path, '/', '')));
        UPDATE items SET folder_id = (SELECT id FROM folders WHERE root_id = new.root_id AND path = rtrim(new.rel_path, replace(new.rel_path, '/', '')))
        WHERE id = new.id;
      END;
      CREATE INDEX items_by_place ON items(place_id) WHERE place_id > 0;
      CREATE INDEX items_by_position ON items(latitude, longitude) WHERE latitude IS NOT NULL;
      CREATE INDEX items_unplaced ON items(id) WHERE latitude IS NOT NULL AND place_id IS NULL;
      DROP TRIGGER segments_fts_insert;
      CREATE TRIGGER segments_fts_insert AFTER INSERT ON segments BEGIN
        INSERT INTO segments_fts (rowid, text, breadcrumb, title, path)
        SELECT new.id, trove_words(new.text), trove_words(new.breadcrumb), trove_words(i.title), trove_words(${PLACED_PATH})
        FROM items i WHERE i.id = new.item_id;
        INSERT INTO grams_fts (rowid, text, breadcrumb, title, path)
        SELECT new.id, trove_grams(new.text), trove_grams(new.breadcrumb), trove_grams(i.title), trove_grams(${PLACED_PATH})
        FROM items i WHERE i.id = new.item_id
          AND trove_has_grams(coalesce(new.text, '') || new.breadcrumb || coalesce(i.title, '') || ${PLACED_PATH});
      END;
    `);
  },
};
