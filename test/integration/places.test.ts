// Places end to end ([Note: places]): photos with GPS get their town offline, are found by the town's or the
// country's name (in English or Chinese), and filtered by in:, near: and camera:; a library written before places
// gets them at the next index run without re-indexing.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/index.js';
import { Store } from '../../src/main/engine/store/index.js';
import { insertGramsSql, insertWordsSql } from '../../src/main/engine/store/words.js';
import type { Hit } from '../../src/shared/types.js';
import { makePlacesLibrary, PLACED_PHOTOS } from '../fixtures/make-places.js';
import { COLOURS_PACK, tempDir } from '../helpers.js';

type PhotoName = keyof typeof PLACED_PHOTOS;

describe('places', () => {
  const tmp = tempDir('places');
  const lib = join(tmp.dir, 'lib');
  const data = join(tmp.dir, 'data');
  let engine: Engine;
  const pathOf = (n: PhotoName) => join(lib, PLACED_PHOTOS[n].path);
  const names = (hits: readonly Hit[]) =>
    hits
      .map((h) => (Object.keys(PLACED_PHOTOS) as PhotoName[]).find((n) => pathOf(n) === h.item.path) ?? h.item.relPath)
      .sort();
  const close = async (query: string) => names((await engine.search({ query, limit: 20 })).hits.filter((h) => h.close));
  const all = async (query: string) => names((await engine.search({ query, limit: 20 })).hits);

  beforeAll(async () => {
    await makePlacesLibrary(lib);
    engine = Engine.open({ dataDir: data, model: COLOURS_PACK, ocr: false });
    await engine.addRoot({ path: lib });
    expect(await engine.indexNow()).toMatchObject({ added: Object.keys(PLACED_PHOTOS).length + 1, failed: 0 });
  });

  afterAll(async () => {
    await engine.close();
    tmp.cleanup();
  });

  it('names the town and country a photo was taken in, offline', async () => {
    const place = async (n: PhotoName) => (await engine.getItem({ path: pathOf(n) })).place;
    expect(await place('tram')).toMatchObject({ name: 'Lisbon', country: 'PT', countryName: 'Portugal' });
    expect(await place('porto')).toMatchObject({ name: 'Porto', country: 'PT' });
    expect(await place('tokyo')).toMatchObject({ country: 'JP' });
    expect(await place('sea')).toBeNull(); // no town within reach
    expect(await place('scan')).toBeNull(); // no position
    const { hits } = await engine.search({ query: 'kind:photo in:Lisbon', limit: 5 });
    expect(hits[0]!.item.place?.name).toBe('Lisbon'); // results carry it too
  });

  it('finds photos by the name of the town or the country they were taken in, and says so', async () => {
    expect(await close('Lisbon')).toEqual(['notes/plans.md', 'river', 'tram']);
    expect(await close('Portugal')).toEqual(['porto', 'river', 'setubal', 'tram']);
    expect(await close('葡萄牙')).toEqual(['porto', 'river', 'setubal', 'tram']);
    const hit = (await engine.search({ query: 'Portugal', limit: 20 })).hits.find((h) => h.item.path === pathOf('porto'))!;
    expect(hit.match.lexical).toBe(true);
    expect(hit.match.passage).toEqual({ text: 'Porto, Portugal', marks: [[7, 15]], of: 'place' });
    const zh = (await engine.search({ query: '葡萄牙', limit: 20 })).hits.find((h) => h.item.path === pathOf('porto'))!;
    expect(zh.match.passage).toMatchObject({ text: 'Porto, 葡萄牙', of: 'place' });
    // The town's own name in Chinese, Japanese or Korean finds it too, as a word and as a filter.
    expect(await close('里斯本')).toEqual(['river', 'tram']);
    expect(await close('リスボン')).toEqual(['river', 'tram']);
    expect(await all('in:里斯本')).toEqual(['river', 'tram']);
    expect(await all('near:里斯本')).toEqual(['river', 'tram']);
  });

  it('filters by in: a place or a folder, near: a town or a position, and camera:', async () => {
    expect(await all('in:Lisbon')).toEqual(['river', 'tram']);
    expect(await all('in:portugal kind:photo')).toEqual(['porto', 'river', 'setubal', 'tram']);
    expect(await all('in:Trips')).toEqual(['river', 'tram']);
    expect(await all('in:"Trips/Lisbon 2024"')).toEqual(['river', 'tram']);
    expect(await all('in:Phone in:Scans')).toEqual(['porto', 'scan', 'sea', 'setubal', 'tokyo']);
    expect(await all('near:Lisbon')).toEqual(['river', 'tram']);
    expect(await all('near:Lisbon,40km')).toEqual(['river', 'setubal', 'tram']);
    expect(await all('near:35.68,139.76,5km')).toEqual(['tokyo']);
    expect(await all('camera:iphone')).toEqual(['porto', 'sea', 'setubal', 'tokyo']);
    expect(await all('camera:"EOS R5"')).toEqual(['river', 'tram']);
    expect(await all('near:Xyzzyqq')).toEqual([]);
    expect((await engine.search({ query: 'near:Xyzzyqq' })).notice).toMatch(/Nothing was taken near “Xyzzyqq”/);
    expect((await engine.search({ query: 'red near:Xyzzyqq' })).notice).toMatch(/near: takes a town's name/);
    // With words: the scope filters inside the search by meaning and by words alike.
    expect(await all('red in:Portugal')).not.toContain('tokyo');
    expect((await all('red in:Portugal')).every((n) => ['porto', 'river', 'setubal', 'tram'].includes(n))).toBe(true);
    expect(await all('plans in:notes')).toEqual(['notes/plans.md']);
    // The timeline reads the same filters.
    const page = await engine.timeline({ query: 'camera:iphone near:Lisbon,100km' });
    expect(page.items.map((i) => i.relPath)).toEqual([PLACED_PHOTOS.setubal.path]);
  });

  it('gives photos of a library written before places their towns at the next index run, without embedding again', async () => {
    await engine.close();
    // As migration 10 leaves a library written before it: no towns, and words indexes without them.
    const store = Store.open(join(data, 'library.db'));
    store.db.exec(`UPDATE items SET place_id = NULL; DELETE FROM places; DELETE FROM segments_fts; DELETE FROM grams_fts;`);
    store.db.exec(insertWordsSql('1', 'i.rel_path'));
    store.db.exec(insertGramsSql('1', 'i.rel_path'));
    store.close();
    engine = Engine.open({ dataDir: data, model: COLOURS_PACK, ocr: false });
    expect(await close('葡萄牙')).toEqual([]);
    const summary = await engine.indexNow();
    expect(summary).toMatchObject({ added: 0, changed: 0, embedded: { images: 0, texts: 0 } });
    expect(await close('葡萄牙')).toEqual(['porto', 'river', 'setubal', 'tram']);
    expect(await all('in:Lisbon')).toEqual(['river', 'tram']);
  });

  it('names places made by an older recipe again at the next index run: a town found by its Chinese name', async () => {
    await engine.close();
    // As a library written before migration 12 leaves them: towns and countries, no names in CJK script.
    const store = Store.open(join(data, 'library.db'));
    store.db.exec(`UPDATE places SET version = 1, region = NULL, words = name || ' ' || (CASE country WHEN 'PT' THEN 'Portugal 葡萄牙' ELSE country END),
      names = char(10) || lower(name) || char(10)`);
    store.db.exec('DELETE FROM segments_fts; DELETE FROM grams_fts;');
    store.db.exec(insertWordsSql('1'));
    store.db.exec(insertGramsSql('1'));
    store.close();
    engine = Engine.open({ dataDir: data, model: COLOURS_PACK, ocr: false });
    expect(await close('里斯本')).toEqual([]);
    expect(await engine.indexNow()).toMatchObject({ added: 0, changed: 0, embedded: { images: 0, texts: 0 } });
    expect(await close('里斯本')).toEqual(['river', 'tram']);
    expect(await all('in:里斯本')).toEqual(['river', 'tram']);
    // And its region, which places named before version 3 lack.
    expect((await engine.getItem({ path: pathOf('setubal') })).place).toMatchObject({ name: 'Setúbal', region: 'Setúbal', country: 'PT' });
    expect(await close('Portugal')).toEqual(['porto', 'river', 'setubal', 'tram']);
  });
});
