// A queue left by a killed backfill can hold hundreds of thousands of files: the next run reads it whole, and a
// complete pass drops the rows of files that are gone.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/index.js';
import { Store } from '../../src/main/engine/store/index.js';
import { PRIORITY } from '../../src/main/engine/store/queue.js';
import { COLOURS_PACK, tempDir } from '../helpers.js';

describe('a large queue', () => {
  const tmp = tempDir('queue-large');
  afterAll(() => tmp.cleanup());

  it('is read without overflowing, its stale rows dropped, its live files indexed', async () => {
    const lib = join(tmp.dir, 'lib');
    mkdirSync(lib);
    writeFileSync(join(lib, 'red.md'), '# Red\n\nA red note.\n');
    const data = join(tmp.dir, 'data');
    const engine0 = Engine.open({ dataDir: data, model: COLOURS_PACK, ocr: false });
    const root = await engine0.addRoot({ path: lib });
    await engine0.close();
    // As a killed run over a big library would leave it: 200,000 files queued that are no longer on disk.
    const store = Store.open(join(data, 'library.db'));
    store.queue.add(root.id, Array.from({ length: 200_000 }, (_, i) => `gone/${i}.jpg`), PRIORITY.backfill, 1);
    store.queue.add(root.id, ['red.md'], PRIORITY.live, 2);
    store.close();

    const engine = Engine.open({ dataDir: data, model: COLOURS_PACK, ocr: false });
    try {
      expect(await engine.indexNow({})).toMatchObject({ added: 1, failed: 0 });
      expect((await engine.search({ query: 'red', kinds: ['note'], limit: 1 })).hits[0]?.item.relPath).toBe('red.md');
    } finally {
      await engine.close();
    }
    const after = Store.open(join(data, 'library.db'));
    expect(after.queue.count()).toBe(0);
    after.close();
  }, 60_000);
});
