// Near-duplicates end to end ([Note: duplicates]): bursts, a resized copy with another date, copies with the same
// bytes, grouped with the one to keep first; look-alikes that only one of meaning and perceptual hash joins stay
// apart; the CLI prints the groups.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/index.js';
import { formatDuplicates } from '../../src/main/cli/format.js';
import { hashDistance } from '../../src/main/engine/duplicates/phash.js';
import { DUPLICATE_PHOTOS, makeDuplicatesLibrary } from '../fixtures/make-duplicates.js';
import { COLOURS_PACK, tempDir } from '../helpers.js';

type Name = keyof typeof DUPLICATE_PHOTOS;

describe('near-duplicates', () => {
  const tmp = tempDir('duplicates');
  const lib = join(tmp.dir, 'lib');
  const data = join(tmp.dir, 'data');
  let engine: Engine;
  const nameOf = (path: string) => (Object.keys(DUPLICATE_PHOTOS) as Name[]).find((n) => join(lib, DUPLICATE_PHOTOS[n]) === path);

  beforeAll(async () => {
    await makeDuplicatesLibrary(lib);
    engine = Engine.open({ dataDir: data, model: COLOURS_PACK, ocr: false });
    await engine.addRoot({ path: lib });
    expect(await engine.indexNow()).toMatchObject({ added: Object.keys(DUPLICATE_PHOTOS).length, failed: 0 });
  });

  afterAll(async () => {
    await engine.close();
    tmp.cleanup();
  });

  it('keeps a perceptual hash of every photo it indexes', () => {
    const hashes = engine.store.db.prepare(`SELECT phash FROM items WHERE kind = 'photo'`).pluck().all() as (string | null)[];
    expect(hashes.every((h) => h !== null && /^[0-9a-f]{16}$/.test(h))).toBe(true);
  });

  it('groups bursts, resized copies and identical files, with the one to keep first and why', async () => {
    const found = await engine.duplicates({});
    expect(found.photos).toBe(Object.keys(DUPLICATE_PHOTOS).length);
    const groups = found.groups.map((g) => g.members.map((m) => nameOf(m.item.path)));
    expect(groups.map((g) => [...g].sort())).toEqual(
      expect.arrayContaining([
        ['burst1', 'burst2', 'burst3'],
        ['original', 'resized'],
        ['copyA', 'copyB'],
      ]),
    );
    expect(found.total).toBe(3);
    const byFirst = new Map(found.groups.map((g) => [nameOf(g.members[0]!.item.path), g]));
    // The one with the most pixels is kept, and the copy is said to be the same picture at another size.
    const lake = byFirst.get('original')!;
    expect(lake.keep).toBe(lake.members[0]!.item.id);
    expect(lake.why).toMatch(/most pixels \(1600 × 1200\)/);
    expect(lake.members[1]).toMatchObject({ relation: 'resized' });
    expect(lake.members[1]!.difference).toBeLessThanOrEqual(4);
    const copies = found.groups.find((g) => g.members.some((m) => nameOf(m.item.path) === 'copyA'))!;
    expect(copies.members.map((m) => m.relation)).toEqual(['keep', 'copy']);
    const burst = found.groups.find((g) => g.members.some((m) => nameOf(m.item.path) === 'burst1'))!;
    expect(burst.members.filter((m) => m.relation === 'similar')).toHaveLength(2);
    // Look-alikes: the same colours in another layout (close in meaning for the colours pack, not in the hash) and
    // another scene taken seconds after the original stay out.
    expect(groups.flat()).not.toContain('bands');
    expect(groups.flat()).not.toContain('other');
    expect((await engine.duplicates({ limit: 1 })).groups).toHaveLength(1);
  });

  it('makes the hash of a photo indexed before hashes were kept, from its thumbnail', async () => {
    engine.store.db.prepare('UPDATE items SET phash = NULL').run();
    const found = await engine.duplicates({});
    expect(found.total).toBe(3);
    const hashes = engine.store.db.prepare(`SELECT rel_path, phash FROM items WHERE phash IS NOT NULL`).all() as { rel_path: string; phash: string }[];
    expect(hashes.map((h) => h.rel_path)).toEqual(expect.arrayContaining([DUPLICATE_PHOTOS.burst1, DUPLICATE_PHOTOS.burst2]));
  });

  it('prints the groups for a person', async () => {
    const text = formatDuplicates(await engine.duplicates({}), lib);
    expect(text).toMatch(/keep the first: most pixels \(1600 × 1200\)/);
    expect(text).toMatch(/resized +Exports\/lake-small\.jpg {2}800×600/);
    expect(text).toMatch(/3 groups among 9 photos\. Nothing was moved or deleted\./);
  });

  it('measures hash distance in bits', () => {
    expect(hashDistance('0000000000000000', 'ffffffffffffffff')).toBe(64);
    expect(hashDistance('8000000000000001', '0000000000000000')).toBe(2);
  });
});
