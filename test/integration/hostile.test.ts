// Bad input is normal: a corpus of hostile files beside a good library. Nothing crashes, every bad file is an
// item with a clear reason, every good file is indexed, and the huge file is never read into memory.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/index.js';
import { COLOURS, LIBRARY, makeLibrary } from '../fixtures/make-library.js';
import { makeHostile, type HostileFile } from '../fixtures/make-hostile.js';
import { COLOURS_PACK, tempDir } from '../helpers.js';

describe('hostile files', () => {
  const tmp = tempDir('hostile');
  const lib = join(tmp.dir, 'lib');
  let engine: Engine;
  let hostile: HostileFile[];
  let summary: Awaited<ReturnType<Engine['indexNow']>>;
  let rssGrowth = 0;

  beforeAll(async () => {
    await makeLibrary(lib);
    hostile = await makeHostile(lib);
    engine = Engine.open({ dataDir: join(tmp.dir, 'data'), model: COLOURS_PACK, ocr: false });
    await engine.addRoot({ path: lib });
    await engine.encoder();
    const before = process.memoryUsage().rss;
    summary = await engine.indexNow();
    rssGrowth = process.memoryUsage().rss - before;
  });

  afterAll(async () => {
    await engine.close();
    tmp.cleanup();
  });

  it('gives every bad file a clear reason and indexes everything else', async () => {
    const bad = hostile.filter((h) => h.reason !== null);
    expect(summary.failed).toBe(bad.length);
    const errors = new Map(engine.errors().map((e) => [e.relPath, e.error ?? '']));
    for (const h of bad) expect(errors.get(h.path), h.path).toMatch(h.reason!);
    expect(errors.size).toBe(bad.length);
    expect([...errors.keys()], 'the listErrors operation lists the same files').toEqual((await engine.listErrors({})).map((e) => e.relPath));
    expect(await engine.listErrors({ limit: 1 })).toHaveLength(1);
    const good = hostile.filter((h) => h.reason === null).length;
    expect(summary.added).toBe(24 + good);
  });

  it('leaves the good library searchable as if nothing were wrong', async () => {
    for (const colour of COLOURS) {
      const { hits } = await engine.search({ query: colour, kinds: ['photo'], limit: 1 });
      expect(hits[0]?.item.path, colour).toBe(join(lib, LIBRARY.photos[colour]));
    }
    const latin = await engine.getItem({ path: join(lib, 'hostile/latin1.md') });
    expect(latin.title).toBe('Café');
    expect(latin.segments[0]!.text).toBe('Crème brûlée, naïve € price.');
  });

  it('never reads the 200 MB file into memory', () => {
    expect(rssGrowth).toBeLessThan(150 * 1024 * 1024);
  });

  it('does not retry bad files that did not change', async () => {
    expect(await engine.indexNow()).toMatchObject({ failed: 0, added: 0, changed: 0 });
  });
});
