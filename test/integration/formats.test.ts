// Photo formats beyond JPEG/PNG/WebP: GIF (its first frame), TIFF, AVIF and HEIC (iPhone photos, decoded by
// libheif in WebAssembly), each found by its colour through the colours pack.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/index.js';
import { COLOURS_PACK, REPO, tempDir } from '../helpers.js';

const solid = (w: number, h: number, r: number, g: number, b: number) => sharp({ create: { width: w, height: h, channels: 3, background: { r, g, b } } });

describe('photo formats', () => {
  const tmp = tempDir('formats');
  const lib = join(tmp.dir, 'lib');
  let engine: Engine;

  beforeAll(async () => {
    mkdirSync(lib);
    // An animated GIF whose first frame is red and second blue: the first frame is what a viewer shows first.
    const frames = Buffer.concat([await solid(80, 60, 220, 20, 20).raw().toBuffer(), await solid(80, 60, 20, 40, 230).raw().toBuffer()]);
    const gif = await sharp(frames, { raw: { width: 80, height: 120, channels: 3, pageHeight: 60 } }).gif({ delay: [500, 500] }).toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    writeFileSync(join(lib, 'anim.gif'), gif);
    await solid(400, 300, 20, 150, 30).tiff({ compression: 'lzw' }).toFile(join(lib, 'scan.tif'));
    await solid(400, 300, 10, 30, 200).avif({ quality: 60 }).toFile(join(lib, 'modern.avif'));
    copyFileSync(join(REPO, 'test/fixtures/photos/iphone-orange.heic'), join(lib, 'IMG_4321.HEIC'));
    engine = Engine.open({ dataDir: join(tmp.dir, 'data'), model: COLOURS_PACK, ocr: false });
    await engine.addRoot({ path: lib });
    expect(await engine.indexNow()).toMatchObject({ added: 4, failed: 0 });
  });

  afterAll(async () => {
    await engine.close();
    tmp.cleanup();
  });

  it('indexes each format and finds it by its colour', async () => {
    const expected: [string, string][] = [
      ['red', 'anim.gif'],
      ['green', 'scan.tif'],
      ['blue', 'modern.avif'],
      ['orange', 'IMG_4321.HEIC'],
    ];
    for (const [colour, file] of expected) {
      const { hits } = await engine.search({ query: colour, kinds: ['photo'], limit: 1 });
      expect(hits[0]?.item.relPath, colour).toBe(file);
    }
  });

  it('keeps a HEIC photo\'s size, capture time and camera, and makes its thumbnail', async () => {
    const heic = await engine.getItem({ path: join(lib, 'IMG_4321.HEIC') });
    expect([heic.width, heic.height]).toEqual([320, 240]);
    expect(heic.takenAt).toBe(Date.UTC(2024, 7, 3, 17, 45, 12));
    expect(heic.camera).toBe('Apple iPhone 15');
    const thumb = await engine.thumbnail({ path: join(lib, 'IMG_4321.HEIC'), size: 'small' });
    expect([thumb.width, thumb.height]).toEqual([256, 192]);
  });
});
