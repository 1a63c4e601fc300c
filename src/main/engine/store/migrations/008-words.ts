import type { Migration } from './index.js';
import { insertGramsSql, insertWordsSql, registerWordFunctions } from '../words.js';

// Words in every script. [Note: cjk]
// The words index is rebuilt from segmented text (`trove_words`: Chinese and Japanese cut by dictionary, Chinese
// folded to simplified, Latin diacritics folded), and a letter-pair index `grams_fts` is added for the segments
// that have Chinese, Japanese or Korean letters. Only the indexes are rebuilt from the text already stored: nothing
// is read from disk again and nothing is embedded again.
export const words: Migration = {
  version: 8,
  name: 'words',
  up(db) {
    registerWordFunctions(db);
    db.exec(`
      DROP TRIGGER segments_fts_insert;
      DROP TRIGGER segments_fts_delete;
      DROP TABLE segments_fts;
      CREATE VIRTUAL TABLE segments_fts USING fts5(
        text, breadcrumb, title, path,
        content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
      );
      CREATE VIRTUAL TABLE grams_fts USING fts5(
        text, breadcrumb, title, path,
        content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
      );
      CREATE TRIGGER segments_fts_insert AFTER INSERT ON segments BEGIN
        INSERT INTO segments_fts (rowid, text, breadcrumb, title, path)
        SELECT new.id, trove_words(new.text), trove_words(new.breadcrumb), trove_words(i.title), trove_words(i.rel_path)
        FROM items i WHERE i.id = new.item_id;
        INSERT INTO grams_fts (rowid, text, breadcrumb, title, path)
        SELECT new.id, trove_grams(new.text), trove_grams(new.breadcrumb), trove_grams(i.title), trove_grams(i.rel_path)
        FROM items i WHERE i.id = new.item_id
          AND trove_has_grams(coalesce(new.text, '') || new.breadcrumb || coalesce(i.title, '') || i.rel_path);
      END;
      CREATE TRIGGER segments_fts_delete AFTER DELETE ON segments BEGIN
        DELETE FROM segments_fts WHERE rowid = old.id;
        DELETE FROM grams_fts WHERE rowid = old.id;
      END;
    `);
    db.exec(insertWordsSql('1', 'i.rel_path')); // as it was at version 8: places came with version 10
    db.exec(insertGramsSql('1', 'i.rel_path'));
  },
};
