// Words in every script, end to end ([Note: cjk]) and what counts as a match ([Note: relevance]): a library of
// Chinese (simplified and traditional), Japanese, Korean and English notes, searched through the engine.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/index.js';
import { foldWord } from '../../src/main/engine/search/words.js';
import { Store } from '../../src/main/engine/store/index.js';
import { latestVersion } from '../../src/main/engine/store/migrate.js';
import type { Hit } from '../../src/shared/types.js';
import { CJK_NOTES, makeCjkLibrary } from '../fixtures/make-cjk.js';
import { COLOURS_PACK, tempDir } from '../helpers.js';

type NoteName = keyof typeof CJK_NOTES;

describe('words in every script', () => {
  const tmp = tempDir('words');
  const lib = join(tmp.dir, 'lib');
  const data = join(tmp.dir, 'data');
  let engine: Engine;
  const pathOf = (n: NoteName) => join(lib, CJK_NOTES[n].path);
  const found = async (query: string) => (await engine.search({ query, limit: 20 })).hits;
  const closeNotes = (hits: readonly Hit[]) => hits.filter((h) => h.close).map((h) => h.item.path).sort();
  /** The marked words of a hit's passage, folded, so 學習 and 学习 read alike. */
  const marked = (h: Hit) => (h.match.passage?.marks ?? []).map(([s, e]) => foldWord(h.match.passage!.text.slice(s, e)));

  beforeAll(async () => {
    makeCjkLibrary(lib);
    engine = Engine.open({ dataDir: data, model: COLOURS_PACK, ocr: false });
    await engine.addRoot({ path: lib });
    expect(await engine.indexNow()).toMatchObject({ added: Object.keys(CJK_NOTES).length, failed: 0 });
  });

  afterAll(async () => {
    await engine.close();
    tmp.cleanup();
  });

  it('finds a Chinese word inside running text, and shows and marks the passage that holds it', async () => {
    for (const word of ['跨模态', '表示学习', '检索', '数据集']) {
      const hits = await found(word);
      expect(closeNotes(hits), word).toContain(pathOf('simplified'));
      const hit = hits.find((h) => h.item.path === pathOf('simplified'))!;
      expect(hit.match.lexical).toBe(true);
      expect(hit.match.passage!.text).toContain(word);
      expect(marked(hit)).toContain(foldWord(word));
    }
  });

  it('lets simplified and traditional find each other, both ways', async () => {
    expect(closeNotes(await found('表示学习'))).toEqual([pathOf('simplified'), pathOf('traditional')].sort());
    expect(closeNotes(await found('表示學習'))).toEqual([pathOf('simplified'), pathOf('traditional')].sort());
    expect(closeNotes(await found('机器学习'))).toEqual([pathOf('traditional')]); // its title, 機器學習筆記
    const trad = (await found('对比学习'))[0]!;
    expect(trad.item.path).toBe(pathOf('traditional'));
    expect(trad.close).toBe(true);
    expect(marked(trad)).toContain('对比学习');
    expect(trad.match.passage!.text).toContain('對比學習');
  });

  it('finds Japanese words and Korean words with their particles', async () => {
    expect(closeNotes(await found('新幹線'))).toEqual([pathOf('japanese')]);
    expect(closeNotes(await found('桜'))).toEqual([pathOf('japanese')]);
    expect(closeNotes(await found('분석기'))).toEqual([pathOf('korean')]);
    expect(closeNotes(await found('한국어'))).toEqual([pathOf('korean')]);
  });

  it('finds English beside Chinese, and folds diacritics without stemming', async () => {
    expect(closeNotes(await found('zero-shot 模型'))).toEqual([pathOf('mixed')]);
    expect(closeNotes(await found('resume cafe'))).toEqual([pathOf('mixed')]);
    expect(closeNotes(await found('visits'))).toEqual([]);
  });

  it('finds a folder name in Chinese', async () => {
    expect(closeNotes(await found('笔记'))).toContain(pathOf('traditional')); // 筆記, folded
  });

  it('keeps to quoted phrases, and leaves out what -word names', async () => {
    expect(closeNotes(await found('fire engine'))).toEqual([pathOf('english'), pathOf('cooking')].sort());
    const phrase = await found('"fire engine"');
    expect(phrase.map((h) => h.item.path)).toEqual([pathOf('english')]);
    expect(marked(phrase[0]!)).toContain('fire engine');
    const without = await found('fire engine -lentils');
    expect(without.map((h) => h.item.path)).not.toContain(pathOf('cooking'));
    expect(closeNotes(without)).toEqual([pathOf('english')]);
    expect((await found('学习 -對比')).map((h) => h.item.path)).not.toContain(pathOf('traditional'));
  });

  it('says when nothing is close, and never calls a meaningless match close', async () => {
    const answer = await engine.search({ query: 'xyzzyqq', limit: 20 });
    expect(answer.close).toBe(0);
    expect(answer.hits.every((h) => !h.close)).toBe(true);
    expect(answer.notice).toMatch(/No close matches for “xyzzyqq”/);
    // Words the model cannot place, found only in items a -word leaves out: not "none were found" alone.
    expect((await engine.search({ query: 'lentils', limit: 20 })).hits.map((h) => h.item.path)).toContain(pathOf('cooking'));
    const left = await engine.search({ query: 'lentils -oven', limit: 20 });
    expect(left.hits).toEqual([]);
    expect(left.notice).toBe('“lentils” means nothing to the search model: only its exact words are looked for, and none were found outside the items left out by -oven.');
  });

  it('refuses bytes that are not a photo to search by, with the request at fault', async () => {
    await expect(engine.search({ query: '', image: { bytes: Uint8Array.of(1, 2, 3, 4) } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('answers several lanes in one request, close matches first in each', async () => {
    const answer = await engine.search({ query: 'red', lanes: [{ kinds: ['photo'], limit: 5 }, { kinds: ['note', 'audio'], limit: 5 }] });
    expect(answer.lanes.map((l) => l.kinds)).toEqual([['photo'], ['note', 'audio']]);
    expect(answer.lanes[0]!.count).toBe(0); // no photos in this library
    const notes = answer.hits.slice(answer.lanes[0]!.count);
    expect(notes.length).toBe(answer.lanes[1]!.count);
    const firstMore = notes.findIndex((h) => !h.close);
    expect(firstMore === -1 || notes.slice(firstMore).every((h) => !h.close)).toBe(true);
    expect(closeNotes(notes)).toEqual([pathOf('cooking'), pathOf('english')].sort());
  });

  it('re-indexes the words of a library written before segmentation, without embedding anything again', async () => {
    await engine.close();
    // Back to the shape of version 7: one words index over unsegmented text, no letter pairs (and none of the tables
    // and columns of 009 to 014).
    const store = Store.open(join(data, 'library.db'));
    const vectorsBefore = store.db.prepare('SELECT count(*) FROM segments').pluck().get();
    store.db.exec(`
      DROP TRIGGER segments_fts_insert; DROP TRIGGER items_folder_insert; DROP TRIGGER items_folder_update; DROP TABLE folders; DROP TABLE places;
      DROP INDEX items_by_place; DROP INDEX items_by_position; DROP INDEX items_unplaced; DROP INDEX items_by_folder_id;
      ALTER TABLE items DROP COLUMN place_id; ALTER TABLE items DROP COLUMN folder_id; ALTER TABLE items DROP COLUMN phash;
      DROP TRIGGER ann_segment_gone; DROP TABLE ann_log; DROP TABLE vectors_q15; DROP TABLE ann_trimmed; DELETE FROM sqlite_sequence WHERE name = 'ann_log';
      DROP TRIGGER segments_fts_delete; DROP TABLE grams_fts; DROP TABLE segments_fts;
      CREATE VIRTUAL TABLE segments_fts USING fts5(text, breadcrumb, title, path, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2');
      INSERT INTO segments_fts (rowid, text, breadcrumb, title, path) SELECT s.id, coalesce(s.text, ''), s.breadcrumb, i.title, i.rel_path FROM segments s JOIN items i ON i.id = s.item_id;
      CREATE TRIGGER segments_fts_insert AFTER INSERT ON segments BEGIN
        INSERT INTO segments_fts (rowid, text, breadcrumb, title, path) SELECT new.id, coalesce(new.text, ''), new.breadcrumb, i.title, i.rel_path FROM items i WHERE i.id = new.item_id;
      END;
      CREATE TRIGGER segments_fts_delete AFTER DELETE ON segments BEGIN DELETE FROM segments_fts WHERE rowid = old.id; END;
    `);
    store.db.pragma('user_version = 7');
    store.close();
    engine = Engine.open({ dataDir: data, model: COLOURS_PACK, ocr: false });
    expect(engine.store.db.pragma('user_version', { simple: true })).toBe(latestVersion());
    expect(engine.store.db.prepare('SELECT count(*) FROM segments').pluck().get()).toBe(vectorsBefore);
    expect(engine.store.db.prepare('SELECT count(*) FROM vectors_q15').pluck().get()).toBe(engine.store.db.prepare(`SELECT count(*) FROM vec_space_${engine.store.spaces.active()!.id}`).pluck().get());
    expect(closeNotes(await found('表示学习'))).toEqual([pathOf('simplified'), pathOf('traditional')].sort());
    const summary = await engine.indexNow();
    expect(summary).toMatchObject({ added: 0, changed: 0, embedded: { images: 0, texts: 0 } });
  });
});
