import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../../src/main/engine/store/index.js';
import { noFacts, type ItemFacts } from '../../../src/main/engine/store/items.js';
import { vecTable } from '../../../src/main/engine/store/spaces.js';
import type { ItemKind } from '../../../src/shared/types.js';

const facts = (title: string, takenAt: number | null = null): ItemFacts => ({ ...noFacts(title), takenAt });

function unit(...xs: number[]): Float32Array {
  const v = new Float32Array(xs);
  const n = Math.hypot(...xs);
  return v.map((x) => x / n);
}

describe('Store', () => {
  let store: Store;
  let rootId: number;
  let spaceId: number;

  /** Adds an item with one segment per vector; returns its id and segment ids. */
  function addItem(relPath: string, kind: ItemKind, vectors: Float32Array[], takenAt: number | null = null) {
    return store.transaction(() => {
      const id = store.items.upsertIndexed(
        { rootId, relPath, kind, size: 10, mtime: 1, hash: `h-${relPath}` },
        facts(relPath, takenAt),
      );
      const segIds = store.segments.replace(
        id,
        spaceId,
        vectors.map((_, i) => ({ kind: kind === 'photo' ? 'image' : 'text', text: kind === 'photo' ? null : `chunk ${i} of ${relPath}`, breadcrumb: ['Top'], start: i, end: i + 1 })),
      );
      store.spaces.insertVectors(
        spaceId,
        segIds.map((segmentId, i) => ({ segmentId, itemId: id, kind, takenAt, vector: vectors[i]! })),
      );
      store.spaces.markEmbedded(id, spaceId, `h-${relPath}`);
      return { id, segIds };
    });
  }

  const count = (sql: string) => store.db.prepare(sql).pluck().get() as number;

  beforeEach(() => {
    store = Store.open(join(mkdtempSync(join(tmpdir(), 'trove-store-')), 'library.db'));
    rootId = store.roots.add('/library', ['*.tmp']).id;
    spaceId = store.spaces.ensure('fixture', '1', 3).id;
  });

  it('keeps roots with their ignore rules and counts', () => {
    addItem('a.jpg', 'photo', [unit(1, 0, 0)]);
    const [root] = store.roots.list();
    expect(root).toMatchObject({ path: '/library', ignore: ['*.tmp'], items: 1, errors: 0, present: true });
    expect(store.roots.byPath('/library')?.id).toBe(rootId);
  });

  it('makes the first space active and later ones building', () => {
    expect(store.spaces.get(spaceId)?.state).toBe('active');
    const other = store.spaces.ensure('other', '2', 4);
    expect(other.state).toBe('building');
    expect(store.spaces.ensure('fixture', '1', 3).id).toBe(spaceId);
    addItem('a.jpg', 'photo', [unit(1, 0, 0)]);
    store.spaces.activate(other.id);
    expect(store.spaces.active()?.id).toBe(other.id);
    // The old space is gone with its table, trigger and marks; segments stay for the new space.
    expect(store.spaces.get(spaceId)).toBeUndefined();
    expect(count(`SELECT count(*) FROM sqlite_master WHERE name LIKE '${vecTable(spaceId)}%'`)).toBe(0);
    expect(count('SELECT count(*) FROM item_embeddings')).toBe(0);
    expect(count('SELECT count(*) FROM segments')).toBe(1);
    store.transaction(() => store.items.remove(store.items.byPath(rootId, 'a.jpg')!.id)); // no trigger left to trip over
  });

  it('answers KNN by cosine, filtered by kind, date and excluded item', () => {
    const red = addItem('red.jpg', 'photo', [unit(1, 0, 0)], Date.UTC(2024, 5, 1));
    addItem('blue.jpg', 'photo', [unit(0, 0, 1)]);
    const note = addItem('red.md', 'note', [unit(1, 0.1, 0), unit(0, 1, 0)]);

    const all = store.spaces.knn(spaceId, unit(1, 0, 0), 10);
    expect(all[0]).toMatchObject({ segmentId: red.segIds[0], itemId: red.id });
    expect(all[0]!.distance).toBeCloseTo(0, 5);
    expect(all[1]!.itemId).toBe(note.id);
    expect(all).toHaveLength(4);

    expect(store.spaces.knn(spaceId, unit(1, 0, 0), 10, { kinds: ['note'] }).map((n) => n.itemId)).toEqual([note.id, note.id]);
    expect(store.spaces.knn(spaceId, unit(1, 0, 0), 10, { excludeItemId: red.id }).every((n) => n.itemId !== red.id)).toBe(true);
    expect(store.spaces.knn(spaceId, unit(1, 0, 0), 10, { after: Date.UTC(2024, 0, 1) }).map((n) => n.itemId)).toEqual([red.id]);
    expect(store.spaces.knn(spaceId, unit(1, 0, 0), 10, { before: Date.UTC(2025, 0, 1) }).map((n) => n.itemId)).toEqual([red.id]);
    expect(store.spaces.knn(spaceId, unit(1, 0, 0), 10, { before: Date.UTC(2024, 0, 1) })).toEqual([]);
  });

  it('reads stored vectors back', () => {
    const { segIds } = addItem('a.jpg', 'photo', [unit(1, 2, 3)]);
    const exact = store.spaces.vectors(spaceId, segIds, true).get(segIds[0]!);
    expect(Array.from(exact!)).toEqual(Array.from(unit(1, 2, 3)));
    // The quick 16-bit copy: within 1/32767 of each component. [Note: ann]
    const quick = store.spaces.vectors(spaceId, segIds).get(segIds[0]!)!;
    Array.from(unit(1, 2, 3)).forEach((x, i) => expect(Math.abs(quick[i]! - x)).toBeLessThan(1 / 32767));
  });

  it('deletes segments, vectors, FTS rows and embedding marks with their item, leaving no orphans', () => {
    const a = addItem('a.md', 'note', [unit(1, 0, 0), unit(0, 1, 0)]);
    addItem('b.md', 'note', [unit(0, 0, 1)]);
    expect(count(`SELECT count(*) FROM ${vecTable(spaceId)}`)).toBe(3);
    expect(count(`SELECT count(*) FROM segments_fts WHERE segments_fts MATCH 'chunk'`)).toBe(3);
    store.transaction(() => store.items.remove(a.id));
    expect(count(`SELECT count(*) FROM segments`)).toBe(1);
    expect(count(`SELECT count(*) FROM ${vecTable(spaceId)}`)).toBe(1);
    expect(count(`SELECT count(*) FROM segments_fts WHERE segments_fts MATCH 'chunk'`)).toBe(1);
    expect(count(`SELECT count(*) FROM item_embeddings`)).toBe(1);
  });

  it('replaces segments and their vectors when an item changes', () => {
    const a = addItem('a.md', 'note', [unit(1, 0, 0), unit(0, 1, 0)]);
    const again = addItem('a.md', 'note', [unit(0, 0, 1)]);
    expect(again.id).toBe(a.id);
    expect(store.segments.forItem(a.id, spaceId)).toHaveLength(1);
    expect(count(`SELECT count(*) FROM ${vecTable(spaceId)}`)).toBe(1);
    expect(store.spaces.knn(spaceId, unit(1, 0, 0), 5)[0]!.segmentId).toBe(again.segIds[0]);
  });

  it('removing a root removes everything under it', () => {
    addItem('a.jpg', 'photo', [unit(1, 0, 0)]);
    store.transaction(() => store.roots.remove(rootId));
    expect(count('SELECT count(*) FROM items')).toBe(0);
    expect(count(`SELECT count(*) FROM ${vecTable(spaceId)}`)).toBe(0);
  });

  it('finds segment text, headings, titles and paths lexically', () => {
    addItem('trips/seaside.md', 'note', [unit(1, 0, 0)]);
    const hits = store.db.prepare(`SELECT rowid FROM segments_fts WHERE segments_fts MATCH ?`).pluck();
    expect(hits.all('seaside')).toHaveLength(1); // the path
    expect(hits.all('top')).toHaveLength(1); // the breadcrumb
  });

  it('records failures with their reason and counts them', () => {
    store.items.upsertFailed({ rootId, relPath: 'broken.jpg', kind: 'photo', size: 3, mtime: 1, hash: null }, 'not a JPEG', 'broken.jpg');
    expect(store.items.errorCount()).toBe(1);
    expect(store.items.errors()[0]).toMatchObject({ rel_path: 'broken.jpg', error: 'not a JPEG', status: 'error' });
    expect(store.items.countsByKind()).toEqual({ photo: 0, note: 0, audio: 0 });
  });

  it('keeps transcripts: checkpoints are not finished, a new version or model waits again, items take theirs along', () => {
    const rec = addItem('memo.m4a', 'audio', [unit(1, 0, 0)]);
    const hash = 'h-memo.m4a';
    expect(store.transcripts.countRecordings()).toBe(1);
    expect(store.transcripts.countNeeding(null)).toBe(1);
    expect(store.transcripts.needing('whisper@1', 10)).toEqual([
      { id: rec.id, rootPath: '/library', relPath: 'memo.m4a', hash, takenAt: null, durationMs: null, bitrate: null },
    ]);
    const chunks = [{ start: 1.25, end: 2.5, text: 'hello there' }];
    store.transcripts.checkpoint(rec.id, { hash, model: 'whisper@1', chunks, doneSeconds: 30, language: 'en' });
    expect(store.transcripts.countNeeding('whisper@1')).toBe(1); // a checkpoint is not a transcript
    expect(store.transcripts.finished(rec.id, hash)).toBeUndefined();
    expect(store.transcripts.get(rec.id)).toMatchObject({ chunks, doneSeconds: 30, complete: false, language: 'en' });
    store.transcripts.complete(rec.id, { hash, model: 'whisper@1', chunks, doneSeconds: 42.5, language: 'en', error: null });
    expect(store.transcripts.countNeeding('whisper@1')).toBe(0);
    expect(store.transcripts.countNeeding(null)).toBe(0);
    expect(store.transcripts.countNeeding('whisper@2')).toBe(1); // a new model transcribes again
    expect(store.transcripts.finished(rec.id, hash)?.chunks).toEqual(chunks);
    expect(store.transcripts.finished(rec.id, 'another version')).toBeUndefined();
    addItem('memo.m4a', 'audio', [unit(0, 1, 0)]); // same path, same hash in this helper: still transcribed
    expect(store.transcripts.countNeeding('whisper@1')).toBe(0);
    store.db.prepare(`UPDATE items SET hash = 'changed' WHERE id = ?`).run(rec.id);
    expect(store.transcripts.countNeeding('whisper@1')).toBe(1); // the file changed
    store.transaction(() => store.items.remove(rec.id));
    expect(count('SELECT count(*) FROM transcripts')).toBe(0);
  });
});
