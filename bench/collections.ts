// Collections at scale: a library of 100,000 items with 512-dimensional vectors (outings of photos, journal notes,
// recordings, loose photos over five years), built from nothing; then one new photo; then the timeline's first page.
// Vectors are clustered like CLIP's (about 0.33 between unrelated items, 0.74 within an outing), so the
// calibration, the splits and the attachments do the work they do on a real library. [Note: collections]
import { Collections, type FollowHooks } from '../src/main/engine/collections/service.js';
import { Store } from '../src/main/engine/store/index.js';
import { noFacts } from '../src/main/engine/store/items.js';
import { timelinePage } from '../src/main/engine/search/browse.js';
import { random } from '../test/fixtures/make-library.js';
import { tempDir } from '../test/helpers.js';
import type { ItemKind } from '../src/shared/types.js';

type Line = (name: string, figure: string, detail?: string) => void;

const DIMS = 512;
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function unit(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n);
  for (let i = 0; i < v.length; i++) v[i] = v[i]! / n;
  return v;
}

/** A vector near `centre`: within-outing cosine ≈ 0.74, unrelated ≈ 0.33 (a shared "photo" direction). */
function near(centre: Float32Array, common: Float32Array, next: () => number, spread: number): Float32Array {
  const v = new Float32Array(DIMS);
  for (let i = 0; i < DIMS; i++) v[i] = centre[i]! + common[i]! * 0.75 + (next() * 2 - 1) * spread;
  return unit(v);
}

function randomUnit(next: () => number): Float32Array {
  const v = new Float32Array(DIMS);
  for (let i = 0; i < DIMS; i++) v[i] = next() * 2 - 1;
  return unit(v);
}

interface Built {
  store: Store;
  spaceId: number;
  items: number;
  lastEvent: { t: number; centre: Float32Array };
  common: Float32Array;
}

/** Writes the library straight into a store: items, segments, vectors, as an index run leaves them. */
function build(file: string, target: number): Built {
  const store = Store.open(file);
  const next = random(42);
  const root = store.roots.add('/bench', []);
  const space = store.spaces.ensure('bench', '1', DIMS);
  store.spaces.activate(space.id);
  const common = randomUnit(next);
  const subjects = Array.from({ length: 400 }, () => randomUnit(next));
  let t = Date.UTC(2020, 0, 1, 9, 0);
  let n = 0;
  let lastEvent = { t, centre: subjects[0]! };
  const setTime = store.db.prepare('UPDATE items SET taken_at = ?, time_source = ?, time_day = ? WHERE id = ?');
  const add = (kind: ItemKind, rel: string, when: number, source: string, day: boolean, vector: Float32Array) => {
    const id = store.items.upsertIndexed({ rootId: root.id, relPath: rel, kind, size: 1, mtime: when, hash: `h${n}` }, { ...noFacts(rel), takenAt: when });
    setTime.run(when, source, day ? 1 : 0, id);
    const segKind = kind === 'photo' ? 'image' : kind === 'note' ? 'text' : 'transcript';
    const [segmentId] = store.segments.replace(id, space.id, [{ kind: segKind, text: kind === 'photo' ? null : rel, breadcrumb: [], start: 0, end: 1 }]);
    store.spaces.insertVectors(space.id, [{ segmentId: segmentId!, itemId: id, kind, takenAt: when, vector }]);
    store.spaces.markEmbedded(id, space.id, `h${n}`);
    n++;
  };
  while (n < target) {
    store.transaction(() => {
      for (let e = 0; e < 50 && n < target; e++) {
        // An outing: 5–60 photos a minute or three apart, sometimes a journal note that day, sometimes a recording.
        t += Math.floor((2 + next() * 60) * HOUR);
        const centre = subjects[Math.floor(next() * subjects.length)]!;
        const photos = 5 + Math.floor(next() * 55);
        let at = t;
        for (let p = 0; p < photos && n < target; p++) {
          at += Math.floor((0.5 + next() * 2.5) * MIN);
          add('photo', `photos/${n}.jpg`, at, 'exif', false, near(centre, common, next, 0.055));
        }
        if (next() < 0.5 && n < target) add('note', `journal/${n}.md`, Math.floor(t / DAY) * DAY, 'frontmatter', true, near(centre, common, next, 0.07));
        if (next() < 0.1 && n < target) add('audio', `voice/${n}.m4a`, t + 20 * MIN, 'tags', false, near(centre, common, next, 0.07));
        if (next() < 0.3 && n < target) add('photo', `photos/loose-${n}.jpg`, at + Math.floor((6 + next() * 20) * HOUR), 'exif', false, randomUnit(next));
        lastEvent = { t: at, centre };
      }
    });
  }
  return { store, spaceId: space.id, items: n, lastEvent, common };
}

const hooks: FollowHooks = {
  write: async (fn) => fn(),
  stopped: () => false,
  progress: () => undefined,
  collectionsChanged: () => undefined,
};

export async function benchCollections(filter: string, line: Line): Promise<void> {
  const name = 'collections 100k';
  if (!name.includes(filter) && !'timeline first page 100k'.includes(filter)) return;
  const tmp = tempDir('bench-collections');
  try {
    const size = Number(process.env.BENCH_COLLECTION_ITEMS ?? 100_000);
    const made = build(`${tmp.dir}/library.db`, size);
    const { store, spaceId } = made;
    const collections = new Collections(store);
    // Links are measured on their own below: this is the build of the collections, from every changed time.
    const links = store.db.prepare('SELECT count(*) AS n FROM link_queue').pluck().get() as number;
    store.db.exec('CREATE TEMP TABLE saved_links AS SELECT * FROM link_queue; DELETE FROM link_queue;');
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    let started = performance.now();
    await collections.follow(null, spaceId, hooks);
    const buildS = (performance.now() - started) / 1000;
    peak = Math.max(peak, process.memoryUsage().rss);
    const count = collections.repo.list(true, 1, 0).total;
    line(`collections build, ${made.items} items`, `${buildS.toFixed(1)} s`, `${count} collections, RSS growth ${Math.round((peak - rss0) / 1048576)} MB`);

    // One new photo in the last outing: its time is queued, its window rebuilt, its links made.
    const next = random(7);
    started = performance.now();
    store.transaction(() => {
      const root = store.roots.list()[0]!;
      const when = made.lastEvent.t + 2 * MIN;
      const id = store.items.upsertIndexed({ rootId: root.id, relPath: 'photos/new.jpg', kind: 'photo', size: 1, mtime: when, hash: 'new' }, { ...noFacts('new'), takenAt: when });
      store.db.prepare(`UPDATE items SET time_source = 'exif' WHERE id = ?`).run(id);
      const [segmentId] = store.segments.replace(id, spaceId, [{ kind: 'image', text: null, breadcrumb: [], start: 0, end: 1 }]);
      store.spaces.insertVectors(spaceId, [{ segmentId: segmentId!, itemId: id, kind: 'photo', takenAt: when, vector: near(made.lastEvent.centre, made.common, next, 0.055) }]);
    });
    await collections.follow(null, spaceId, hooks);
    line('collections: one new photo (window + its links)', `${(performance.now() - started).toFixed(0)} ms`);

    // Links of a sample of items (the work after the first index of a library), per item.
    store.db.exec('INSERT INTO link_queue SELECT item_id FROM saved_links WHERE item_id % 20 = 0');
    const sample = store.db.prepare('SELECT count(*) FROM link_queue').pluck().get() as number;
    started = performance.now();
    await collections.follow(null, spaceId, hooks);
    const perItem = (performance.now() - started) / sample;
    line('links per item (sample of 5%)', `${perItem.toFixed(2)} ms`, `${links} items → ${((perItem * links) / 1000).toFixed(0)} s for all`);
    clearInterval(timer);

    // The timeline's first page (with the months for the scrubber and the count).
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const s = performance.now();
      timelinePage(store, { limit: 200 }, null);
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    line(`timeline first page, ${made.items} items`, `p50 ${times[15]!.toFixed(1)} ms`, `p95 ${times[28]!.toFixed(1)} ms, 200 items + months + count`);
    store.close();
  } finally {
    clearInterval(undefined);
    tmp.cleanup();
  }
}
