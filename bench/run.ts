// `npm run bench`: one line per figure. [Note: benchmarks]
// Speed is measured here, never asserted in tests. Results, with the machine and method, go in BENCHMARKS.md.
//   npm run bench                 everything
//   npm run bench -- query        only figures whose name contains "query"
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/main/engine/index.js';
import { Store } from '../src/main/engine/store/index.js';
import { bestPerItem, toHits } from '../src/main/engine/search/hits.js';
import { noFacts } from '../src/main/engine/store/items.js';
import { makeLibrary, random } from '../test/fixtures/make-library.js';
import { COLOURS_PACK, tempDir } from '../test/helpers.js';
import type { ItemKind } from '../src/shared/types.js';
import { benchEncoder } from './encoder.js';
import { benchPipeline } from './pipeline.js';
import { benchIngest } from './ingest.js';
import { benchWatchers } from './watchers.js';
import { benchWhisper } from './whisper.js';
import { benchAudio } from './audio.js';
import { benchLoad } from './load.js';
import { benchCollections } from './collections.js';
import { benchKnn } from './knn.js';
import { benchPlaces } from './places.js';

const filter = process.argv[2] ?? '';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function line(name: string, figure: string, detail = ''): void {
  console.log(`${name.padEnd(44)} ${figure}${detail ? `  (${detail})` : ''}`);
}

function randomUnit(dims: number, next: () => number): Float32Array {
  const v = new Float32Array(dims);
  let n = 0;
  for (let i = 0; i < dims; i++) {
    const x = next() * 2 - 1;
    v[i] = x;
    n += x * x;
  }
  n = Math.sqrt(n);
  for (let i = 0; i < dims; i++) v[i] = v[i]! / n;
  return v;
}

async function benchIndexing(): Promise<void> {
  const name = 'index fixture library (colours pack)';
  if (!name.includes(filter)) return;
  const tmp = tempDir('bench-index');
  try {
    const lib = join(tmp.dir, 'lib');
    await makeLibrary(lib);
    const runs: { seconds: number; files: number; images: number; texts: number }[] = [];
    for (let r = 0; r < 3; r++) {
      const engine = Engine.open({ dataDir: join(tmp.dir, `data-${r}`), model: COLOURS_PACK, ocr: false });
      await engine.encoder(); // model loading is not indexing
      await engine.addRoot({ path: lib });
      const started = performance.now();
      const s = await engine.indexNow();
      runs.push({ seconds: (performance.now() - started) / 1000, files: s.added, images: s.embedded.images, texts: s.embedded.texts });
      await engine.close();
    }
    runs.sort((a, b) => a.seconds - b.seconds);
    const median = runs[1]!;
    line(name, `${(median.files / median.seconds).toFixed(1)} files/s`, `${median.files} files: ${median.images} photos up to 12 MP, ${median.texts} note chunks; median of 3, ${median.seconds.toFixed(2)} s`);
  } finally {
    tmp.cleanup();
  }
}

async function benchQueries(count: number): Promise<void> {
  const dims = 512;
  const label = `${count >= 1000 ? `${count / 1000}k` : count}`;
  const names = [`query knn ${label} vectors x ${dims}`, `query knn ${label} vectors x ${dims}, kind filter`];
  if (!names.some((n) => n.includes(filter))) return;
  const tmp = tempDir('bench-query');
  const store = Store.open(join(tmp.dir, 'library.db'));
  try {
    const next = random(42);
    const root = store.roots.add('/bench', []);
    const space = store.spaces.ensure('bench', '1', dims);
    const kinds: ItemKind[] = ['photo', 'note', 'audio'];
    const fillStarted = performance.now();
    const BATCH = 2000;
    for (let start = 0; start < count; start += BATCH) {
      store.transaction(() => {
        for (let i = start; i < Math.min(count, start + BATCH); i++) {
          const kind = kinds[i % 3]!;
          const id = store.items.upsertIndexed({ rootId: root.id, relPath: `f/${i}`, kind, size: 1, mtime: 1, hash: `h${i}` }, noFacts(`item ${i}`));
          const [segmentId] = store.segments.replace(id, space.id, [{ kind: kind === 'photo' ? 'image' : 'text', text: kind === 'photo' ? null : `chunk ${i}`, breadcrumb: [], start: 0, end: 1 }]);
          store.spaces.insertVectors(space.id, [{ segmentId: segmentId!, itemId: id, kind, takenAt: null, vector: randomUnit(dims, next) }]);
        }
      });
    }
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    for (const [n, name] of names.entries()) {
      if (!name.includes(filter)) continue;
      const queries = Array.from({ length: 20 + 200 }, () => randomUnit(dims, next));
      const times: number[] = [];
      for (const [i, q] of queries.entries()) {
        const t0 = performance.now();
        const neighbours = store.spaces.knn(space.id, q, 20 * 8 + 32, n === 1 ? { kinds: ['photo'] } : {});
        toHits(store, bestPerItem(neighbours.map((x) => ({ ...x, score: 1 - x.distance })), 20));
        if (i >= 20) times.push(performance.now() - t0); // the first 20 warm the page cache
      }
      times.sort((a, b) => a - b);
      line(name, `p50 ${percentile(times, 50).toFixed(1)} ms  p95 ${percentile(times, 95).toFixed(1)} ms`, `200 queries, top 20 items from k=192; brute-force vec0 scan; filled in ${fillSeconds.toFixed(1)} s`);
    }
  } finally {
    store.close();
    tmp.cleanup();
  }
}

console.log(`# Trove benchmarks — ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
await benchIndexing();
await benchQueries(10_000);
await benchQueries(100_000);
await benchEncoder(filter, line);
await benchPipeline(filter, line);
await benchIngest(filter, line);
await benchWatchers(filter, line);
await benchWhisper(filter, line);
await benchAudio(filter, line);
await benchLoad(filter, line);
await benchCollections(filter, line);
await benchKnn(filter, line);
await benchPlaces(filter, line);
await (await import('./ocr.js')).benchOcr(filter, line);
