// Preprocessing parity: Trove's image path (sharp decode + resize.ts + preprocess.ts) against the reference
// processor the CLIP towers were trained with (transformers' CLIPImageProcessor on Pillow). The references are
// computed by scripts/make-parity-fixtures.py into test/fixtures/parity/. [Note: preprocess]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { prepareImage } from '../../../src/main/engine/models/encoder.js';
import {
  EXACT_DECODE_MAX_PIXELS,
  INTERMEDIATE_FACTOR,
  parseImageProcessor,
  planDecode,
  planResize,
  toPixelValues,
} from '../../../src/main/engine/models/preprocess.js';
import { resizeRgb, type ResampleFilter } from '../../../src/main/engine/models/resize.js';
import { REPO } from '../../helpers.js';

const DIR = join(REPO, 'test/fixtures/parity');

/** openai/clip-vit-base-patch32's preprocessor_config.json. */
const CLIP = {
  crop_size: { height: 224, width: 224 },
  do_center_crop: true,
  do_convert_rgb: true,
  do_normalize: true,
  do_rescale: true,
  do_resize: true,
  image_mean: [0.48145466, 0.4578275, 0.40821073],
  image_processor_type: 'CLIPImageProcessor',
  image_std: [0.26862954, 0.26130258, 0.27577711],
  resample: 3,
  rescale_factor: 0.00392156862745098,
  size: { shortest_edge: 224 },
};

interface Case {
  name: string;
  source: string;
  uprightSize: [number, number];
  resize: [number, number];
  crop: { left: number; top: number; width: number; height: number };
  reference: string;
  pixelValues: { channelMeans: [number, number, number]; probes: { c: number; y: number; x: number; value: number }[] };
}

const manifest = JSON.parse(readFileSync(join(DIR, 'reference.json'), 'utf8')) as { cases: Case[] };
const cfg = parseImageProcessor(CLIP);
const SIZE = 224;
const TOLERANCE = 1e-2; // per value, after normalisation: less than one 8-bit level (≈ 0.0146)

/** Largest and mean absolute difference between two tensors. */
function difference(a: Float32Array, b: Float32Array): { max: number; mean: number } {
  expect(a.length).toBe(b.length);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / a.length };
}

/** The reference crop as normalised CHW floats, checked against the values numpy computed. */
async function referencePixels(c: Case): Promise<Float32Array> {
  const { data, info } = await sharp(join(DIR, c.reference)).raw().toBuffer({ resolveWithObject: true });
  expect([info.width, info.height, info.channels]).toEqual([SIZE, SIZE, 3]);
  const values = toPixelValues(data, SIZE, SIZE, cfg);
  const plane = SIZE * SIZE;
  for (const p of c.pixelValues.probes) expect(values[p.c * plane + p.y * SIZE + p.x]).toBeCloseTo(p.value, 5);
  for (let ch = 0; ch < 3; ch++) {
    let sum = 0;
    for (let i = 0; i < plane; i++) sum += values[ch * plane + i]!;
    expect(sum / plane).toBeCloseTo(c.pixelValues.channelMeans[ch]!, 5);
  }
  return values;
}

describe('preprocessing parity with CLIPImageProcessor (Pillow)', () => {
  it('has the cases the script writes', () => {
    expect(manifest.cases.map((c) => c.name)).toEqual(['landscape-jpeg', 'portrait-png', 'tiny-png', 'webp', 'exif-6-jpeg']);
  });

  for (const c of manifest.cases) {
    it(`matches the reference tensor within ${TOLERANCE} per value: ${c.name}`, async () => {
      const [width, height] = c.uprightSize;
      expect(planResize(width, height, cfg)).toEqual({ width: c.resize[0], height: c.resize[1], crop: c.crop });
      expect(planDecode(width, height, planResize(width, height, cfg))).toEqual({ width, height }); // decoded whole
      const expected = await referencePixels(c);
      const image = await prepareImage(readFileSync(join(DIR, c.source)), cfg, 200_000_000);
      expect([image.width, image.height]).toEqual(c.uprightSize);
      const { max, mean } = difference(image.pixels, expected);
      expect(max, `${c.name}: max |Δ| ${max.toFixed(4)}, mean |Δ| ${mean.toFixed(5)}`).toBeLessThanOrEqual(TOLERANCE);
    });
  }
});

interface ResizeVectors {
  inputs: Record<string, { width: number; height: number; rgb: string }>;
  cases: { input: string; filter: ResampleFilter; width: number; height: number; rgb: string }[];
}

describe('resizeRgb: Pillow Image.resize, byte for byte', () => {
  const vectors = JSON.parse(readFileSync(join(DIR, 'resize.json'), 'utf8')) as ResizeVectors;
  const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

  for (const v of vectors.cases) {
    const input = vectors.inputs[v.input]!;
    it(`${v.filter} ${input.width}×${input.height} → ${v.width}×${v.height}`, () => {
      const out = resizeRgb(bytes(input.rgb), input.width, input.height, v.width, v.height, v.filter);
      const expected = bytes(v.rgb);
      expect(out.length).toBe(expected.length);
      let differing = 0;
      for (let i = 0; i < out.length; i++) if (out[i] !== expected[i]) differing++;
      expect(differing, `${differing} of ${out.length} bytes differ`).toBe(0);
    });
  }

  it('computes only the window asked for, with the same bytes', () => {
    const input = vectors.inputs.big!;
    const src = bytes(input.rgb);
    for (const filter of ['nearest', 'linear', 'cubic', 'lanczos3'] as const) {
      for (const [w, h] of [[40, 30], [64, 20], [25, 48], [64, 48], [90, 70]] as const) {
        const full = resizeRgb(src, input.width, input.height, w, h, filter);
        const win = { left: Math.floor(w / 5), top: Math.floor(h / 4), width: Math.ceil(w / 2), height: Math.ceil(h / 3) };
        const part = resizeRgb(src, input.width, input.height, w, h, filter, win);
        for (let y = 0; y < win.height; y++) {
          const from = ((win.top + y) * w + win.left) * 3;
          expect(Array.from(part.subarray(y * win.width * 3, (y + 1) * win.width * 3))).toEqual(Array.from(full.subarray(from, from + win.width * 3)));
        }
      }
    }
  });

  it('refuses bad sizes and windows', () => {
    expect(() => resizeRgb(new Uint8Array(12), 2, 2, 0, 1, 'cubic')).toThrow(/empty/);
    expect(() => resizeRgb(new Uint8Array(5), 2, 1, 1, 1, 'cubic')).toThrow(/expected 6 RGB bytes/);
    expect(() => resizeRgb(new Uint8Array(12), 2, 2, 4, 4, 'cubic', { left: 2, top: 0, width: 3, height: 1 })).toThrow(/window/);
  });
});

describe('large photos: the shrink-on-load path', () => {
  it('decodes whole up to the pixel limit, and to an intermediate of INTERMEDIATE_FACTOR × the target above it', () => {
    const small = planResize(1920, 1080, cfg);
    expect(1920 * 1080).toBeLessThanOrEqual(EXACT_DECODE_MAX_PIXELS);
    expect(planDecode(1920, 1080, small)).toEqual({ width: 1920, height: 1080 });
    const big = planResize(4000, 3000, cfg);
    expect(planDecode(4000, 3000, big)).toEqual({ width: 298 * INTERMEDIATE_FACTOR, height: 224 * INTERMEDIATE_FACTOR });
    expect(planDecode(4000, 3000, big, Infinity)).toEqual({ width: 4000, height: 3000 });
    // never larger than the image: a long panorama keeps its short side
    expect(planDecode(12000, 700, planResize(12000, 700, cfg))).toEqual({ width: 12000, height: 700 });
  });

  it('stays close to the exact resize (sideways 7.7-megapixel JPEG)', async () => {
    // An upright 3200 × 2400 photo stored sideways with EXIF orientation 6, made from the landscape fixture.
    const upright = await sharp(join(DIR, 'landscape.jpg')).resize(3200, 2400, { kernel: 'lanczos3' }).png({ compressionLevel: 1 }).toBuffer();
    const jpeg = await sharp(upright).rotate(-90).jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toBuffer();
    const plan = planResize(3200, 2400, cfg);
    expect(planDecode(3200, 2400, plan)).not.toEqual({ width: 3200, height: 2400 });
    // The exact path (whole decode + resize.ts), which the cases above show is the reference's.
    const { data, info } = await sharp(jpeg).rotate().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([3200, 2400]);
    const exact = toPixelValues(resizeRgb(data, info.width, info.height, plan.width, plan.height, 'cubic', plan.crop), SIZE, SIZE, cfg);
    const image = await prepareImage(jpeg, cfg, 200_000_000);
    expect([image.width, image.height]).toEqual([3200, 2400]);
    const { max, mean } = difference(image.pixels, exact);
    // Measured: max ≈ 0.03-0.06, mean ≈ 0.002 (a few 8-bit levels at most, on hard edges); not the 1e-2 above.
    expect(mean, `mean |Δ| ${mean.toFixed(5)}`).toBeLessThan(0.005);
    expect(max, `max |Δ| ${max.toFixed(4)}`).toBeLessThan(0.15);
  });
});
