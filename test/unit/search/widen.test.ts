// A search returns `limit` distinct items whenever that many match, even when one long note's chunks fill the
// nearest neighbours (k widens until filled). [Note: search]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Encoder } from '../../../src/main/engine/models/encoder.js';
import { search } from '../../../src/main/engine/search/search.js';
import { Store } from '../../../src/main/engine/store/index.js';

const DIMS = 4;
const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return Float32Array.from(v.map((x) => x / n));
};

describe('search fills its page', () => {
  it('widens the neighbours when one note holds the nearest hundred segments', async () => {
    const store = Store.open(join(mkdtempSync(join(tmpdir(), 'trove-widen-')), 'library.db'));
    const root = store.roots.add('/lib', []);
    const space = store.spaces.ensure('test', '1', DIMS);
    store.spaces.activate(space.id);
    store.transaction(() => {
      // One long note: 200 chunks all pointing at the query.
      const long = store.items.upsertIndexed({ rootId: root.id, relPath: 'long.md', kind: 'note', size: 1, mtime: 1, hash: 'h0' }, { title: 'long', takenAt: null, width: null, height: null, durationMs: null, camera: null, latitude: null, longitude: null, meta: {} });
      const segs = store.segments.replace(long, space.id, Array.from({ length: 200 }, (_, i) => ({ kind: 'text' as const, text: `chunk ${i}`, breadcrumb: [], start: i, end: i + 1 })));
      store.spaces.insertVectors(space.id, segs.map((segmentId, i) => ({ segmentId: segmentId!, itemId: long, kind: 'note' as const, takenAt: null, vector: unit([1, 0.001 * i, 0, 0]) })));
      store.spaces.markEmbedded(long, space.id, 'h0');
      // Thirty photos, each a little further away than every chunk.
      for (let p = 0; p < 30; p++) {
        const id = store.items.upsertIndexed({ rootId: root.id, relPath: `p${p}.jpg`, kind: 'photo', size: 1, mtime: 1, hash: `p${p}` }, { title: `p${p}`, takenAt: null, width: 1, height: 1, durationMs: null, camera: null, latitude: null, longitude: null, meta: {} });
        const [seg] = store.segments.replace(id, space.id, [{ kind: 'image', text: null, breadcrumb: [], start: null, end: null }]);
        store.spaces.insertVectors(space.id, [{ segmentId: seg!, itemId: id, kind: 'photo', takenAt: null, vector: unit([1, 0.5 + p * 0.01, 0, 0]) }]);
        store.spaces.markEmbedded(id, space.id, `p${p}`);
      }
    });
    const encoder = { embedQueries: async () => [unit([1, 0, 0, 0])] } as unknown as Encoder;
    const info = { id: space.id, modelId: 'test', revision: '1', dimensions: DIMS, state: 'active' as const, items: 31, vectors: 230 };
    const result = await search(store, encoder, info, { query: 'anything', limit: 20 });
    expect(result.hits).toHaveLength(20);
    expect(result.hits[0]!.item.relPath).toBe('long.md');
    expect(new Set(result.hits.map((h) => h.item.id)).size).toBe(20);
    store.close();
  });
});
