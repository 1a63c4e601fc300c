import { describe, expect, it } from 'vitest';
import { inputSize, parseImageProcessor, planResize, toPixelValues } from '../../../src/main/engine/models/preprocess.js';

const CLIP = {
  do_resize: true,
  size: { shortest_edge: 224 },
  resample: 3,
  do_center_crop: true,
  crop_size: { height: 224, width: 224 },
  do_rescale: true,
  rescale_factor: 1 / 255,
  do_normalize: true,
  image_mean: [0.48145466, 0.4578275, 0.40821073],
  image_std: [0.26862954, 0.26130258, 0.27577711],
};

const SIGLIP = {
  do_resize: true,
  size: { height: 256, width: 256 },
  resample: 2,
  do_rescale: true,
  rescale_factor: 1 / 255,
  do_normalize: true,
  image_mean: [0.5, 0.5, 0.5],
  image_std: [0.5, 0.5, 0.5],
};

describe('parseImageProcessor', () => {
  it('reads a CLIP processor: shortest edge, centre crop, bicubic, CLIP mean/std', () => {
    const cfg = parseImageProcessor(CLIP);
    expect(cfg.resize).toEqual({ mode: 'shortest-edge', shortestEdge: 224 });
    expect(cfg.crop).toEqual({ width: 224, height: 224 });
    expect(cfg.kernel).toBe('cubic');
    expect(cfg.mean[0]).toBeCloseTo(0.48145466);
    expect(inputSize(cfg)).toEqual({ width: 224, height: 224 });
  });

  it('reads a SigLIP processor: exact resize, no crop, bilinear', () => {
    const cfg = parseImageProcessor(SIGLIP);
    expect(cfg.resize).toEqual({ mode: 'exact', width: 256, height: 256 });
    expect(cfg.crop).toBeNull();
    expect(cfg.kernel).toBe('linear');
    expect(inputSize(cfg)).toEqual({ width: 256, height: 256 });
  });

  it('accepts the older integer sizes and refuses nonsense', () => {
    const cfg = parseImageProcessor({ size: 224, crop_size: 224 });
    expect(cfg.resize).toEqual({ mode: 'exact', width: 224, height: 224 });
    expect(() => parseImageProcessor({ size: 'big' })).toThrow(/size is not understood/);
    expect(() => parseImageProcessor({ image_mean: [1, 2] })).toThrow(/image_mean/);
  });
});

describe('planResize', () => {
  const cfg = parseImageProcessor(CLIP);
  it('scales the short side to 224 and centre-crops, as transformers does', () => {
    expect(planResize(4000, 3000, cfg)).toEqual({ width: 298, height: 224, crop: { left: 37, top: 0, width: 224, height: 224 } });
    expect(planResize(480, 640, cfg)).toEqual({ width: 224, height: 298, crop: { left: 0, top: 37, width: 224, height: 224 } });
    expect(planResize(224, 224, cfg)).toEqual({ width: 224, height: 224, crop: { left: 0, top: 0, width: 224, height: 224 } });
  });
  it('upscales small images and handles extreme shapes', () => {
    expect(planResize(48, 32, cfg)).toEqual({ width: 336, height: 224, crop: { left: 56, top: 0, width: 224, height: 224 } });
    expect(planResize(10000, 1, cfg).height).toBe(224);
  });
  it('resizes exactly for SigLIP', () => {
    expect(planResize(4000, 3000, parseImageProcessor(SIGLIP))).toEqual({ width: 256, height: 256, crop: { left: 0, top: 0, width: 256, height: 256 } });
  });
  it('refuses an empty image', () => {
    expect(() => planResize(0, 10, cfg)).toThrow(/no pixels/);
  });
});

describe('toPixelValues', () => {
  it('turns HWC bytes into normalised CHW floats', () => {
    const cfg = parseImageProcessor({ ...CLIP, image_mean: [0.5, 0.25, 0], image_std: [0.5, 0.25, 1] });
    // 2×1 image: pixel 0 = (255, 0, 51), pixel 1 = (0, 255, 102)
    const out = toPixelValues(new Uint8Array([255, 0, 51, 0, 255, 102]), 2, 1, cfg);
    expect(Array.from(out).map((x) => Math.round(x * 1000) / 1000)).toEqual([1, -1, -1, 3, 0.2, 0.4]);
  });
  it('writes into a batch buffer at an offset', () => {
    const cfg = parseImageProcessor(SIGLIP);
    const batch = new Float32Array(6).fill(9);
    toPixelValues(new Uint8Array([255, 255, 255]), 1, 1, cfg, batch, 3);
    expect(Array.from(batch)).toEqual([9, 9, 9, 1, 1, 1]);
    expect(() => toPixelValues(new Uint8Array(2), 1, 1, cfg)).toThrow(/expected 3 RGB bytes/);
  });
});
