import type { Migration } from './index.js';
import { PLACED_PATH, registerWordFunctions } from '../words.js';

// Places. [Note: places]
// - `places`: the towns the library's photos were taken in (GeoNames ids), with the names `in:` compares (folded,
//   one per line, between newlines) and the words the words index holds for them (the town and its country in the
//   languages a person may type).
// - `items.place_id`: the town a photo was taken in; NULL until looked up (libraries written before this migration
//   are looked up at the next index run, without re-indexing), 0 when no town is near.
// - The words index holds a photo's town and country with its path, so "Lisbon" or "葡萄牙" finds what was taken
//   there as any word does; the triggers and the item-level re-index read the place through PLACED_PATH.
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
