// A small space's copy in memory against sqlite-vec's exact scan: the same neighbours under every filter, one per
// item when asked, and kept in step with writes, removals, compaction and another process's trim. [Note: flat-space]
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnnRegistry } from '../../../src/main/engine/ann/registry.js';
import { FlatSpace, selectSmallest } from '../../../src/main/engine/ann/flat.js';
import { Store } from '../../../src/main/engine/store/index.js';
import { noFacts } from '../../../src/main/engine/store/items.js';
import type { KnnFilter, Neighbour } from '../../../src/main/engine/store/spaces.js';
import type { ItemKind } from '../../../src/shared/types.js';
import { clustered, vectorSpace, type VectorSpace } from '../../fixtures/make-vectors.js';
import { tempDir } from '../../helpers.js';

const DIMS = 37; // not a multiple of 4: the scan's tail is covered
const KINDS: readonly ItemKind[] = ['note', 'note', 'photo', 'audio'];

describe('selecting the smallest keys', () => {
  it('puts the m smallest of a range first, with ties and every boundary', () => {
    let seed = 1;
    const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let t = 0; t < 300; t++) {
      const n = 1 + Math.floor(next() * 200);
      const a = Float64Array.from({ length: n }, () => Math.floor(next() * (t % 3 === 0 ? 5 : 1000)));
      const from = Math.floor(next() * n);
      const m = from + Math.floor(next() * (n - from + 1));
      const before = [...a];
      selectSmallest(a, from, n, m);
      expect([...a.subarray(0, from)]).toEqual(before.slice(0, from)); // below the range: untouched
      expect([...a].sort((x, y) => x - y)).toEqual([...before].sort((x, y) => x - y));
      const chosen = [...a.subarray(from, m)].sort((x, y) => x - y);
      expect(chosen).toEqual(before.slice(from).sort((x, y) => x - y).slice(0, m - from));
    }
  });
});

describe('the copy of a small space in memory', () => {
  const tmp = tempDir('flat');
  const file = join(tmp.dir, 'library.db');
  let store: Store;
  let reader: Store;
  let space: VectorSpace;
  let writer: Database.Database;
  let made = 0;

  /** An item with `chunks` segments (a long note: its chunks near one another), dated unless `undated`. */
  const addItem = (chunks: number, kind: ItemKind = KINDS[made % KINDS.length]!, undated = made % 7 === 6): number => {
    const n = made++;
    const root = store.roots.list()[0] ?? store.roots.add('/flat', []);
    const when = undated ? null : Date.UTC(2020, 0, 1) + (n % 48) * 30 * 86_400_000;
    const rel = `${space.prefix}/f${n % 5}/${n}`;
    let itemId = 0;
    store.transaction(() => {
      itemId = store.items.upsertIndexed({ rootId: root.id, relPath: rel, kind, size: 1, mtime: when ?? 0, hash: `h${n}` }, { ...noFacts(rel), takenAt: when });
      const segKind = kind === 'photo' ? 'image' : kind === 'note' ? 'text' : 'transcript';
      const ids = store.segments.replace(itemId, space.spaceId, Array.from({ length: chunks }, (_, i) => ({ kind: segKind, text: null, breadcrumb: [], start: i, end: i + 1 })));
      const centre = n % 20;
      store.spaces.insertVectors(space.spaceId, ids.map((segmentId) => ({ segmentId, itemId, kind, takenAt: when, vector: clustered(space, centre) })));
    });
    return itemId;
  };
  const removeItem = (itemId: number) => store.transaction(() => store.segments.replace(itemId, space.spaceId, []));

  const loaded = () => {
    const flat = new FlatSpace(reader, space.spaceId, DIMS);
    while (flat.step());
    return flat;
  };
  const ids = (ns: readonly Neighbour[]) => ns.map((n) => n.segmentId);
  /**
   * The same neighbours as sqlite-vec's exact scan but for near-ties (16-bit vectors: cosines off by ~1e-4): the
   * same distance at every place, and, where the distances differ clearly, the same segments.
   */
  const expectSame = (got: readonly Neighbour[], exact: readonly Neighbour[]) => {
    expect(got.length).toBe(exact.length);
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]!.distance - exact[i]!.distance)).toBeLessThan(5e-4);
    const gotIds = new Set(ids(got));
    const edge = exact.at(-1)?.distance ?? 0;
    for (const n of exact) if (n.distance < edge - 1e-3) expect(gotIds.has(n.segmentId)).toBe(true);
  };

  beforeAll(() => {
    store = Store.open(file);
    space = vectorSpace(store, DIMS, 20, 7);
    for (let i = 0; i < 300; i++) addItem(i % 10 === 0 ? 40 : 1 + (i % 3)); // a long note in ten
    reader = Store.openReader(file);
    writer = new Database(file);
  });

  afterAll(() => {
    writer.close();
    reader.close();
    store.close();
    tmp.cleanup();
  });

  it('finds the nearest segments as sqlite-vec does, under every filter', () => {
    const flat = loaded();
    expect(flat.ready).toBe(true);
    expect(flat.size).toBe(store.db.prepare('SELECT count(*) FROM vectors_q15 WHERE space_id = ?').pluck().get(space.spaceId));
    const some = new Set(store.db.prepare<[], number>('SELECT id FROM items ORDER BY id LIMIT 40').pluck().all());
    const filters: KnnFilter[] = [
      {},
      { kinds: ['photo'] },
      { kinds: ['note', 'audio'] },
      { excludeItemId: [...some][0]! },
      { items: some },
      { after: Date.UTC(2021, 0, 1) },
      { before: Date.UTC(2021, 0, 1) },
      { after: Date.UTC(2020, 6, 1), before: Date.UTC(2022, 0, 1), kinds: ['note'] },
      { passing: (segmentIds) => new Set(segmentIds.filter((id) => id % 3 === 0)) },
    ];
    for (const filter of filters) {
      for (let q = 0; q < 5; q++) {
        const v = clustered(space);
        for (const k of [1, 10, 60]) {
          expectSame(flat.knn(v, k, filter), store.spaces.knn(space.spaceId, v, k, filter));
        }
      }
    }
  });

  it('keeps one segment per item when asked, the items sqlite-vec finds by widening', () => {
    const flat = loaded();
    for (let q = 0; q < 10; q++) {
      const v = clustered(space, q % 2 === 0 ? 0 : undefined); // cluster 0 holds long notes: their chunks crowd the top
      for (const filter of [{ perItem: true }, { perItem: true, kinds: ['note'] }, { perItem: true, keepItem: (id: number) => id % 2 === 1 }] as KnnFilter[]) {
        const got = flat.knn(v, 20, filter);
        const exact = store.spaces.knn(space.spaceId, v, 20, filter);
        expect(new Set(got.map((n) => n.itemId)).size).toBe(got.length);
        expectSame(got, exact);
        if (filter.keepItem) expect(got.every((n) => n.itemId % 2 === 1)).toBe(true);
      }
    }
    // The long notes' chunks are near one another: twenty segments are far fewer than twenty items.
    const v = clustered(space, 0);
    expect(new Set(store.spaces.knn(space.spaceId, v, 20).map((n) => n.itemId)).size).toBeLessThan(20);
  });

  it('takes in what is written and removed after loading, and moves its rows together when many went', () => {
    const flat = loaded();
    const before = flat.size;
    const fresh = Array.from({ length: 30 }, () => addItem(3));
    const v = clustered(space);
    flat.sync();
    expect(flat.size).toBe(before + 90);
    expectSame(flat.knn(v, 50), store.spaces.knn(space.spaceId, v, 50));
    // A note edited: its segments replaced by new ones.
    store.transaction(() => {
      const segs = store.segments.replace(fresh[0]!, space.spaceId, [{ kind: 'text', text: null, breadcrumb: [], start: 0, end: 1 }]);
      store.spaces.insertVectors(space.spaceId, [{ segmentId: segs[0]!, itemId: fresh[0]!, kind: 'note', takenAt: null, vector: v }]);
    });
    flat.sync();
    expect(flat.knn(v, 1)[0]).toMatchObject({ itemId: fresh[0]!, segmentId: expect.any(Number) });
    expect(flat.knn(v, 1)[0]!.distance).toBeCloseTo(0, 3);
    // Most of the library removed: the removed rows are dropped, and the answers stay those of sqlite-vec.
    const all = store.db.prepare<[], number>('SELECT id FROM items ORDER BY id').pluck().all();
    for (const id of all.slice(0, Math.floor(all.length * 0.6))) removeItem(id);
    flat.sync();
    const bytes = flat.bytes;
    expect(flat.size).toBe(store.db.prepare('SELECT count(*) FROM vectors_q15 WHERE space_id = ?').pluck().get(space.spaceId));
    for (let q = 0; q < 5; q++) {
      const w = clustered(space);
      expectSame(flat.knn(w, 30), store.spaces.knn(space.spaceId, w, 30));
      expectSame(flat.knn(w, 10, { perItem: true }), store.spaces.knn(space.spaceId, w, 10, { perItem: true }));
    }
    expect(bytes).toBeGreaterThan(0);
    for (let i = 0; i < 200; i++) addItem(2); // the library grows again after the compaction
    flat.sync();
    const w = clustered(space);
    expectSame(flat.knn(w, 40, { perItem: true }), store.spaces.knn(space.spaceId, w, 40, { perItem: true }));
  });

  it('loads again when another process trimmed the log past what it read', () => {
    const flat = loaded();
    const mark = flat.watermark();
    const fresh = addItem(2);
    // Another process's reader, with no copy of its own, trims everything (ann_trimmed records how far).
    const other = new AnnRegistry(Store.openReader(file), join(tmp.dir, 'ann'), true, writer, 1_000_000);
    const count = () => writer.prepare('SELECT count(*) FROM ann_log WHERE space_id = ?').pluck().get(space.spaceId) as number;
    expect(count()).toBeGreaterThan(0);
    (other as unknown as { trim(): void }).trim();
    expect(count()).toBe(0);
    expect(writer.prepare('SELECT up_to FROM ann_trimmed WHERE space_id = ?').pluck().get(space.spaceId)).toBeGreaterThan(mark);
    flat.sync();
    expect(flat.knn(clustered(space), 4096).length).toBe(flat.size);
    expect(flat.knn(clustered(space), 4096).some((n) => n.itemId === fresh)).toBe(true);
    expect(flat.size).toBe(store.db.prepare('SELECT count(*) FROM vectors_q15 WHERE space_id = ?').pluck().get(space.spaceId));
  });

  it('is kept by a long-lived reader only, loaded between searches, and its trims keep what it has not read', () => {
    const oneOff = new AnnRegistry(Store.openReader(file), join(tmp.dir, 'ann'), false, null, 1_000_000);
    const v = clustered(space);
    expect(oneOff.knn(space.spaceId, v, 10)).toEqual(store.spaces.knn(space.spaceId, v, 10));
    expect(oneOff.work()).toBe(false);

    const r = new AnnRegistry(Store.openReader(file), join(tmp.dir, 'ann'), true, writer, 1_000_000);
    const copy = () => (r as unknown as { entries: Map<number, { flat: FlatSpace | null }> }).entries.get(space.spaceId)?.flat ?? null;
    expect(r.knn(space.spaceId, v, 10)).toEqual(store.spaces.knn(space.spaceId, v, 10)); // sqlite-vec until loaded
    expect(copy()?.ready).toBe(false);
    while (r.work());
    expect(copy()?.ready).toBe(true);
    expect((oneOff as unknown as { entries: Map<number, { flat: FlatSpace | null }> }).entries.get(space.spaceId)?.flat).toBeNull();
    expectSame(r.knn(space.spaceId, v, 10), store.spaces.knn(space.spaceId, v, 10));
    expectSame(r.knn(space.spaceId, v, 10, { perItem: true }), store.spaces.knn(space.spaceId, v, 10, { perItem: true }));
    // Rows written after its last search are not trimmed away from under it.
    const fresh = addItem(1, 'photo', false);
    (r as unknown as { lastTrim: number }).lastTrim = 0;
    r.work();
    expect(writer.prepare('SELECT count(*) FROM ann_log WHERE space_id = ?').pluck().get(space.spaceId)).toBeGreaterThan(0);
    expect(r.knn(space.spaceId, v, 5000, { items: new Set([fresh]) }).map((n) => n.itemId)).toEqual([fresh]);
  });

  it('loads no copy of a space no search asked for, and none again where one could not be kept', () => {
    type Entries = { entries: Map<number, { flat: FlatSpace | null; noFlat: boolean }> };
    // A space being built for another model: the background work leaves it alone.
    const other = store.spaces.ensure('another-model', '1', DIMS);
    expect(other.state).toBe('building');
    const r = new AnnRegistry(Store.openReader(file), join(tmp.dir, 'ann'), true, writer, 1_000_000);
    r.knn(space.spaceId, clustered(space), 5);
    while (r.work());
    const entries = (r as unknown as Entries).entries;
    expect(entries.get(space.spaceId)?.flat?.ready).toBe(true);
    expect(entries.get(other.id)?.flat ?? null).toBeNull();
    store.spaces.drop(other.id);

    // A library whose copy cannot be kept (here: written before migration 014, as a read-only library stays).
    const old = tempDir('flat-old');
    const oldFile = join(old.dir, 'library.db');
    const oldStore = Store.open(oldFile);
    const oldSpace = vectorSpace(oldStore, DIMS, 5, 3);
    const root = oldStore.roots.add('/old', []);
    oldStore.transaction(() => {
      for (let i = 0; i < 50; i++) {
        const id = oldStore.items.upsertIndexed({ rootId: root.id, relPath: `o/${i}`, kind: 'photo', size: 1, mtime: 1, hash: `o${i}` }, noFacts(`o/${i}`));
        const [segmentId] = oldStore.segments.replace(id, oldSpace.spaceId, [{ kind: 'image', text: null, breadcrumb: [], start: 0, end: 1 }]);
        oldStore.spaces.insertVectors(oldSpace.spaceId, [{ segmentId: segmentId!, itemId: id, kind: 'photo', takenAt: null, vector: clustered(oldSpace) }]);
      }
    });
    oldStore.db.exec('DROP TABLE ann_trimmed');
    const oldReader = Store.openReader(oldFile);
    const o = new AnnRegistry(oldReader, join(old.dir, 'ann'), true, null, 1_000_000);
    const q = clustered(oldSpace);
    expect(o.knn(oldSpace.spaceId, q, 5)).toEqual(oldStore.spaces.knn(oldSpace.spaceId, q, 5));
    while (o.work());
    const oldEntry = (o as unknown as Entries).entries.get(oldSpace.spaceId)!;
    expect(oldEntry).toMatchObject({ flat: null, noFlat: true });
    expect(o.knn(oldSpace.spaceId, q, 5)).toEqual(oldStore.spaces.knn(oldSpace.spaceId, q, 5));
    expect(o.work()).toBe(false);
    expect((o as unknown as Entries).entries.get(oldSpace.spaceId)).toMatchObject({ flat: null, noFlat: true });
    oldReader.close();
    oldStore.close();
    old.cleanup();
  });
});
