// Places and near-duplicates: the gazetteer's first load and its lookups, the perceptual hash of a decoded photo,
// and `duplicates` over a library of 20k photos. [Note: places] [Note: duplicates]
//   npm run bench -- places      npm run bench -- duplicates
import { join } from 'node:path';
import { findDuplicates } from '../src/main/engine/duplicates/find.js';
import { perceptualHash } from '../src/main/engine/duplicates/phash.js';
import { nearestTown, townNamed } from '../src/main/engine/places/gazetteer.js';
import { Store } from '../src/main/engine/store/index.js';
import { addVectors, vectorSpace } from '../test/fixtures/make-vectors.js';
import { tempDir } from '../test/helpers.js';

type Line = (name: string, figure: string, detail?: string) => void;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchPlaces(filter: string, line: Line): Promise<void> {
  if ('places gazetteer'.includes(filter) || filter === 'places') {
    const rss0 = process.memoryUsage().rss;
    let t = performance.now();
    nearestTown(38.7105, -9.1399);
    const loadMs = performance.now() - t;
    const rssMb = (process.memoryUsage().rss - rss0) / 1048576;
    let seed = 7;
    const next = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    t = performance.now();
    for (let i = 0; i < 20_000; i++) nearestTown(next() * 120 - 55, next() * 360 - 180);
    const lookupUs = ((performance.now() - t) / 20_000) * 1000;
    t = performance.now();
    townNamed('Lisbon');
    const namesMs = performance.now() - t;
    line('places gazetteer', `first load ${loadMs.toFixed(0)} ms, rss +${rssMb.toFixed(0)} MB; a position's town ${lookupUs.toFixed(1)} µs`, `the name index, built on first use: ${namesMs.toFixed(0)} ms`);
  }
  if ('duplicates phash'.includes(filter) || filter === 'duplicates') {
    // The pixels prepareImage decodes for CLIP's 224 px input (the short side ~2× that).
    const raw = Buffer.alloc(597 * 448 * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 7919 + (i >> 9)) % 251;
    const times: number[] = [];
    for (let i = 0; i < 60; i++) {
      const t = performance.now();
      await perceptualHash(raw, 597, 448);
      if (i >= 10) times.push(performance.now() - t);
    }
    line('duplicates phash', `${median(times).toFixed(1)} ms a photo`, 'sharp-phash over the pixels already decoded for the image tower, 597×448');
  }
  if ('duplicates find'.includes(filter) || filter === 'duplicates') {
    const tmp = tempDir('bench-dups');
    const store = Store.open(join(tmp.dir, 'library.db'));
    try {
      const space = vectorSpace(store, 512, 200);
      addVectors(store, space, Math.round(20_000 / 0.7)); // 70% photos: 20k of them
      // Hashes as indexing keeps them (random: no two photos alike, so the figure is the cost of looking).
      let seed = 11;
      const next = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
      const hex = () => Array.from({ length: 16 }, () => Math.floor(next() * 16).toString(16)).join('');
      const ids = store.db.prepare(`SELECT id FROM items WHERE kind = 'photo'`).pluck().all() as number[];
      const set = store.db.prepare('UPDATE items SET phash = ? WHERE id = ?');
      // As an index run leaves them: embedded in the space (the finder reads the photos of the active space).
      store.transaction(() => ids.forEach((id) => (set.run(hex(), id), store.spaces.markEmbedded(id, space.spaceId, `h${id}`))));
      const runs: number[] = [];
      let found = { total: 0, photos: 0 };
      const rss0 = process.memoryUsage().rss;
      let peak = rss0;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
      for (let r = 0; r < 3; r++) {
        const t = performance.now();
        found = await findDuplicates(store, space.spaceId);
        runs.push(performance.now() - t);
      }
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().rss);
      line(
        'duplicates find',
        `${Math.round(found.photos / 1000)}k photos: ${median(runs).toFixed(0)} ms, rss +${Math.round((peak - rss0) / 1048576)} MB`,
        `${found.total} groups; pairs by time, hash band and bytes, each checked by cosine and hash`,
      );
    } finally {
      store.close();
      tmp.cleanup();
    }
  }
}
