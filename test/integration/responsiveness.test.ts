// Inference runs in worker threads, and queries have a worker of their own: a search typed while photos index is
// answered at once, not after the batch in flight. Checked by order of completion, never by time.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/index.js';
import { WorkerEncoder } from '../../src/main/engine/models/worker-encoder.js';
import { COLOURS_PACK, eventually, tempDir } from '../helpers.js';

describe('queries while indexing', () => {
  const tmp = tempDir('responsive');

  afterAll(() => tmp.cleanup());

  it('answers a query before a large image batch already in flight', async () => {
    const encoder = await WorkerEncoder.open(COLOURS_PACK, { threads: 1 });
    try {
      const images = Array.from({ length: 200 }, () => ({ pixels: new Float32Array(3 * 64 * 64).fill(0.3), width: 64, height: 64, format: null, exif: undefined }));
      const order: string[] = [];
      const batch = encoder.embedImages(images).then(() => order.push('batch'));
      await new Promise((r) => setTimeout(r, 20)); // the batch is now running in the indexing worker
      const [query] = await encoder.embedQueries(['red']);
      order.push('query');
      await batch;
      expect(order).toEqual(['query', 'batch']);
      expect(query).toHaveLength(16);
    } finally {
      await encoder.close();
    }
  });

  describe('through the engine', () => {
    let engine: Engine;
    beforeAll(async () => {
      const lib = join(tmp.dir, 'lib');
      mkdirSync(lib);
      const colours = ['#d01010', '#1030e0', '#10a010', '#e0d020'];
      for (let i = 0; i < 240; i++) {
        await sharp({ create: { width: 96, height: 64, channels: 3, background: colours[i % 4]! } }).png().toFile(join(lib, `IMG_${String(i).padStart(4, '0')}.png`));
      }
      engine = Engine.open({ dataDir: join(tmp.dir, 'data'), model: COLOURS_PACK, ocr: false });
      await engine.addRoot({ path: lib });
    });
    afterAll(() => engine.close());

    it('serves searches while the library is being indexed', async () => {
      const order: string[] = [];
      let searchedDuring = false;
      const indexing = engine.indexNow().then(() => order.push('index done'));
      await new Promise<void>((resolve) => {
        const off = engine.on('progress', (p) => {
          if (p.phase === 'embedding' && p.done > 0) {
            off();
            resolve();
          }
        });
      });
      const { hits } = await engine.search({ query: 'blue', kinds: ['photo'], limit: 3 });
      searchedDuring = (await engine.status()).progress.phase !== 'idle';
      order.push('search answered');
      await indexing;
      expect(order).toEqual(['search answered', 'index done']);
      expect(searchedDuring).toBe(true);
      expect(hits.length).toBeGreaterThan(0); // what was indexed so far is already searchable
    });
  });

  describe('pause, resume and live changes first', () => {
    let engine: Engine;
    let lib: string;
    beforeAll(async () => {
      lib = join(tmp.dir, 'lib2');
      mkdirSync(lib);
      for (let i = 0; i < 200; i++) {
        await sharp({ create: { width: 96, height: 64, channels: 3, background: i % 2 ? '#d01010' : '#e0d020' } }).png().toFile(join(lib, `IMG_${String(i).padStart(4, '0')}.png`));
      }
      engine = Engine.open({ dataDir: join(tmp.dir, 'data2'), model: COLOURS_PACK, ocr: false });
      await engine.addRoot({ path: lib });
    });
    afterAll(() => engine.close());

    const firstProgress = () =>
      new Promise<void>((resolve) => {
        const off = engine.on('progress', (p) => {
          if (p.phase === 'embedding' && p.done > 0) {
            off();
            resolve();
          }
        });
      });

    it('pauses between groups, keeps answering queries, and resumes where it stopped', async () => {
      const indexing = engine.indexNow();
      await firstProgress();
      const paused = await engine.pauseIndexing();
      expect(paused.paused).toBe(true);
      await new Promise((r) => setTimeout(r, 300)); // the group in flight finishes, then nothing moves
      const held = (await engine.status()).progress;
      await new Promise((r) => setTimeout(r, 500));
      const still = (await engine.status()).progress;
      expect(still.done).toBe(held.done);
      expect(still.done).toBeLessThan(still.total);
      expect((await engine.search({ query: 'red', limit: 1 })).hits.length).toBe(1);
      expect((await engine.resumeIndexing()).paused).toBe(false);
      expect(await indexing).toMatchObject({ added: 200 });
    });

    it('indexes a file that appears during a long run before the run ends', async () => {
      // 80 photos of 2 megapixels: five groups, so the run has groups left when the new photo is seen.
      const big = join(tmp.dir, 'big');
      mkdirSync(big);
      for (let i = 0; i < 80; i++) {
        await sharp({ create: { width: 1600, height: 1200, channels: 3, background: i % 2 ? '#c01818' : '#d8c828' } }).jpeg().toFile(join(big, `IMG_${String(i).padStart(4, '0')}.jpg`));
      }
      const root = await engine.addRoot({ path: big });
      const handle = engine.watch();
      await handle.ready;
      const order: string[] = [];
      const full = engine.indexNow({ rootIds: [root.id] }).then(() => order.push('full run done'));
      await firstProgress();
      // Hold the run while the watcher notices the new photo, so the order does not depend on timing.
      await engine.pauseIndexing();
      const blue = join(big, 'new-blue.png');
      await sharp({ create: { width: 96, height: 64, channels: 3, background: '#1030e0' } }).png().toFile(blue);
      await eventually(async () => (await engine.status()).pendingChanges > 0, 'the watcher to see the new photo', 60_000);
      expect((await engine.status()).progress.done).toBeLessThan(80);
      await engine.resumeIndexing();
      await eventually(async () => (await engine.search({ query: 'blue', kinds: ['photo'], limit: 1 })).hits[0]?.item.path === blue, 'the new photo', 60_000);
      order.push('live photo searchable');
      await full;
      await handle.close();
      expect(order).toEqual(['live photo searchable', 'full run done']);
    });
  });
});
