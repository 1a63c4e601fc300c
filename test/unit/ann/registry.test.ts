// The approximate index against the exact scan, on clustered vectors: recall after a build, after inserts and
// deletes, and after the process is killed with and without a saved index. [Note: ann]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnnRegistry } from '../../../src/main/engine/ann/registry.js';
import { Store } from '../../../src/main/engine/store/index.js';
import type { KnnFilter } from '../../../src/main/engine/store/spaces.js';
import { addVectors, clustered, vectorSpace, type VectorSpace } from '../../fixtures/make-vectors.js';
import { tempDir } from '../../helpers.js';

const DIMS = 48;

describe('the approximate index', () => {
  const tmp = tempDir('ann');
  const file = join(tmp.dir, 'library.db');
  const dir = join(tmp.dir, 'ann');
  let store: Store;
  let space: VectorSpace;
  let writer: Database.Database;

  const registry = () => new AnnRegistry(Store.openReader(file), dir, true, writer, 1000);
  const graphsOf = (spaceId: number) => ['all', 'photo', 'note', 'audio'].filter((key) => existsSync(join(dir, `space-${spaceId}-${key}.usearch`)));
  const finish = (r: AnnRegistry) => {
    for (let i = 0; i < 10_000 && r.work(); i++);
  };
  /** Mean recall@k of the registry's KNN against sqlite-vec's exact scan, over fresh queries. */
  const recall = (r: AnnRegistry, k = 10, filter: KnnFilter = {}, queries = 40) => {
    let hit = 0;
    let total = 0;
    for (let q = 0; q < queries; q++) {
      const v = clustered(space);
      const exact = new Set(store.spaces.knn(space.spaceId, v, k, filter).map((n) => n.segmentId));
      const approx = r.knn(space.spaceId, v, k, filter);
      expect(approx.length).toBe(exact.size);
      hit += approx.filter((n) => exact.has(n.segmentId)).length;
      total += exact.size;
    }
    return hit / total;
  };

  beforeAll(() => {
    store = Store.open(file);
    space = vectorSpace(store, DIMS, 60);
    addVectors(store, space, 4000);
    writer = new Database(file);
  });

  afterAll(() => {
    writer.close();
    store.close();
    tmp.cleanup();
  });

  it('answers exactly until the index is built, then from the index with recall@10 ≥ 0.99', () => {
    const r = registry();
    const v = clustered(space);
    expect(r.knn(space.spaceId, v, 10)).toEqual(store.spaces.knn(space.spaceId, v, 10));
    expect(r.progress(space.spaceId)).toMatchObject({ state: 'building', total: 4000 });
    finish(r);
    expect(r.progress(space.spaceId)).toMatchObject({ state: 'ready', done: 4000 });
    expect(existsSync(join(dir, `space-${space.spaceId}.json`))).toBe(true);
    expect(recall(r)).toBeGreaterThanOrEqual(0.99);
  });

  it('filters by kind, date and item inside the search, at the same recall', () => {
    const r = registry(); // loads the saved index
    expect(r.progress(space.spaceId)?.state).toBe('ready');
    expect(recall(r, 10, { kinds: ['note', 'audio'] })).toBeGreaterThanOrEqual(0.99);
    expect(recall(r, 10, { after: Date.UTC(2019, 0, 1), before: Date.UTC(2019, 3, 1) })).toBeGreaterThanOrEqual(0.99);
    const v = clustered(space);
    const first = r.knn(space.spaceId, v, 1)[0]!;
    expect(r.knn(space.spaceId, v, 10, { excludeItemId: first.itemId }).map((n) => n.itemId)).not.toContain(first.itemId);
  });

  it('walks one graph for every kind and keeps graphs of their own for the small kinds only', () => {
    const r = registry();
    expect(r.progress(space.spaceId)?.state).toBe('ready');
    // 70% photos, 20% notes, 10% recordings: the photos are searched in the common graph.
    expect(graphsOf(space.spaceId)).toEqual(['all', 'note', 'audio']);
    const sidecar = JSON.parse(readFileSync(join(dir, `space-${space.spaceId}.json`), 'utf8')) as { shared: string[] };
    expect(sidecar.shared).toEqual(['photo']);
    for (const kinds of [['photo'], ['note'], ['audio'], ['photo', 'audio'], ['note', 'audio']] as const) {
      expect(recall(r, 10, { kinds: [...kinds] }), kinds.join('+')).toBeGreaterThanOrEqual(0.99);
      const found = r.knn(space.spaceId, clustered(space), 30, { kinds: [...kinds] });
      const kindOf = store.db.prepare<[number], string>('SELECT i.kind FROM segments s JOIN items i ON i.id = s.item_id WHERE s.id = ?').pluck();
      for (const n of found) expect(kinds as readonly string[]).toContain(kindOf.get(n.segmentId));
    }
    // The largest kind and a narrow date: the common graph widens until enough pass, not stopping at what it asked.
    const narrow = { kinds: ['photo' as const], after: Date.UTC(2020, 0, 1), before: Date.UTC(2020, 2, 1) };
    expect(recall(r, 10, narrow)).toBeGreaterThanOrEqual(0.99);
  });

  it('keeps to the items a scope lists, scanned beside the graphs, and to a test of candidates', () => {
    const r = registry();
    const ids = store.db.prepare('SELECT id FROM items ORDER BY id').pluck().all() as number[];
    const few = new Set(ids.filter((_, i) => i % 40 === 0)); // 100
    const many = new Set(ids.filter((_, i) => i % 4 !== 0)); // 3000
    // Scanned from the copy beside the graphs: exact (the 16-bit copies agree to ~1e-4).
    expect(recall(r, 10, { items: few })).toBe(1);
    expect(recall(r, 10, { items: many })).toBeGreaterThanOrEqual(0.99);
    for (const n of r.knn(space.spaceId, clustered(space), 20, { items: many })) expect(many.has(n.itemId)).toBe(true);
    // A scope too broad to list: its test decides, the rest of the filter as usual.
    const odd = (segmentIds: readonly number[]) => new Set(segmentIds.filter((id) => id % 2 === 1));
    const found = r.knn(space.spaceId, clustered(space), 10, { passing: odd, kinds: ['photo'] });
    expect(found).toHaveLength(10);
    expect(found.every((n) => n.segmentId % 2 === 1)).toBe(true);
    const v = clustered(space);
    const exact = store.spaces.knn(space.spaceId, v, 4096, { kinds: ['photo'] }).filter((n) => n.segmentId % 2 === 1).slice(0, 10);
    expect(r.knn(space.spaceId, v, 10, { passing: odd, kinds: ['photo'] }).filter((n) => exact.some((e) => e.segmentId === n.segmentId)).length).toBeGreaterThanOrEqual(9);
  });

  it('sees inserts and deletes at once, and keeps its recall once they are taken in', () => {
    const r = registry();
    const fresh = addVectors(store, space, 1500);
    const target = store.spaces.vectors(space.spaceId, [fresh[0]!]).get(fresh[0]!)!;
    expect(r.knn(space.spaceId, target, 1)[0]!.segmentId).toBe(fresh[0]); // found before the graphs take it in
    const gone = fresh.slice(0, 300);
    store.transaction(() => {
      for (const id of gone) store.db.prepare('DELETE FROM items WHERE id = (SELECT item_id FROM segments WHERE id = ?)').run(id);
    });
    const after = r.knn(space.spaceId, target, 20).map((n) => n.segmentId);
    expect(after.some((id) => gone.includes(id))).toBe(false);
    expect(recall(r)).toBeGreaterThanOrEqual(0.99);
    finish(r);
    expect(r.progress(space.spaceId)).toMatchObject({ state: 'ready', done: 4000 + 1500 - 300 });
    expect(recall(r)).toBeGreaterThanOrEqual(0.99);
  });

  it('catches up after a kill: the saved index plus the log since it, whatever happened in between', () => {
    const r = registry();
    r.knn(space.spaceId, clustered(space), 5); // loads the last saved index and reads the log
    // "Killed" now: more changes come from another process, nothing is saved.
    const more = addVectors(store, space, 700);
    store.transaction(() => store.db.prepare('DELETE FROM items WHERE id IN (SELECT item_id FROM segments WHERE id IN (SELECT value FROM json_each(?)))').run(JSON.stringify(more.slice(0, 50))));
    const reopened = registry();
    expect(reopened.progress(space.spaceId)?.state).toBe('ready');
    expect(recall(reopened)).toBeGreaterThanOrEqual(0.99);
    const v = store.spaces.vectors(space.spaceId, [more[100]!]).get(more[100]!)!;
    expect(reopened.knn(space.spaceId, v, 1)[0]!.segmentId).toBe(more[100]);
  });

  it('builds again when a build was killed before it was saved, or the files are damaged', () => {
    // A build that never finished: the sidecar says "building".
    store.spaces.drop(space.spaceId);
    space = vectorSpace(store, DIMS, 40, 7);
    addVectors(store, space, 1200);
    const first = registry();
    first.work(); // a slice or two, then "killed"
    const again = registry();
    expect(again.progress(space.spaceId)?.state).toBe('building');
    finish(again);
    expect(recall(again)).toBeGreaterThanOrEqual(0.99);
  });

  it('searches a kind that holds a quarter of the vectors or more in the common graph, at the same recall', () => {
    // Two photos in three gone before the build: photos 44%, notes 38%, recordings 19%.
    store.spaces.drop(space.spaceId);
    space = vectorSpace(store, DIMS, 40, 11);
    const ids = addVectors(store, space, 3000);
    const photos = store.db
      .prepare<[string], number>("SELECT s.id FROM segments s JOIN items i ON i.id = s.item_id WHERE i.kind = 'photo' AND s.id IN (SELECT value FROM json_each(?))")
      .pluck()
      .all(JSON.stringify(ids));
    store.transaction(() => {
      for (const id of photos.filter((_, i) => i % 3 !== 0)) store.db.prepare('DELETE FROM items WHERE id = (SELECT item_id FROM segments WHERE id = ?)').run(id);
    });
    const r = registry();
    finish(r);
    expect(graphsOf(space.spaceId)).toEqual(['all', 'audio']);
    for (const kinds of [['note'], ['photo'], ['audio'], ['note', 'audio']] as const) {
      expect(recall(r, 10, { kinds: [...kinds] }), kinds.join('+')).toBeGreaterThanOrEqual(0.99);
    }
    // Reopened from its files: the kinds' shares are counted again from the map.
    const reopened = registry();
    expect(reopened.progress(space.spaceId)?.state).toBe('ready');
    expect(recall(reopened, 10, { kinds: ['note'] })).toBeGreaterThanOrEqual(0.99);
  });

  it('trims the log up to what the saved index holds, never past it', () => {
    const r = registry();
    finish(r);
    const saved = () => (JSON.parse(readFileSync(join(dir, `space-${space.spaceId}.json`), 'utf8')) as { state: string; seq: number }).seq;
    const held = saved();
    addVectors(store, space, 10);
    const waiting = writer.prepare('SELECT count(*) FROM ann_log WHERE space_id = ? AND seq > ?').pluck().get(space.spaceId, held);
    expect(waiting).toBe(10);
    (r as unknown as { lastTrim: number }).lastTrim = 0;
    finish(r);
    // The ten are in the graphs but not saved yet: the log keeps them, and nothing the saved index holds.
    expect(saved()).toBe(held);
    expect(writer.prepare('SELECT count(*) FROM ann_log WHERE space_id = ? AND seq <= ?').pluck().get(space.spaceId, held)).toBe(0);
    expect(writer.prepare('SELECT count(*) FROM ann_log WHERE space_id = ? AND seq > ?').pluck().get(space.spaceId, held)).toBe(10);
  });
});

describe('an approximate index that cannot be kept', () => {
  it('leaves searches exact when its folder cannot be written', () => {
    const tmp = tempDir('ann-ro');
    const file = join(tmp.dir, 'library.db');
    const store = Store.open(file);
    try {
      const space = vectorSpace(store, 16, 5);
      addVectors(store, space, 300);
      // The index folder is a file: nothing can be made in it.
      writeFileSync(join(tmp.dir, 'ann'), 'not a folder');
      const r = new AnnRegistry(Store.openReader(file), join(tmp.dir, 'ann'), true, null, 100);
      const v = clustered(space);
      expect(r.knn(space.spaceId, v, 5)).toEqual(store.spaces.knn(space.spaceId, v, 5));
      expect(r.progress(space.spaceId)).toBeNull();
    } finally {
      store.close();
      tmp.cleanup();
    }
  });
});

describe('a scope scanned beside the graphs', () => {
  it('holds an item’s segments of now, never those it replaced, also when its map was saved before removals were cleared', () => {
    const tmp = tempDir('ann-scope');
    const file = join(tmp.dir, 'library.db');
    const dir = join(tmp.dir, 'ann');
    const store = Store.open(file);
    try {
      const space = vectorSpace(store, 32, 10);
      const [old] = addVectors(store, space, 1200);
      const item = store.db.prepare<[number], number>('SELECT item_id FROM segments WHERE id = ?').pluck().get(old!)!;
      const r = new AnnRegistry(Store.openReader(file), dir, true, null, 1000);
      r.knn(space.spaceId, clustered(space), 5);
      while (r.work());
      const only = { items: new Set([item]) };
      expect(r.knn(space.spaceId, clustered(space), 5, only).map((n) => n.segmentId)).toEqual([old]);
      // The photo changes: a new segment, the old one deleted.
      const fresh = store.transaction(() => {
        const [s] = store.segments.replace(item, space.spaceId, [{ kind: 'image', text: null, breadcrumb: [], start: 0, end: 1 }]);
        store.spaces.insertVectors(space.spaceId, [{ segmentId: s!, itemId: item, kind: 'photo', takenAt: null, vector: clustered(space) }]);
        return s!;
      });
      expect(r.knn(space.spaceId, clustered(space), 5, only).map((n) => n.segmentId)).toEqual([fresh]);
      while (r.work());
      expect(r.knn(space.spaceId, clustered(space), 5, only).map((n) => n.segmentId)).toEqual([fresh]);

      // A map saved by a version that left removed segments in it, its sidecar vouching for every change since:
      // the deleted segment is still named there, and is cleaned out at load.
      const sidecar = join(dir, `space-${space.spaceId}.json`);
      const saved = JSON.parse(readFileSync(sidecar, 'utf8')) as { seq: number; mapClean?: boolean };
      const last = store.db.prepare<[number], number>('SELECT max(seq) FROM ann_log WHERE space_id = ?').pluck().get(space.spaceId)!;
      delete saved.mapClean;
      writeFileSync(sidecar, JSON.stringify({ ...saved, seq: last }));
      const reopened = new AnnRegistry(Store.openReader(file), dir, true, null, 1000);
      expect(reopened.progress(space.spaceId)?.state).toBe('ready');
      expect(reopened.knn(space.spaceId, clustered(space), 5, only).map((n) => n.segmentId)).not.toContain(old);
    } finally {
      store.close();
      tmp.cleanup();
    }
  });
});
