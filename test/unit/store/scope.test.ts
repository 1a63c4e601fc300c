// in:, near: and camera: as the store filters by them ([Note: places]): folders kept by trigger through inserts and
// moves, places by name in any language, positions by great-circle distance.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../../src/main/engine/store/index.js';
import { noFacts } from '../../../src/main/engine/store/items.js';
import { scopeClauses, type ItemScope } from '../../../src/main/engine/store/places.js';
import { folderKey } from '../../../src/main/engine/search/scope.js';
import { foldName } from '../../../src/main/engine/places/gazetteer.js';

describe('item scope in the store', () => {
  let store: Store;
  let root: number;
  const add = (relPath: string, facts: Partial<ReturnType<typeof noFacts>> = {}) =>
    store.transaction(() => store.items.upsertIndexed({ rootId: root, relPath, kind: 'photo', size: 1, mtime: 1, hash: relPath }, { ...noFacts(relPath), ...facts }));
  const matching = (scope: Partial<ItemScope>) => {
    const params: unknown[] = [];
    const clauses = scopeClauses({ within: [], near: null, cameras: [], ...scope }, params);
    return (store.db.prepare(`SELECT rel_path FROM items i WHERE ${clauses.join(' AND ')} ORDER BY rel_path`).pluck().all(...params) as string[]);
  };
  const within = (...names: string[]) => names.map((n) => ({ place: foldName(n), folder: folderKey(n) }));

  beforeEach(() => {
    store = Store.open(join(mkdtempSync(join(tmpdir(), 'trove-scope-')), 'library.db'));
    root = store.roots.add('/home/me/Pictures', []).id;
  });
  afterEach(() => store.close());

  it('finds items by a folder name anywhere in their path, the watched folder’s own path included, and follows moves', () => {
    const a = add('Trips/Lisbon 2024/tram.jpg');
    add('Trips/Porto/bridge.jpg');
    add('top.jpg');
    expect(matching({ within: within('Trips') })).toEqual(['Trips/Lisbon 2024/tram.jpg', 'Trips/Porto/bridge.jpg']);
    expect(matching({ within: within('lisbon 2024') })).toEqual(['Trips/Lisbon 2024/tram.jpg']);
    expect(matching({ within: within('/Trips/Porto/') })).toEqual(['Trips/Porto/bridge.jpg']);
    expect(matching({ within: within('Pictures') })).toHaveLength(3);
    expect(matching({ within: within('Lisbon') })).toEqual([]); // a whole folder name, not a part of one
    expect(matching({ within: within('tram.jpg') })).toEqual([]); // a file is not a folder
    store.transaction(() => store.items.move(a, { rootId: root, relPath: 'Archive/tram.jpg', size: 1, mtime: 1, title: null }));
    expect(matching({ within: within('Archive') })).toEqual(['Archive/tram.jpg']);
    expect(matching({ within: within('Lisbon 2024') })).toEqual([]);
  });

  it('finds photos by town and country, in any language, and by distance and camera', () => {
    add('a.jpg', { latitude: 38.7105, longitude: -9.1399, camera: 'Canon EOS R5' });
    add('b.jpg', { latitude: 41.1496, longitude: -8.611, camera: 'Apple iPhone 15' });
    add('c.jpg', { latitude: 35.6812, longitude: 139.7671, camera: 'Apple iPhone 15' });
    add('d.jpg');
    expect(matching({ within: within('Lisbon') })).toEqual(['a.jpg']);
    expect(matching({ within: within('Portugal') })).toEqual(['a.jpg', 'b.jpg']);
    expect(matching({ within: within('ポルトガル', 'Japan') })).toEqual(['a.jpg', 'b.jpg', 'c.jpg']);
    expect(matching({ near: { latitude: 38.72, longitude: -9.14, km: 5 } })).toEqual(['a.jpg']);
    expect(matching({ near: { latitude: 38.72, longitude: -9.14, km: 300 } })).toEqual(['a.jpg', 'b.jpg']);
    expect(matching({ near: { latitude: 35.68, longitude: 179.99, km: 20_000 } })).toEqual(['a.jpg', 'b.jpg', 'c.jpg']); // the box wraps
    expect(matching({ cameras: ['iphone'] })).toEqual(['b.jpg', 'c.jpg']);
    expect(matching({ cameras: ['eos', '100%_'] })).toEqual(['a.jpg']);
  });
});
