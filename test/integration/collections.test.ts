// Collections end to end: a generated library of outings (photos with EXIF times, their journal notes, loose
// photos, a note about the same subject on another day), indexed with the colours pack; the known answer is one
// collection per outing with its note and its photos, and nothing else. [Note: collections]
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectionDetail } from '../../src/shared/types.js';
import { Engine } from '../../src/main/engine/index.js';
import { addToLake, makeEvents, type EventLibrary } from '../fixtures/make-events.js';
import { makeTrips } from '../fixtures/make-trips.js';
import { COLOURS_PACK, eventually, tempDir } from '../helpers.js';

describe('collections from a library of outings', () => {
  const tmp = tempDir('collections');
  const lib = join(tmp.dir, 'library');
  const data = join(tmp.dir, 'data');
  let engine: Engine;
  let library: EventLibrary;

  const all = async (): Promise<CollectionDetail[]> => {
    const { collections } = await engine.listCollections({ includeHidden: true });
    return Promise.all(collections.map((c) => engine.getCollection({ id: c.id })));
  };
  const paths = (c: CollectionDetail) => new Set(c.members.map((m) => m.item.relPath));
  const find = (list: readonly CollectionDetail[], note: string) => list.find((c) => paths(c).has(note));

  beforeAll(async () => {
    library = await makeEvents(lib);
    engine = Engine.open({ dataDir: data, model: COLOURS_PACK, ocr: false });
    await engine.addRoot({ path: lib });
    await engine.indexNow();
  });

  afterAll(async () => {
    await engine.close();
    tmp.cleanup();
  });

  it('makes one collection per outing, with its note and its photos, and nothing from another', async () => {
    const list = await all();
    expect(list).toHaveLength(library.events.length);
    for (const event of library.events) {
      const c = find(list, event.note);
      expect(c, event.name).toBeDefined();
      const members = paths(c!);
      const photos = event.photos.filter((p) => members.has(p)).length;
      expect(photos / event.photos.length, event.name).toBeGreaterThanOrEqual(0.8);
      // Nothing from another event, no loose photo, no stray note.
      const own = new Set([event.note, ...event.photos]);
      expect([...members].filter((p) => !own.has(p)), event.name).toEqual([]);
      expect(c!.title, event.name).toBe(event.noteTitle);
      expect(c!.titleSource).toBe('note');
      expect(c!.counts.note).toBe(1);
      expect(c!.cover?.kind).toBe('photo');
      expect(c!.start).toBeLessThanOrEqual(c!.end);
    }
  });

  it('says why linked items belong together, and ranks the note of the day first', async () => {
    const lake = library.events[0]!;
    const links = await engine.links({ path: join(lib, lake.photos[2]!) });
    expect(links[0]?.item.relPath).toBe(lake.note);
    expect(links[0]!.link.reasons).toContain('same day');
    // Related: the journal note of that day before the orchard note about the same subject.
    const related = await engine.related({ path: join(lib, lake.photos[2]!), kinds: ['note'] });
    const order = related.hits.map((h) => h.item.relPath);
    expect(order.indexOf(lake.note)).toBeLessThan(order.indexOf(library.events[2]!.note));
    expect(related.hits[0]!.link?.reasons).toContain('same day');
  });

  it('is idempotent: a second run changes no id and no member', async () => {
    const before = await all();
    await engine.indexNow();
    const after = await all();
    expect(after.map((c) => [c.id, [...paths(c)].sort()])).toEqual(before.map((c) => [c.id, [...paths(c)].sort()]));
  });

  it('keeps ids when new photos arrive, and honours what a person changed, on every later run', async () => {
    const before = await all();
    const lake = find(before, library.events[0]!.note)!;
    const harbour = find(before, library.events[1]!.note)!;
    const orchard = find(before, library.events[2]!.note)!;
    // A person renames one, takes a photo out of another, removes the third.
    await engine.updateCollection({ id: harbour.id, title: 'Harbour with Anna', pinned: true });
    const outPhoto = lake.members.find((m) => m.item.kind === 'photo')!.item;
    await engine.removeFromCollection({ id: lake.id, itemIds: [outPhoto.id] });
    expect((await engine.deleteCollection({ id: orchard.id })).removed).toBe(true);

    // New photos of the lake arrive (and a file of the orchard changes): only the events near them are recomputed.
    const added = await addToLake(lib, 2);
    writeFileSync(join(lib, library.events[2]!.note), '---\ndate: 2024-09-14\n---\n# Apple picking\n\nRed apples, red baskets, red cheeks.\n');
    await engine.indexNow();
    const after = await all();
    const lake2 = after.find((c) => c.id === lake.id)!;
    expect(lake2, 'the lake keeps its id').toBeDefined();
    expect(paths(lake2).has(added[0]!)).toBe(true);
    expect(paths(lake2).has(outPhoto.relPath), 'a photo taken out stays out').toBe(false);
    const harbour2 = after.find((c) => c.id === harbour.id)!;
    expect(harbour2.title).toBe('Harbour with Anna');
    expect(harbour2.pinned).toBe(true);
    expect(after.find((c) => paths(c).has(library.events[2]!.note)), 'a removed collection is not made again').toBeUndefined();
    expect(after).toHaveLength(2);

    // A deleted item leaves no member and no link behind.
    const gone = lake2.members.find((m) => m.item.kind === 'photo' && m.item.relPath !== added[0])!.item;
    rmSync(gone.path);
    await engine.indexNow();
    const lake3 = await engine.getCollection({ id: lake.id });
    expect(lake3.members.some((m) => m.item.id === gone.id)).toBe(false);
    const orphan = engine.store.db.prepare('SELECT count(*) FROM links WHERE a = ? OR b = ?').pluck().get(gone.id, gone.id);
    expect(orphan).toBe(0);
  });

  it('confirms and rejects links, and keeps what a person said across re-indexing', async () => {
    const lake = library.events[0]!;
    const photo = join(lib, lake.photos[3]!);
    const item = await engine.getItem({ path: photo });
    const stray = await engine.getItem({ path: join(lib, 'notes/red-thoughts.md') });
    const journal = await engine.getItem({ path: join(lib, lake.note) });
    await engine.setLinkVerdict({ a: item.id, b: stray.id, verdict: 'confirmed' });
    const rejected = await engine.setLinkVerdict({ a: item.id, b: journal.id, verdict: 'rejected' });
    expect(rejected?.link.verdict).toBe('rejected');
    writeFileSync(join(lib, lake.note), '---\ntitle: Lake day\n---\n# Lake day\n\nThe red boat again.\n'); // re-indexed
    await engine.indexNow();
    const links = await engine.links({ id: item.id });
    expect(links[0]!.item.id).toBe(stray.id);
    expect(links[0]!.link.verdict).toBe('confirmed');
    expect(links[0]!.link.reasons[0]).toBe('you linked these');
    expect(links.find((l) => l.item.id === journal.id)?.link.verdict).toBe('rejected');
    const related = await engine.related({ id: item.id, kinds: ['note'] });
    expect(related.hits.map((h) => h.item.id)).not.toContain(journal.id);
    expect(related.hits[0]!.item.id).toBe(stray.id);
  });

  it('lists filter-only queries and the timeline newest first, notes included', async () => {
    const r = await engine.search({ query: 'kind:note after:2024-05 before:2024-10' });
    expect(r.mode).toBe('filters');
    const times = r.hits.map((h) => h.item.takenAt!);
    expect(times.length).toBeGreaterThanOrEqual(4);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const page = await engine.timeline({ limit: 5 });
    expect(page.items).toHaveLength(5);
    expect(page.months?.[0]?.month).toBe('2024-09');
    const next = await engine.timeline({ limit: 5, cursor: page.next! });
    expect(next.items[0]!.takenAt!).toBeLessThanOrEqual(page.items[4]!.takenAt!);
    expect(new Set([...page.items, ...next.items].map((i) => i.id)).size).toBe(10);
    const notes = (await engine.timeline({ query: 'kind:note', limit: 10 })).items;
    expect(notes.find((n) => n.relPath === 'notes/orchard.md')?.excerpt).toMatch(/^Red apples/); // its title left out
    const may = page.months!.find((m) => m.month === '2024-05')!;
    const jumped = await engine.timeline({ from: may.end, limit: 3 });
    expect(new Date(jumped.items[0]!.takenAt!).toISOString().slice(0, 7)).toBe('2024-05');
  });
});

describe('a library indexed before collections existed', () => {
  const tmp = tempDir('collections-old');
  const lib = join(tmp.dir, 'library');
  const data = join(tmp.dir, 'data');
  afterAll(() => tmp.cleanup());

  it('gets its times and its collections at the next run, without re-indexing', async () => {
    const library = await makeEvents(lib);
    let engine = Engine.open({ dataDir: data, model: COLOURS_PACK, ocr: false });
    await engine.addRoot({ path: lib });
    await engine.indexNow();
    // As migration 7 leaves an older library: no time sources, notes undated, nothing linked or grouped yet.
    engine.store.db.exec(`UPDATE items SET time_source = NULL, time_day = 0;
      UPDATE items SET taken_at = NULL WHERE kind = 'note';
      DELETE FROM collections; DELETE FROM links; DELETE FROM collection_dirty; DELETE FROM link_queue;
      INSERT INTO link_queue (item_id) SELECT id FROM items WHERE status = 'indexed';
      INSERT INTO collection_dirty (at) SELECT DISTINCT taken_at FROM items WHERE taken_at IS NOT NULL;`);
    await engine.close();
    engine = Engine.open({ dataDir: data, model: COLOURS_PACK, ocr: false });
    try {
      const summary = await engine.indexNow();
      expect(summary.embedded).toEqual({ images: 0, texts: 0 });
      const { collections } = await engine.listCollections({});
      expect(collections.map((c) => c.title).sort()).toEqual(library.events.map((e) => e.noteTitle).sort());
    } finally {
      await engine.close();
    }
  });
});

describe('collections from a library of trips drawn as scenes', () => {
  const tmp = tempDir('collections-trips');
  const lib = join(tmp.dir, 'library');
  const data = join(tmp.dir, 'data');
  afterAll(() => tmp.cleanup());

  it('makes one collection per trip — a two-day weekend as one — with its note and memo, and leaves loose items out', async () => {
    const made = await makeTrips(lib);
    const engine = Engine.open({ dataDir: data, model: COLOURS_PACK, ocr: false });
    try {
      await engine.addRoot({ path: lib });
      await engine.indexNow();
      const { collections } = await engine.listCollections({});
      expect(collections).toHaveLength(made.trips.length);
      const out = new Set([...made.loose, ...made.undated]);
      for (const trip of made.trips) {
        const summary = collections.find((c) => c.title === trip.title);
        expect(summary, trip.name).toBeDefined();
        const members = new Set((await engine.getCollection({ id: summary!.id })).members.map((m) => m.item.relPath));
        expect(members.has(trip.note.path), trip.name).toBe(true);
        if (trip.memo) expect(members.has(trip.memo), `${trip.name} memo`).toBe(true);
        expect(trip.paths.filter((p) => members.has(p)).length / trip.paths.length, trip.name).toBeGreaterThanOrEqual(0.8);
        const own = new Set([trip.note.path, ...(trip.memo ? [trip.memo] : []), ...trip.paths]);
        expect([...members].filter((p) => !own.has(p) || out.has(p)), trip.name).toEqual([]);
      }
    } finally {
      await engine.close();
    }
  });
});

describe('building collections is resumable', () => {
  const tmp = tempDir('collections-resume');
  const lib = join(tmp.dir, 'library');
  afterAll(() => tmp.cleanup());

  it('a build stopped after any step and started again ends where an uninterrupted one does', async () => {
    await makeEvents(lib);
    const engine = Engine.open({ dataDir: join(tmp.dir, 'data'), model: COLOURS_PACK, ocr: false });
    try {
      await engine.addRoot({ path: lib });
      await engine.indexNow();
      const snapshot = () =>
        engine.store.db.prepare(`SELECT c.title, group_concat(m.item_id) AS members FROM collections c JOIN collection_members m ON m.collection_id = c.id
          WHERE c.state = 'live' GROUP BY c.id ORDER BY c.start`).all();
      const links = () => engine.store.db.prepare('SELECT a, b, score FROM links ORDER BY a, b').all();
      const whole = { collections: snapshot(), links: links() };
      expect(whole.collections).toHaveLength(3);
      const requeue = () =>
        engine.store.db.exec(`DELETE FROM collections; DELETE FROM links;
          INSERT INTO link_queue (item_id) SELECT id FROM items WHERE status = 'indexed';
          INSERT INTO collection_dirty (at) SELECT DISTINCT taken_at FROM items WHERE status = 'indexed' AND taken_at IS NOT NULL;`);
      for (const stopAfter of [1, 2, 4]) {
        requeue();
        // Each write is one step (a window of collections, a batch of links) in its own transaction.
        let writes = 0;
        const hooks = {
          write: async <T>(fn: () => T) => (writes++, fn()),
          stopped: () => writes >= stopAfter,
          progress: () => undefined,
          collectionsChanged: () => undefined,
        };
        const spaceId = engine.store.spaces.active()!.id;
        await engine.collections.follow(null, spaceId, hooks);
        expect(engine.collections.pending(), `stopped after ${stopAfter}`).toBeGreaterThan(0);
        await engine.collections.follow(null, spaceId, { ...hooks, stopped: () => false });
        expect(engine.collections.pending()).toBe(0);
        expect(snapshot().map((c) => ({ ...(c as object), title: undefined }))).toEqual(whole.collections.map((c) => ({ ...(c as object), title: undefined })));
        expect(links()).toEqual(whole.links);
      }
      // A folder removed takes its collections with it at once, not at the next run.
      await engine.removeRoot({ id: engine.store.roots.list()[0]!.id });
      await eventually(async () => (await engine.listCollections({ includeHidden: true })).total === 0, 'the collections of a removed folder to go');
      expect(engine.store.db.prepare('SELECT count(*) FROM collection_members').pluck().get()).toBe(0);
    } finally {
      await engine.close();
    }
  });
});
