// Inference runs in worker threads, and queries have a worker of their own: a search typed while photos index is
// answered at once, not after the batch in flight. Checked by order of completion, never by time.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/index.js';
import { WorkerEncoder } from '../../src/main/engine/models/worker-encoder.js';
import { COLOURS_PACK, tempDir } from '../helpers.js';

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
});
