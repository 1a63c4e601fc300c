// Ingest at scale: scanning and reconciling 100,000 files, hashing new ones, and how soon a photo written into a
// watched root is searchable. [Note: benchmarks]
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { Engine } from '../src/main/engine/index.js';
import { IgnoreRules } from '../src/main/engine/ingest/ignore.js';
import { scanRoot } from '../src/main/engine/ingest/scan.js';
import { watchRoots } from '../src/main/engine/ingest/watcher.js';
import { noFacts } from '../src/main/engine/store/items.js';
import { Store } from '../src/main/engine/store/index.js';
import { COLOURS_PACK, REPO, tempDir } from '../test/helpers.js';

type Line = (name: string, figure: string, detail?: string) => void;

const FILES = 100_000;
const TREE = join(REPO, 'bench/.cache/tree-100k');
const NAMES = ['scan 100k files', 'reconcile 100k unchanged files', 'hash new small files', 'watched photo searchable', 'watch 100k files memory', 'queue 100k new files'];

/** 100,000 small notes in 1,000 folders of 100 (made once, kept in bench/.cache). */
function ensureTree(): string[] {
  const marker = join(TREE, '.complete');
  const rel = (i: number) => `d${String(Math.floor(i / 100)).padStart(4, '0')}/note-${i}.md`;
  if (!existsSync(marker)) {
    for (let d = 0; d < FILES / 100; d++) mkdirSync(join(TREE, `d${String(d).padStart(4, '0')}`), { recursive: true });
    for (let i = 0; i < FILES; i++) writeFileSync(join(TREE, rel(i)), `# Note ${i}\n\nSome words about day ${i % 365} of the year.\n`);
    writeFileSync(marker, '');
  }
  return Array.from({ length: FILES }, (_, i) => rel(i));
}

export async function benchIngest(filter: string, line: Line): Promise<void> {
  if (!NAMES.some((n) => n.includes(filter))) return;
  const files = ensureTree();

  if (NAMES[0]!.includes(filter)) {
    await scanRoot(TREE, new IgnoreRules()); // warm the page cache
    const t0 = performance.now();
    const { files: scanned } = await scanRoot(TREE, new IgnoreRules());
    const s = (performance.now() - t0) / 1000;
    line(NAMES[0]!, `${Math.round(scanned.length / s)} files/s`, `${scanned.length} files in 1,000 folders listed with size and mtime in ${s.toFixed(2)} s, warm cache, nothing read`);
  }

  if (NAMES[1]!.includes(filter)) {
    // A library that already holds these 100k files: what Trove does at every start to catch up with the disk.
    const tmp = tempDir('bench-reconcile');
    try {
      const { files: scanned } = await scanRoot(TREE, new IgnoreRules());
      const store = Store.open(join(tmp.dir, 'library.db'));
      const root = store.roots.add(TREE, [], Date.now(), false);
      const space = store.spaces.ensure('fixture-colours', '1', 16);
      store.transaction(() => {
        for (const f of scanned) {
          const hash = createHash('sha256').update(f.relPath).digest('hex');
          const id = store.items.upsertIndexed({ rootId: root.id, relPath: f.relPath, kind: f.kind, size: f.size, mtime: f.mtime, hash }, noFacts(f.relPath));
          store.spaces.markEmbedded(id, space.id, hash);
        }
      });
      store.close();
      const engine = Engine.open({ dataDir: tmp.dir, model: COLOURS_PACK, ocr: false });
      await engine.encoder();
      const t0 = performance.now();
      const summary = await engine.indexNow();
      const s = (performance.now() - t0) / 1000;
      await engine.close();
      line(NAMES[1]!, `${Math.round(summary.unchanged / s)} files/s`, `${summary.unchanged} unchanged of ${summary.scanned} in ${s.toFixed(2)} s: scan + compare with the library, nothing read or hashed`);
    } finally {
      tmp.cleanup();
    }
  }

  if (NAMES[5]!.includes(filter)) {
    // The persistent queue's price on a first index: the backfill written before any embedding, its order read
    // back, and one delete per file inside each group's commit. [Note: queue]
    const tmp = tempDir('bench-queue');
    try {
      const store = Store.open(join(tmp.dir, 'library.db'));
      const root = store.roots.add(TREE, [], Date.now(), false);
      let t0 = performance.now();
      store.queue.add(root.id, files, 0);
      const add = performance.now() - t0;
      t0 = performance.now();
      const listed = store.queue.forRoot(root.id).length;
      const list = performance.now() - t0;
      t0 = performance.now();
      for (let i = 0; i < files.length; i += 16) store.transaction(() => files.slice(i, i + 16).forEach((f) => store.queue.remove(root.id, f)));
      const groups = Math.ceil(files.length / 16);
      const perGroup = (performance.now() - t0) / groups;
      store.close();
      line(NAMES[5]!, `${Math.round(add)} ms to queue, ${perGroup.toFixed(2)} ms per group to clear`, `${listed} files queued in one transaction, listed in order in ${Math.round(list)} ms, cleared one group of 16 per transaction (${groups} groups)`);
    } finally {
      tmp.cleanup();
    }
  }

  if (NAMES[2]!.includes(filter)) {
    const sample = files.slice(0, 20_000);
    const t0 = performance.now();
    for (const f of sample) createHash('sha256').update(readFileSync(join(TREE, f))).digest('hex');
    const s = (performance.now() - t0) / 1000;
    line(NAMES[2]!, `${Math.round(sample.length / s)} files/s`, `read + sha256 of ${sample.length} new 50-byte files, warm cache (what a first index does before extracting)`);
  }

  if (NAMES[4]!.includes(filter)) {
    global.gc?.();
    const before = process.memoryUsage().rss;
    const t0 = performance.now();
    const handle = watchRoots([{ id: 1, path: TREE, ignore: [], addedAt: 0, items: FILES, errors: 0, present: true, ocr: false }], { onChanges: () => {}, onRescan: () => {} });
    await handle.ready;
    const seconds = (performance.now() - t0) / 1000;
    global.gc?.();
    const grew = process.memoryUsage().rss - before;
    await handle.close();
    line(NAMES[4]!, `${Math.round(grew / 2 ** 20)} MB resident`, `growth of the process's resident memory while the watcher follows ${FILES} files in 1,000 folders (inotify), ready after ${seconds.toFixed(1)} s`);
  }

  if (NAMES[3]!.includes(filter)) {
    const tmp = tempDir('bench-watch');
    try {
      const lib = join(tmp.dir, 'lib');
      mkdirSync(lib);
      const engine = Engine.open({ dataDir: join(tmp.dir, 'data'), model: COLOURS_PACK, ocr: false });
      await engine.addRoot({ path: lib });
      await engine.indexNow();
      const handle = engine.watch();
      await handle.ready;
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const file = join(lib, `IMG_${i}.jpg`);
        const jpeg = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: { r: 200, g: 30, b: 30 } } }).jpeg().toBuffer();
        const t0 = performance.now();
        writeFileSync(file, jpeg);
        for (;;) {
          const { hits } = await engine.search({ query: 'red', kinds: ['photo'], limit: 10 });
          if (hits.some((h) => h.item.path === file)) break;
          await new Promise((r) => setTimeout(r, 10));
        }
        times.push(performance.now() - t0);
      }
      await handle.close();
      await engine.close();
      times.sort((a, b) => a - b);
      line(NAMES[3]!, `median ${(times[2]! / 1000).toFixed(2)} s, max ${(times[4]! / 1000).toFixed(2)} s`, `a 1600×1200 JPEG written into a watched root until a search returns it, 5 times; includes waiting out the write (300 ms) and the debounce (200 ms)`);
    } finally {
      tmp.cleanup();
    }
  }
}
