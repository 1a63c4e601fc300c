// The SQL functions through which text reaches the full-text indexes: every connection that writes segments has them
// (the triggers of migration 008 call them), so no path into `segments` can skip segmentation. [Note: cjk]
import type { Database } from 'better-sqlite3';
import { gramText, hasGrams, indexText } from '../search/words.js';

export function registerWordFunctions(db: Database): void {
  const text = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
  db.function('trove_words', { deterministic: true }, (v: unknown) => indexText(text(v)));
  db.function('trove_grams', { deterministic: true }, (v: unknown) => gramText(text(v)));
  db.function('trove_has_grams', { deterministic: true }, (v: unknown) => (hasGrams(text(v)) ? 1 : 0));
}

/**
 * What the path column of the words index holds for an item `i`: its path, and the words of the town it was taken
 * in (migration 010). [Note: places]
 */
export const PLACED_PATH = `(i.rel_path || coalesce(' ' || (SELECT p.words FROM places p WHERE p.id = i.place_id), ''))`;

/**
 * The words-index row of each segment chosen by `where` (over `segments s JOIN items i`). `path` is what the path
 * column holds: PLACED_PATH from migration 010 on (migration 008 ran before places existed).
 */
export const insertWordsSql = (where: string, path = PLACED_PATH) =>
  `INSERT INTO segments_fts (rowid, text, breadcrumb, title, path)
   SELECT s.id, trove_words(s.text), trove_words(s.breadcrumb), trove_words(i.title), trove_words(${path})
   FROM segments s JOIN items i ON i.id = s.item_id WHERE ${where}`;

/** The letter-pair row of each segment chosen by `where` that has Chinese, Japanese or Korean letters. */
export const insertGramsSql = (where: string, path = PLACED_PATH) =>
  `INSERT INTO grams_fts (rowid, text, breadcrumb, title, path)
   SELECT s.id, trove_grams(s.text), trove_grams(s.breadcrumb), trove_grams(i.title), trove_grams(${path})
   FROM segments s JOIN items i ON i.id = s.item_id
   WHERE (${where}) AND trove_has_grams(coalesce(s.text, '') || s.breadcrumb || coalesce(i.title, '') || ${path})`;
