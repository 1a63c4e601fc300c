// "Any folder of coloured photos and colour-word notes that you did not make behaves the same way": photos made
// differently from the fixture library (CMYK and greyscale JPEG, PNG with alpha, 16-bit PNG, odd sizes, real-world
// shades rather than pure colours) and notes written differently still pair up by colour.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/index.js';
import { COLOURS_PACK, tempDir } from '../helpers.js';

interface Case {
  colour: string;
  file: string;
  make: () => Promise<Buffer>;
  note: string;
}

/** A noisy field of one shade, so it is not a flat fill. */
function field(width: number, height: number, rgb: [number, number, number], seed: number): Buffer {
  const px = Buffer.alloc(width * height * 3);
  let s = seed;
  for (let i = 0; i < width * height; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const n = (s % 41) - 20;
    for (let c = 0; c < 3; c++) px[i * 3 + c] = Math.max(0, Math.min(255, rgb[c]! + n));
  }
  return px;
}

const raw = (w: number, h: number, rgb: [number, number, number], seed: number) =>
  sharp(field(w, h, rgb, seed), { raw: { width: w, height: h, channels: 3 } });

const CASES: Case[] = [
  { colour: 'red', file: 'camera/crimson-cmyk.jpg', make: () => raw(900, 600, [190, 20, 40], 1).toColourspace('cmyk').jpeg().toBuffer(), note: 'Tomatoes from the allotment, deep crimson this year.' },
  { colour: 'blue', file: 'camera/navy-alpha.png', make: () => raw(333, 500, [20, 30, 110], 2).ensureAlpha(0.9).png().toBuffer(), note: 'My new coat is navy, the shop assistant insisted it suits me.' },
  { colour: 'green', file: 'camera/forest-16bit.png', make: () => raw(640, 427, [40, 100, 35], 3).toColourspace('rgb16').png().toBuffer(), note: 'Walked under the green canopy for hours.' },
  { colour: 'grey', file: 'camera/concrete-mono.jpg', make: () => raw(500, 500, [128, 128, 128], 4).greyscale().jpeg().toBuffer(), note: 'The office walls are painted gray, which is depressing.' },
  { colour: 'yellow', file: 'camera/lemons.webp', make: () => raw(1201, 799, [235, 210, 40], 5).webp().toBuffer(), note: 'LEMONS: bright YELLOW, three for a pound.' },
];

describe('a library Trove did not make', () => {
  const tmp = tempDir('foreign');
  let engine: Engine;

  beforeAll(async () => {
    const lib = join(tmp.dir, 'lib');
    for (const [i, c] of CASES.entries()) {
      mkdirSync(join(lib, 'camera'), { recursive: true });
      mkdirSync(join(lib, 'diary'), { recursive: true });
      writeFileSync(join(lib, c.file), await c.make());
      writeFileSync(join(lib, `diary/entry-${i}.txt`), `${c.note}\n\nNothing else happened.\n`);
    }
    engine = Engine.open({ dataDir: join(tmp.dir, 'data'), model: COLOURS_PACK, ocr: false });
    await engine.addRoot({ path: lib });
    expect(await engine.indexNow()).toMatchObject({ added: CASES.length * 2, failed: 0 });
  });

  afterAll(async () => {
    await engine.close();
    tmp.cleanup();
  });

  it('pairs each photo with the note about its colour', async () => {
    for (const [i, c] of CASES.entries()) {
      const { hits } = await engine.related({ path: join(tmp.dir, 'lib', c.file), limit: 1 });
      expect(hits[0]?.item.relPath, c.file).toBe(`diary/entry-${i}.txt`);
    }
  });

  it('finds each photo by its colour word', async () => {
    for (const c of CASES) {
      const { hits } = await engine.search({ query: c.colour, kinds: ['photo'], limit: 1 });
      expect(hits[0]?.item.relPath, c.colour).toBe(c.file);
    }
  });
});
