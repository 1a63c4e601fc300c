// Image preprocessing as the model was trained with it: pure functions, tested against reference tensors.
// The settings come from the pack's Hugging Face `preprocessor_config.json` (CLIPImageProcessor and
// SiglipImageProcessor layouts), so a real pack and the fixture go through the same code. [Note: preprocess]

export interface ImageProcessorConfig {
  /** 'shortest-edge': scale so the short side is `shortestEdge` (CLIP); 'exact': scale to width × height (SigLIP). */
  readonly resize: { readonly mode: 'shortest-edge'; readonly shortestEdge: number } | { readonly mode: 'exact'; readonly width: number; readonly height: number };
  readonly crop: { readonly width: number; readonly height: number } | null;
  /** Pillow's resampling filter (NEAREST, BILINEAR, BICUBIC, LANCZOS), applied by resize.ts as Pillow does. */
  readonly kernel: 'nearest' | 'linear' | 'cubic' | 'lanczos3';
  readonly rescale: number; // multiplies the 0..255 values, usually 1/255
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

type Json = Record<string, unknown>;

function num(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`preprocessor_config.json: ${what} must be a number`);
  return value;
}

function triple(value: unknown, fallback: readonly [number, number, number], what: string): readonly [number, number, number] {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return [value, value, value];
  if (Array.isArray(value) && value.length === 3) return [num(value[0], what), num(value[1], what), num(value[2], what)];
  throw new Error(`preprocessor_config.json: ${what} must be a number or three numbers`);
}

function dims(value: unknown, what: string): { width: number; height: number } | { shortestEdge: number } {
  if (typeof value === 'number') return { width: value, height: value };
  if (value && typeof value === 'object') {
    const v = value as Json;
    if (v.shortest_edge !== undefined) return { shortestEdge: num(v.shortest_edge, `${what}.shortest_edge`) };
    if (v.height !== undefined && v.width !== undefined) {
      return { width: num(v.width, `${what}.width`), height: num(v.height, `${what}.height`) };
    }
  }
  throw new Error(`preprocessor_config.json: ${what} is not understood`);
}

/** PIL resample codes as Hugging Face stores them. */
const KERNELS: Record<number, ImageProcessorConfig['kernel']> = { 0: 'nearest', 1: 'lanczos3', 2: 'linear', 3: 'cubic' };

export function parseImageProcessor(json: Json): ImageProcessorConfig {
  const size = dims(json.size ?? { shortest_edge: 224 }, 'size');
  const resize: ImageProcessorConfig['resize'] =
    'shortestEdge' in size ? { mode: 'shortest-edge', shortestEdge: size.shortestEdge } : { mode: 'exact', ...size };
  let crop: ImageProcessorConfig['crop'] = null;
  if (json.do_center_crop !== false && json.crop_size !== undefined) {
    const c = dims(json.crop_size, 'crop_size');
    crop = 'shortestEdge' in c ? { width: c.shortestEdge, height: c.shortestEdge } : c;
  }
  if (resize.mode === 'shortest-edge' && crop === null) {
    crop = { width: resize.shortestEdge, height: resize.shortestEdge }; // a square input is what towers expect
  }
  const normalize = json.do_normalize !== false;
  return {
    resize,
    crop,
    kernel: KERNELS[typeof json.resample === 'number' ? json.resample : 3] ?? 'cubic',
    rescale: json.do_rescale === false ? 1 : typeof json.rescale_factor === 'number' ? json.rescale_factor : 1 / 255,
    mean: normalize ? triple(json.image_mean, [0.5, 0.5, 0.5], 'image_mean') : [0, 0, 0],
    std: normalize ? triple(json.image_std, [0.5, 0.5, 0.5], 'image_std') : [1, 1, 1],
  };
}

export interface ResizePlan {
  readonly width: number; // after resize
  readonly height: number;
  readonly crop: { readonly left: number; readonly top: number; readonly width: number; readonly height: number };
}

/** Where an image of width × height (already upright) is resized to and which part is kept. */
export function planResize(width: number, height: number, cfg: ImageProcessorConfig): ResizePlan {
  if (!(width > 0 && height > 0)) throw new Error(`image has no pixels (${width}×${height})`);
  let w: number;
  let h: number;
  if (cfg.resize.mode === 'exact') {
    w = cfg.resize.width;
    h = cfg.resize.height;
  } else {
    const s = cfg.resize.shortestEdge;
    // As transformers' get_resize_output_image_size: the short side becomes s, the long side is truncated.
    if (width <= height) {
      w = s;
      h = Math.max(1, Math.trunc((s * height) / width));
    } else {
      h = s;
      w = Math.max(1, Math.trunc((s * width) / height));
    }
  }
  const cw = cfg.crop ? Math.min(cfg.crop.width, w) : w;
  const ch = cfg.crop ? Math.min(cfg.crop.height, h) : h;
  return { width: w, height: h, crop: { left: Math.trunc((w - cw) / 2), top: Math.trunc((h - ch) / 2), width: cw, height: ch } };
}

/**
 * Photos up to this many pixels are decoded whole and resized by `resize.ts` exactly as Pillow does, so the tower
 * gets the reference processor's pixels bit for bit. Decoding a 12-megapixel JPEG whole and resampling it in
 * JavaScript would cost ≈ 8× the sharp-only path (≈ 240 ms of CPU instead of ≈ 30), so larger photos take the
 * fast path below (≈ 70 ms). [Note: preprocess]
 */
export const EXACT_DECODE_MAX_PIXELS = 2_500_000;

/**
 * On the fast path sharp decodes to an intermediate this many times the resize target on each axis (JPEG and
 * WebP shrink on load, then libvips' cubic), and `resize.ts` does the final, Pillow-exact resize from there.
 * Most of what the antialiased bicubic filter uses survives: measured on 3–12 MP JPEGs, values differ from the
 * reference by ≈ 0.002 on average and 0.03–0.06 at most (two to four 8-bit levels, on hard fine edges).
 */
export const INTERMEDIATE_FACTOR = 4;

/**
 * The size sharp should hand over for an upright width × height image resized by `plan`: the whole image when it
 * has at most `exactMaxPixels` pixels (or no smaller intermediate helps), otherwise an intermediate of
 * `INTERMEDIATE_FACTOR` × the resize target on each axis, never larger than the image.
 */
export function planDecode(
  width: number,
  height: number,
  plan: ResizePlan,
  exactMaxPixels: number = EXACT_DECODE_MAX_PIXELS,
): { width: number; height: number } {
  if (width * height <= exactMaxPixels) return { width, height };
  return {
    width: Math.min(width, Math.round(plan.width * INTERMEDIATE_FACTOR)),
    height: Math.min(height, Math.round(plan.height * INTERMEDIATE_FACTOR)),
  };
}

/** The input size the image tower receives. */
export function inputSize(cfg: ImageProcessorConfig): { width: number; height: number } {
  if (cfg.crop) return cfg.crop;
  if (cfg.resize.mode === 'exact') return { width: cfg.resize.width, height: cfg.resize.height };
  return { width: cfg.resize.shortestEdge, height: cfg.resize.shortestEdge };
}

/**
 * Interleaved 8-bit RGB (HWC) → normalised float CHW, written into `out` at `offset` (so a batch is one buffer).
 * value = (byte × rescale − mean[c]) / std[c]
 */
export function toPixelValues(
  rgb: Uint8Array,
  width: number,
  height: number,
  cfg: ImageProcessorConfig,
  out: Float32Array = new Float32Array(3 * width * height),
  offset = 0,
): Float32Array {
  const plane = width * height;
  if (rgb.length < plane * 3) throw new Error(`expected ${plane * 3} RGB bytes, got ${rgb.length}`);
  if (out.length < offset + plane * 3) throw new Error('output buffer too small');
  for (let c = 0; c < 3; c++) {
    const scale = cfg.rescale / cfg.std[c]!;
    const shift = cfg.mean[c]! / cfg.std[c]!;
    const base = offset + c * plane;
    for (let i = 0; i < plane; i++) out[base + i] = rgb[i * 3 + c]! * scale - shift;
  }
  return out;
}
