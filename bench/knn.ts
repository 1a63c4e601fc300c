// Nearest neighbours at scale: the approximate index (usearch HNSW, 8-bit, rescored) against sqlite-vec's exact scan,
// on clustered CLIP-like vectors (cosine ~0.32 between items, ~0.75 within a cluster). [Note: ann]
//   npm run bench -- knn-100k      100,000 × 512 (about a minute and a half)
//   npm run bench -- knn-1m        1,000,000 × 512 (about twenty minutes; never part of a plain `npm run bench`)
//   npm run bench -- knn-small     spaces under the index's bound, of long notes and photos: a search's one-per-item
//                                  KNN from the copy in memory against sqlite-vec widening (under a minute)
// One line per size: KNN p50/p95 through the index, sqlite-vec p50 in the same run, recall@10 against it, filtered
// KNN p50 (kind; a year), the build in the background's slices, and the growth of the process's private memory
// (RssAnon: the graphs, without the pages of the library file the reader maps).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnnRegistry } from '../src/main/engine/ann/registry.js';
import { FlatSpace } from '../src/main/engine/ann/flat.js';
import { findHits } from '../src/main/engine/search/search.js';
import { knnScope, scopeOf } from '../src/main/engine/search/scope.js';
import { Store } from '../src/main/engine/store/index.js';
import { noFacts } from '../src/main/engine/store/items.js';
import { parseQuery } from '../src/shared/query.js';
import { addVectors, clustered, vectorSpace, type VectorSpace } from '../test/fixtures/make-vectors.js';
import { tempDir } from '../test/helpers.js';

type Line = (name: string, figure: string, detail?: string) => void;

const DIMS = 512;

/** The process's private memory (Linux): what the graphs take, without the library file's pages it has mapped. */
function anonMb(): number {
  try {
    const m = /RssAnon:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 1048576;
  } catch {
    return process.memoryUsage().rss / 1048576;
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Milliseconds of `n` runs on fresh clustered queries, after 20 that warm up, sorted. */
function timed(space: VectorSpace, run: (q: Float32Array) => unknown, n: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < n + 20; i++) {
    const q = clustered(space);
    const s = performance.now();
    run(q);
    if (i >= 20) times.push(performance.now() - s);
  }
  return times.sort((a, b) => a - b);
}

const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));

async function one(size: number, label: string, line: Line): Promise<void> {
  const tmp = tempDir(`bench-knn-${label}`);
  const file = join(tmp.dir, 'library.db');
  const store = Store.open(file);
  try {
    const space = vectorSpace(store, DIMS, Math.max(50, Math.round(size / 1000)));
    let t0 = performance.now();
    addVectors(store, space, size);
    const fillS = (performance.now() - t0) / 1000;
    const reader = Store.openReader(file);

    // The exact scan, and the answers recall is measured against.
    const queries = Array.from({ length: 100 }, () => clustered(space));
    const exact: Set<number>[] = [];
    const exactTimes: number[] = [];
    for (const q of queries) {
      t0 = performance.now();
      exact.push(new Set(reader.spaces.knn(space.spaceId, q, 10).map((n) => n.segmentId)));
      exactTimes.push(performance.now() - t0);
    }
    exactTimes.sort((a, b) => a - b);

    // The build, as the reader runs it: slice by slice.
    global.gc?.();
    const rss0 = anonMb();
    const anns = new AnnRegistry(reader, join(tmp.dir, 'ann'), true, null);
    t0 = performance.now();
    anns.knn(space.spaceId, queries[0]!, 10); // starts the build
    while (anns.work());
    const buildS = (performance.now() - t0) / 1000;
    global.gc?.();
    const rssMb = Math.round(anonMb() - rss0);

    let found = 0;
    queries.forEach((q, i) => (found += anns.knn(space.spaceId, q, 10).filter((n) => exact[i]!.has(n.segmentId)).length));
    const recall = found / (queries.length * 10);

    const time = (run: (q: Float32Array) => unknown, n = 300) => timed(space, run, n);
    const knn = time((q) => anns.knn(space.spaceId, q, 10));
    const byKind = time((q) => anns.knn(space.spaceId, q, 10, { kinds: ['note'] }), 100);
    const byYear = time((q) => anns.knn(space.spaceId, q, 10, { after: Date.UTC(2019, 0, 1), before: Date.UTC(2020, 0, 1) }), 100);
    // in:FOLDER, as a search reads it: the folder's items listed (1% of the library), then scanned; and a folder
    // that holds everything, whose candidates are tested while the index widens. [Note: places]
    const inFolder = (name: string) => {
      const scope = scopeOf(reader, parseQuery(`in:${name}`)).scope!;
      return (q: Float32Array) => anns.knn(space.spaceId, q, 10, knnScope(reader, scope, { kinds: null, after: null, before: null }));
    };
    const byFolder = time(inFolder('f7'), 50);
    const byWideFolder = time(inFolder(space.prefix), 50);
    let folderFound = 0;
    for (const q of queries.slice(0, 10)) {
      const scope = scopeOf(reader, parseQuery('in:f7')).scope!;
      const f = knnScope(reader, scope, { kinds: null, after: null, before: null });
      const want = new Set(reader.spaces.scan(space.spaceId, q, 10, f.items!).map((n) => n.segmentId));
      const all = reader.spaces.knn(space.spaceId, q, 4096).filter((n) => f.items!.has(n.itemId)).slice(0, 10);
      folderFound += all.filter((n) => want.has(n.segmentId)).length;
    }
    let filteredFound = 0;
    for (const q of queries.slice(0, 10)) {
      const f = { kinds: ['note' as const], after: Date.UTC(2019, 0, 1), before: Date.UTC(2020, 0, 1) };
      const want = new Set(reader.spaces.knn(space.spaceId, q, 10, f).map((n) => n.segmentId));
      filteredFound += anns.knn(space.spaceId, q, 10, f).filter((n) => want.has(n.segmentId)).length;
    }
    // A search's database part as the reader runs it: KNN, words, hits (the text tower adds ~9 ms for CLIP's, see
    // "text query encoder" above).
    const query = parseQuery('beach at sunset');
    const search = time((q) => findHits(reader, space.spaceId, q, query, null, 20, {}, anns.knn), 100);
    const filtered = [...byKind, ...byYear, ...byFolder].sort((a, b) => a - b);
    line(
      `knn-${label}`,
      `${label === '1m' ? '1M' : '100k'} x ${DIMS}: trove p50 ${ms(percentile(knn, 50))} ms p95 ${ms(percentile(knn, 95))} ms, sqlite-vec p50 ${ms(percentile(exactTimes, 50))} ms, recall@10 ${recall.toFixed(3)}, filtered p50 ${ms(percentile(filtered, 50))} ms, build ${Math.round(buildS)} s, rss ${rssMb} MB`,
      `kind filter p50 ${ms(percentile(byKind, 50))} ms, a year p50 ${ms(percentile(byYear, 50))} ms, note+year recall@10 ${(filteredFound / 100).toFixed(3)}, a folder (1%) p50 ${ms(percentile(byFolder, 50))} ms (16-bit scan vs float top 4096: ${(folderFound / 100).toFixed(3)}), a folder of everything p50 ${ms(percentile(byWideFolder, 50))} ms; search without the text tower p50 ${ms(percentile(search, 50))} ms p95 ${ms(percentile(search, 95))} ms; filled in ${Math.round(fillS)} s`,
    );
    reader.close();
  } finally {
    store.close();
    tmp.cleanup();
  }
}

/**
 * A space under the approximate index's bound, as a library of long notes and photos makes it: 30% of the items
 * notes of 1 to 60 chunks, near one another (a note's chunks share its topic), the rest photos of one segment. A
 * search asks for 20 items, one segment each, as `findHits` does: from the copy in memory in one pass, against
 * sqlite-vec asked for segments and widened ×4 while fewer than 20 items come up. [Note: flat-space]
 */
async function small(segments: number, dims: number, line: Line): Promise<void> {
  const tmp = tempDir('bench-knn-small');
  const file = join(tmp.dir, 'library.db');
  const store = Store.open(file);
  try {
    const space = vectorSpace(store, dims, 40);
    const root = store.roots.add('/small', []);
    let made = 0;
    let items = 0;
    store.transaction(() => {
      while (made < segments) {
        const note = items % 10 < 3;
        const chunks = note ? Math.min(segments - made, 1 + Math.floor(space.next() * 60)) : 1;
        const kind = note ? 'note' : 'photo';
        const rel = `n/${items}`;
        const itemId = store.items.upsertIndexed({ rootId: root.id, relPath: rel, kind, size: 1, mtime: 1, hash: `h${items}` }, noFacts(rel));
        const ids = store.segments.replace(itemId, space.spaceId, Array.from({ length: chunks }, (_, i) => ({ kind: note ? 'text' : 'image', text: null, breadcrumb: [], start: i, end: i + 1 })));
        const cluster = Math.floor(space.next() * space.centres.length);
        store.spaces.insertVectors(space.spaceId, ids.map((segmentId) => ({ segmentId, itemId, kind, takenAt: null, vector: clustered(space, cluster) })));
        made += chunks;
        items++;
      }
    });
    const reader = Store.openReader(file);
    const anns = new AnnRegistry(reader, join(tmp.dir, 'ann'), true, null);
    const t0 = performance.now();
    anns.knn(space.spaceId, clustered(space), 20); // makes the copy, loaded by the slices below
    while (anns.work());
    const loadMs = performance.now() - t0;
    const copy = new FlatSpace(reader, space.spaceId, dims, made);
    while (copy.step());
    const time = (run: (q: Float32Array) => unknown) => timed(space, run, 200);
    const wanted = { perItem: true, enough: 20 };
    let widened = 0;
    for (let i = 0; i < 100; i++) if (new Set(reader.spaces.knn(space.spaceId, clustered(space), 56).map((n) => n.itemId)).size < 20) widened++;
    const vec0 = time((q) => reader.spaces.knn(space.spaceId, q, 56, wanted));
    const flat = time((q) => anns.knn(space.spaceId, q, 56, wanted));
    const plain = time((q) => anns.knn(space.spaceId, q, 10));
    line(
      `knn-small ${segments / 1000}k x ${dims}`,
      `one per item p50 ${ms(percentile(flat, 50))} ms p95 ${ms(percentile(flat, 95))} ms from memory, sqlite-vec widening p50 ${ms(percentile(vec0, 50))} ms p95 ${ms(percentile(vec0, 95))} ms`,
      `${items} items (30% notes of 1–60 chunks); ${widened}% of queries widened past k = 56 in sqlite-vec; top 10 segments from memory p50 ${ms(percentile(plain, 50))} ms; the copy loaded in ${Math.round(loadMs)} ms in slices, holding ${(copy.bytes / 1048576).toFixed(1)} MB`,
    );
    reader.close();
  } finally {
    store.close();
    tmp.cleanup();
  }
}

export async function benchKnn(filter: string, line: Line): Promise<void> {
  if ('knn-small'.includes(filter) || filter === 'knn') {
    await small(8_000, 16, line);
    await small(8_000, 512, line);
    await small(19_000, 512, line);
  }
  if ('knn-100k'.includes(filter) || filter === 'knn') await one(100_000, '100k', line);
  if (filter === 'knn-1m') await one(1_000_000, '1m', line);
}
