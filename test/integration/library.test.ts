// The vertical slice, end to end through real ONNX inference with the colours pack: index the fixture library,
// search it, follow related items, and keep it in step with the disk.
import { appendFileSync, copyFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/index.js';
import { vecTable } from '../../src/main/engine/store/spaces.js';
import { COLOURS, LIBRARY, makeLibrary } from '../fixtures/make-library.js';
import { COLOURS_PACK, eventually, tempDir } from '../helpers.js';

describe('indexing and searching the fixture library', () => {
  const tmp = tempDir('library');
  const lib = join(tmp.dir, 'library');
  const data = join(tmp.dir, 'data');
  let engine: Engine;
  const photo = (c: (typeof COLOURS)[number]) => join(lib, LIBRARY.photos[c]);
  const note = (c: (typeof COLOURS)[number]) => join(lib, LIBRARY.notes[c]);
  const count = (sql: string) => engine.store.db.prepare(sql).pluck().get() as number;

  beforeAll(async () => {
    await makeLibrary(lib);
    engine = Engine.open({ dataDir: data, model: COLOURS_PACK, ocr: false });
    await engine.addRoot({ path: lib });
    const summary = await engine.indexNow();
    expect(summary).toMatchObject({ added: 24, failed: 0, removed: 0 });
    expect(summary.embedded.images).toBe(11);
  });

  afterAll(async () => {
    await engine.close();
    tmp.cleanup();
  });

  it('finds the photo of each colour first when its colour is typed', async () => {
    for (const colour of COLOURS) {
      const { hits } = await engine.search({ query: colour, kinds: ['photo'], limit: 3 });
      expect(hits[0]?.item.path, colour).toBe(photo(colour));
      expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score + 0.3);
    }
  });

  it('answers "blue" with the blue photo and the note about blue ahead of everything else', async () => {
    const { hits } = await engine.search({ query: 'blue', limit: 5 });
    expect(hits.slice(0, 2).map((h) => h.item.path).sort()).toEqual([note('blue'), photo('blue')].sort());
    const noteHit = hits.find((h) => h.item.kind === 'note')!;
    expect(noteHit.match.segment.kind).toBe('text');
    expect(noteHit.match.segment.text).toMatch(/blue/i);
  });

  it('filters by kind, from the request or from the query language', async () => {
    const notes = await engine.search({ query: 'green', kinds: ['note'] });
    expect(notes.hits.every((h) => h.item.kind === 'note')).toBe(true);
    expect(notes.hits[0]!.item.path).toBe(note('green'));
    const inline = await engine.search({ query: 'green kind:note' });
    expect(inline.hits.map((h) => h.item.id)).toEqual(notes.hits.map((h) => h.item.id));
    expect((await engine.search({ query: 'green kind:note', kinds: ['photo'] })).hits).toEqual([]);
  });

  it('lists the note about a photo first among its related items, and never the photo itself', async () => {
    for (const colour of COLOURS) {
      const { hits, item } = await engine.related({ path: photo(colour) });
      expect(item.path).toBe(photo(colour));
      expect(hits[0]?.item.path, colour).toBe(note(colour));
      expect(hits.every((h) => h.item.kind !== 'photo')).toBe(true);
    }
  });

  it('lists the photo a note is about first among its related items', async () => {
    const { hits } = await engine.related({ path: note('blue'), limit: 3 });
    expect(hits[0]!.item.path).toBe(photo('blue'));
    expect(hits.every((h) => h.item.id !== engine.findItem({ path: note('blue') }).id)).toBe(true);
  });

  it('keeps metadata: upright dimensions, EXIF capture time, note titles and chunk breadcrumbs', async () => {
    const orange = await engine.getItem({ path: photo('orange') });
    expect([orange.width, orange.height]).toEqual([640, 480]); // stored sideways with EXIF orientation 6
    const cyan = await engine.getItem({ path: photo('cyan') });
    expect(cyan.takenAt).toBe(Date.UTC(2024, 5, 11, 10, 15, 2));
    const journal = await engine.getItem({ path: join(lib, 'notes/journal.md') });
    expect(journal.title).toBe('Journal');
    expect(journal.segments.length).toBeGreaterThan(1);
    expect(journal.segments.some((s) => s.breadcrumb.join(' > ').startsWith('Journal > '))).toBe(true);
  });

  it('serves thumbnails no larger than asked, upright', async () => {
    const t = await engine.thumbnail({ path: photo('orange'), size: 'small' });
    expect(t.mime).toBe('image/webp');
    expect([t.width, t.height]).toEqual([256, 192]);
    const again = await engine.thumbnail({ path: photo('orange'), size: 'small' });
    expect(Buffer.from(again.data).equals(Buffer.from(t.data))).toBe(true);
    await expect(engine.thumbnail({ path: note('red'), size: 'small' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('embeds nothing when nothing changed, even when only timestamps changed', async () => {
    const again = await engine.indexNow();
    expect(again).toMatchObject({ unchanged: 24, added: 0, changed: 0, removed: 0, embedded: { images: 0, texts: 0 } });
    const later = new Date(Date.now() + 60_000);
    utimesSync(photo('red'), later, later);
    utimesSync(note('red'), later, later);
    const touched = await engine.indexNow();
    expect(touched).toMatchObject({ unchanged: 24, changed: 0, embedded: { images: 0, texts: 0 } });
  });

  it('re-embeds an edited note and finds it by its new words', async () => {
    const journal = join(lib, 'notes/journal.md');
    expect((await engine.search({ query: 'purple', kinds: ['note'], limit: 2 })).hits.map((h) => h.item.path)).not.toContain(journal);
    appendFileSync(journal, '\n## Sunday\n\nBought a purple umbrella at the market.\n');
    const summary = await engine.indexNow();
    expect(summary).toMatchObject({ changed: 1, added: 0, embedded: { images: 0 } });
    expect(summary.embedded.texts).toBeGreaterThan(0);
    const { hits } = await engine.search({ query: 'purple', kinds: ['note'], limit: 2 });
    expect(hits.map((h) => h.item.path)).toContain(journal);
    const journalHit = hits.find((h) => h.item.path === journal)!;
    expect(journalHit.match.segment.breadcrumb).toEqual(['Journal', 'Sunday']);
    expect(journalHit.match.segment.text).toBe('Bought a purple umbrella at the market.');
  });

  it('forgets a deleted photo with its segments and vectors', async () => {
    const before = (await engine.search({ query: 'grey', kinds: ['photo'], limit: 1 })).hits[0]!;
    expect(before.item.path).toBe(photo('grey'));
    rmSync(photo('grey'));
    const summary = await engine.indexNow();
    expect(summary).toMatchObject({ removed: 1, embedded: { images: 0, texts: 0 } });
    const after = await engine.search({ query: 'grey', kinds: ['photo'], limit: 20 });
    expect(after.hits.map((h) => h.item.path)).not.toContain(photo('grey'));
    const space = engine.store.spaces.active()!.id;
    expect(count(`SELECT count(*) FROM ${vecTable(space)}`)).toBe(count('SELECT count(*) FROM segments'));
    expect(count(`SELECT count(*) FROM segments WHERE item_id NOT IN (SELECT id FROM items)`)).toBe(0);
    await expect(engine.related({ path: photo('grey') })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('records files it cannot read as errors with a reason, and indexes the rest', async () => {
    writeFileSync(join(lib, 'photos/broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]));
    writeFileSync(join(lib, 'photos/empty.png'), Buffer.alloc(0));
    writeFileSync(join(lib, 'notes/binary.md'), Buffer.from([0, 1, 2, 3, 0, 0, 255]));
    copyFileSync(photo('pink'), join(lib, 'photos/pink-copy.jpg'));
    const summary = await engine.indexNow();
    expect(summary).toMatchObject({ failed: 3, added: 1 });
    const errors = engine.errors().map((e) => [e.relPath, e.error]);
    expect(errors).toEqual([
      ['notes/binary.md', expect.stringMatching(/binary/)],
      ['photos/broken.jpg', expect.stringMatching(/cannot be decoded/)],
      ['photos/empty.png', expect.stringMatching(/.+/)],
    ]);
    expect((await engine.status()).errors).toBe(3);
    // Failures are remembered: the next run does not retry files that did not change.
    expect(await engine.indexNow()).toMatchObject({ failed: 0, added: 0, changed: 0 });
    expect((await engine.search({ query: 'pink', kinds: ['photo'], limit: 2 })).hits.map((h) => h.item.path).sort()).toEqual(
      [photo('pink'), join(lib, 'photos/pink-copy.jpg')].sort(),
    );
  });

  it('keeps a watched folder live: a new photo is found without re-indexing by hand', async () => {
    const errors: string[] = [];
    const handle = engine.watch({ onError: (e) => errors.push(e.message) });
    try {
      await handle.ready;
      const file = join(lib, 'photos/2024/forest.png');
      await sharp({ create: { width: 120, height: 80, channels: 3, background: { r: 20, g: 120, b: 30 } } }).png().toFile(file);
      await eventually(async () => {
        expect(errors).toEqual([]);
        const { hits } = await engine.search({ query: 'green', kinds: ['photo'], limit: 3 });
        return hits.some((h) => h.item.path === file);
      }, 'the new photo to be searchable', 45_000);
      rmSync(file);
      await eventually(async () => {
        const { hits } = await engine.search({ query: 'green', kinds: ['photo'], limit: 3 });
        return !hits.some((h) => h.item.path === file);
      }, 'the deleted photo to disappear', 45_000);
    } finally {
      await handle.close();
    }
  });
});

describe('moves and renames', () => {
  const tmp = tempDir('moves');
  const lib = join(tmp.dir, 'library');
  let engine: Engine;

  beforeAll(async () => {
    await makeLibrary(lib);
    engine = Engine.open({ dataDir: join(tmp.dir, 'data'), model: COLOURS_PACK, ocr: false });
    await engine.addRoot({ path: lib });
    await engine.indexNow();
  });
  afterAll(async () => {
    await engine.close();
    tmp.cleanup();
  });

  it('recognises a moved or renamed file by its content and embeds nothing again', async () => {
    const before = engine.findItem({ path: join(lib, LIBRARY.photos.blue) });
    const note = engine.findItem({ path: join(lib, LIBRARY.notes.red) });
    const { mkdirSync, renameSync } = await import('node:fs');
    mkdirSync(join(lib, 'archive'));
    renameSync(join(lib, LIBRARY.photos.blue), join(lib, 'archive/zanzibar.webp'));
    renameSync(join(lib, LIBRARY.notes.red), join(lib, 'archive/fire engine.md'));
    const summary = await engine.indexNow();
    expect(summary).toMatchObject({ moved: 2, removed: 0, added: 0, embedded: { images: 0, texts: 0 } });
    const moved = engine.findItem({ path: join(lib, 'archive/zanzibar.webp') });
    expect(moved.id).toBe(before.id);
    expect(moved.title).toBe('zanzibar'); // a title that came from the name follows it
    expect(engine.findItem({ path: join(lib, 'archive/fire engine.md') }).title).toBe(note.title); // a heading title stays
    const { hits } = await engine.search({ query: 'blue', kinds: ['photo'], limit: 1 });
    expect(hits[0]!.item.path).toBe(join(lib, 'archive/zanzibar.webp'));
    // The new path is what words find, the old one nothing.
    expect((await engine.search({ query: 'zanzibar', limit: 1 })).hits[0]!.item.id).toBe(before.id);
    expect((await engine.search({ query: 'PXL_20240612_183011', limit: 3 })).hits.some((h) => h.match.lexical)).toBe(false);
  });
});
