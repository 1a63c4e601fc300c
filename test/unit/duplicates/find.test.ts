// Near-duplicate groups ([Note: duplicates]): every member is a duplicate of the photo kept, so pairs that chain
// (A like B, B like C, A not like C) do not make one group of photos that do not look alike.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findDuplicates } from '../../../src/main/engine/duplicates/find.js';
import { Store } from '../../../src/main/engine/store/index.js';
import { noFacts } from '../../../src/main/engine/store/items.js';

describe('duplicate groups', () => {
  let store: Store;
  let spaceId: number;
  const vector = Float32Array.from({ length: 8 }, (_, i) => (i === 0 ? 1 : 0)); // one meaning for all: the hashes decide

  /** A photo taken at `second` past noon, `width` px wide, with this perceptual hash. */
  const photo = (name: string, second: number, width: number, phash: string) =>
    store.transaction(() => {
      const root = store.roots.list()[0] ?? store.roots.add('/photos', []);
      const takenAt = Date.UTC(2024, 5, 1, 12, 0, second);
      const id = store.items.upsertIndexed(
        { rootId: root.id, relPath: `${name}.jpg`, kind: 'photo', size: width * 10, mtime: takenAt, hash: `h-${name}` },
        { ...noFacts(name), takenAt, width, height: width, phash },
      );
      const [segmentId] = store.segments.replace(id, spaceId, [{ kind: 'image', text: null, breadcrumb: [], start: null, end: null }]);
      store.spaces.insertVectors(spaceId, [{ segmentId: segmentId!, itemId: id, kind: 'photo', takenAt, vector }]);
      store.spaces.markEmbedded(id, spaceId, `h-${name}`);
      return id;
    });

  beforeEach(() => {
    store = Store.open(join(mkdtempSync(join(tmpdir(), 'trove-dups-')), 'library.db'));
    spaceId = store.spaces.ensure('test', '1', 8).id;
    store.spaces.activate(spaceId);
  });
  afterEach(() => store.close());

  it('cuts a chain of look-alikes into groups around the photos to keep', async () => {
    photo('a', 0, 400, '0000000000000000');
    photo('b', 2, 300, '00000000000003ff'); // 10 bits from a
    photo('c', 4, 200, '000000000003ffff'); // 8 bits from b, 18 from a
    photo('d', 6, 100, '000000000001ffff'); // 1 bit from c, 17 from a
    const found = await findDuplicates(store, spaceId);
    const names = found.groups.map((g) => g.members.map((m) => m.item.title));
    // a keeps b (10 bits); c and d (17–18 bits from a) are a group of their own around c.
    expect(names).toEqual(expect.arrayContaining([['a', 'b'], ['c', 'd']]));
    expect(found.total).toBe(2);
    for (const g of found.groups) for (const m of g.members.slice(1)) expect(m.difference).toBeLessThanOrEqual(14);
  });

  it('leaves out photos unlike every other', async () => {
    photo('a', 0, 400, '0000000000000000');
    photo('z', 3, 400, 'ffffffff00000000'); // 32 bits from a
    expect((await findDuplicates(store, spaceId)).total).toBe(0);
  });
});
