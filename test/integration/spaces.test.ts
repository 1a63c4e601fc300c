// Switching the model builds a new embedding space; when it is complete it answers, and the old one is dropped.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/index.js';
import { LIBRARY, makeLibrary } from '../fixtures/make-library.js';
import { COLOURS_PACK, tempDir } from '../helpers.js';

describe('changing the model', () => {
  const tmp = tempDir('spaces');
  afterAll(() => tmp.cleanup());

  it('re-embeds everything into the new space, then drops the old one', async () => {
    const lib = join(tmp.dir, 'lib');
    const data = join(tmp.dir, 'data');
    await makeLibrary(lib);
    const v2 = join(tmp.dir, 'colours-v2');
    cpSync(COLOURS_PACK, v2, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(v2, 'trove-pack.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(v2, 'trove-pack.json'), JSON.stringify({ ...manifest, id: 'colours-v2', revision: '2' }));

    const first = Engine.open({ dataDir: data, model: COLOURS_PACK, ocr: false });
    await first.addRoot({ path: lib });
    await first.indexNow();
    await first.close();

    const second = Engine.open({ dataDir: data, model: v2, ocr: false });
    const summary = await second.indexNow();
    expect(summary).toMatchObject({ reembedded: 24, changed: 0, added: 0, removed: 0 });
    expect(summary.embedded.images).toBe(11);
    const status = await second.status();
    expect(status.spaces).toEqual([expect.objectContaining({ modelId: 'colours-v2', revision: '2', state: 'active', items: 24 })]);
    const { hits, space } = await second.search({ query: 'red', kinds: ['photo'], limit: 1 });
    expect(space.modelId).toBe('colours-v2');
    expect(hits[0]!.item.path).toBe(join(lib, LIBRARY.photos.red));
    await second.close();

    // The library remembers the new model.
    const third = Engine.open({ dataDir: data, ocr: false });
    expect((await third.search({ query: 'red', limit: 1 })).space.modelId).toBe('colours-v2');
    await third.close();
  });
});
