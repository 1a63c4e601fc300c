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

/** The words-index row of each segment chosen by `where` (over `segments s JOIN items i`). */
export const insertWordsSql = (where: string) =>
  `INSERT INTO segments_fts (rowid, text, breadcrumb, title, path)
   SELECT s.id, trove_words(s.text), trove_words(s.breadcrumb), trove_words(i.title), trove_words(i.rel_path)
   FROM segments s JOIN items i ON i.id = s.item_id WHERE ${where}`;

/** The letter-pair row of each segment chosen by `where` that has Chinese, Japanese or Korean letters. */
export const insertGramsSql = (where: string) =>
  `INSERT INTO grams_fts (rowid, text, breadcrumb, title, path)
   SELECT s.id, trove_grams(s.text), trove_grams(s.breadcrumb), trove_grams(i.title), trove_grams(i.rel_path)
   FROM segments s JOIN items i ON i.id = s.item_id
   WHERE (${where}) AND trove_has_grams(coalesce(s.text, '') || s.breadcrumb || coalesce(i.title, '') || i.rel_path)`;
