// Trove's own library folder inside a watched folder (a --data-dir kept with the photos): its database, thumbnails
// and model packs are never indexed, and the folder itself cannot be added. [Note: symlinks] [Note: private-data]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { inProcess } from '../../src/shared/dispatch.js';
import { Engine } from '../../src/main/engine/index.js';
import { COLOURS_PACK, tempDir } from '../helpers.js';

describe("the library's own folder", () => {
  const tmp = tempDir('own-folder');
  afterAll(() => tmp.cleanup());

  it('is not indexed when it lies inside a watched folder, and cannot be added', async () => {
    const lib = join(tmp.dir, 'pictures');
    mkdirSync(lib);
    await sharp({ create: { width: 64, height: 48, channels: 3, background: '#d01010' } }).png().toFile(join(lib, 'red.png'));
    const data = join(lib, 'TroveLibrary');
    const engine = Engine.open({ dataDir: data, model: COLOURS_PACK, ocr: false });
    const api = inProcess(engine);
    try {
      await api.addRoot({ path: lib });
      await api.indexNow({});
      const photo = (await api.search({ query: 'red', limit: 5 })).hits[0]!.item;
      await api.thumbnail({ id: photo.id, size: 'small' }); // writes a .webp into the library folder
      writeFileSync(join(data, 'note.md'), '# A note in the wrong place\n');
      await api.indexNow({});
      const status = await api.status({});
      expect(status.counts).toEqual({ photo: 1, note: 0, audio: 0 });
      await expect(api.addRoot({ path: data })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/Trove's own library folder/) });
      await expect(api.addRoot({ path: join(data, 'thumbnails') })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    } finally {
      await engine.close();
    }
  }, 60_000);
});
