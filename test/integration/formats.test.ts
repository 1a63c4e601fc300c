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

describe('camera RAW files', () => {
  const tmp = tempDir('raw');
  afterAll(() => tmp.cleanup());

  it('indexes the embedded preview, upright, with the camera and capture time of the RAW', async () => {
    const { makeRaw } = await import('../fixtures/raw.js');
    const { findRawPreview } = await import('../../src/main/engine/models/raw-preview.js');
    const lib = join(tmp.dir, 'lib');
    mkdirSync(lib);
    // A green landscape preview, stored sideways with orientation 6 in the RAW's IFD0 (EXIF stripped from the JPEG).
    const preview = await solid(600, 400, 30, 140, 40).jpeg().toBuffer();
    const raw = makeRaw({ preview, orientation: 6, make: 'NIKON CORPORATION', model: 'NIKON Z 6', taken: '2023:05:20 07:12:44' });
    expect(findRawPreview(raw)).toMatchObject({ orientation: 6 });
    expect(findRawPreview(raw)!.jpeg.equals(preview)).toBe(true); // the sensor data's lossless JPEG is not taken
    writeFileSync(join(lib, 'DSC_0042.NEF'), raw);
    writeFileSync(join(lib, 'DSC_0043.NEF'), raw.subarray(0, 40)); // truncated: no preview left
    const engine = Engine.open({ dataDir: join(tmp.dir, 'data'), model: COLOURS_PACK, ocr: false });
    try {
      await engine.addRoot({ path: lib });
      expect(await engine.indexNow()).toMatchObject({ added: 1, failed: 1 });
      const item = await engine.getItem({ path: join(lib, 'DSC_0042.NEF') });
      expect([item.width, item.height]).toEqual([400, 600]);
      expect(item.camera).toBe('NIKON CORPORATION NIKON Z 6');
      expect(item.takenAt).toBe(Date.UTC(2023, 4, 20, 7, 12, 44));
      const { hits } = await engine.search({ query: 'green', kinds: ['photo'], limit: 1 });
      expect(hits[0]!.item.relPath).toBe('DSC_0042.NEF');
      const thumb = await engine.thumbnail({ path: join(lib, 'DSC_0042.NEF'), size: 'small' });
      expect([thumb.width, thumb.height]).toEqual([171, 256]);
      expect(engine.errors()[0]!.error).toMatch(/no embedded JPEG preview/);
    } finally {
      await engine.close();
    }
  });

  it('reads a Canon CR3: the PRVW preview, orientation, and EXIF, offset and GPS from its CMT boxes', async () => {
    const { makeCr3 } = await import('../fixtures/raw.js');
    const { findRawPreview } = await import('../../src/main/engine/models/raw-preview.js');
    const { exifFacts } = await import('../../src/main/engine/ingest/exif.js');
    const lib = join(tmp.dir, 'cr3');
    mkdirSync(lib);
    const preview = await solid(900, 600, 30, 140, 40).jpeg().toBuffer(); // green
    const thumbnail = await solid(160, 120, 220, 20, 20).jpeg().toBuffer(); // red: must not be the one taken
    const cr3 = makeCr3({
      preview,
      thumbnail,
      orientation: 8,
      make: 'Canon',
      model: 'Canon EOS R6',
      taken: '2024:08:03 18:45:10',
      offset: '+02:00',
      gps: { lat: [46, 57, 30], latRef: 'N', lon: [7, 26, 24], lonRef: 'E' },
    });
    const found = findRawPreview(cr3)!;
    expect(found.jpeg.equals(preview)).toBe(true);
    expect(found.orientation).toBe(8);
    const facts = exifFacts(found.exif!);
    expect(facts).toMatchObject({ takenAt: Date.UTC(2024, 7, 3, 18, 45, 10), offsetMinutes: 120, camera: 'Canon EOS R6' });
    expect(facts.latitude).toBeCloseTo(46 + 57 / 60 + 30 / 3600, 5);
    expect(facts.longitude).toBeCloseTo(7 + 26 / 60 + 24 / 3600, 5);
    expect(findRawPreview(cr3.subarray(0, 200))).toBeNull(); // cut before any preview

    writeFileSync(join(lib, 'IMG_1234.CR3'), cr3);
    const engine = Engine.open({ dataDir: join(tmp.dir, 'data-cr3'), model: COLOURS_PACK, ocr: false });
    try {
      await engine.addRoot({ path: lib });
      expect(await engine.indexNow()).toMatchObject({ added: 1, failed: 0 });
      const item = await engine.getItem({ path: join(lib, 'IMG_1234.CR3') });
      expect([item.width, item.height]).toEqual([600, 900]);
      expect(item.camera).toBe('Canon EOS R6');
      expect(item.latitude).toBeCloseTo(46.958, 3);
      const { hits } = await engine.search({ query: 'green', kinds: ['photo'], limit: 1 });
      expect(hits[0]!.item.relPath).toBe('IMG_1234.CR3');
    } finally {
      await engine.close();
    }
  });
});
