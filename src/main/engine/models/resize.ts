// Image resampling that reproduces Pillow's Image.resize bit for bit, for 8-bit RGB. [Note: preprocess]
//
// CLIP-style towers were trained on pixels from Hugging Face's image processors, which resize with Pillow. A
// different resampler (libvips' cubic, say) differs by one or more 8-bit levels in many pixels, and after CLIP's
// normalisation one level is ≈ 0.015: more than the parity test's tolerance. So the resize itself is done here,
// as Pillow's libImaging/Resample.c does it:
//
//  - separable convolution, horizontal pass first, then vertical, each with per-output-pixel coefficients;
//  - the filter is stretched by the scale when shrinking (support × scale: antialiasing), never when enlarging;
//  - coefficients are computed in double, normalised to sum 1, then turned into 22-bit fixed point
//    (rounded half away from zero); each pass sums in integers from 1 << 21 and stores
//    clamp(sum >> 22, 0, 255), so the intermediate image between the passes is 8-bit, as in Pillow;
//  - a pass is skipped when its size does not change (Pillow's need_horizontal / need_vertical);
//  - 'nearest' is Pillow's ImagingScaleAffine: source position (x + 0.5) × in/out, accumulated per pixel.
//
// Only the requested window of the output is computed (each output pixel depends only on the source and its
// own coefficients), so a resize followed by a centre crop costs the crop, not the whole resize.

export type ResampleFilter = 'nearest' | 'linear' | 'cubic' | 'lanczos3';

export interface Window {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

interface Filter {
  readonly support: number;
  readonly at: (x: number) => number;
}

function bilinear(x: number): number {
  if (x < 0) x = -x;
  return x < 1 ? 1 - x : 0;
}

function bicubic(x: number): number {
  // Keys' cubic convolution with a = -0.5, written in Pillow's operation order so the doubles agree.
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  x = x * Math.PI;
  return Math.sin(x) / x;
}

function lanczos(x: number): number {
  return -3 <= x && x < 3 ? sinc(x) * sinc(x / 3) : 0;
}

const FILTERS: Record<Exclude<ResampleFilter, 'nearest'>, Filter> = {
  linear: { support: 1, at: bilinear },
  cubic: { support: 2, at: bicubic },
  lanczos3: { support: 3, at: lanczos },
};

const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);
const ONE = 1 << PRECISION_BITS;

interface Coefficients {
  /** Coefficients per output pixel (fixed point), `size` slots each. */
  readonly k: Int32Array;
  readonly size: number;
  /** Per output pixel: first source index, number of source pixels. */
  readonly bounds: Int32Array;
}

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for a whole axis (box = the whole input). */
function coefficients(inSize: number, outSize: number, filter: Filter): Coefficients {
  const scale = inSize / outSize;
  const filterScale = scale < 1 ? 1 : scale;
  const support = filter.support * filterScale;
  const size = Math.ceil(support) * 2 + 1;
  const k = new Int32Array(outSize * size);
  const bounds = new Int32Array(outSize * 2);
  const w = new Float64Array(size);
  const ss = 1 / filterScale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      w[x] = filter.at((x + xmin - center + 0.5) * ss);
      ww += w[x]!;
    }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? w[x]! / ww : w[x]!;
      k[xx * size + x] = v < 0 ? Math.trunc(-0.5 + v * ONE) : Math.trunc(0.5 + v * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { k, size, bounds };
}

/**
 * Horizontal pass over source rows [y0, y1): output columns [x0, x0 + width) of a resize to `outWidth`.
 * Output is `width` × (y1 - y0) interleaved RGB.
 */
function horizontal(src: Uint8Array, srcWidth: number, y0: number, y1: number, c: Coefficients, x0: number, width: number): Uint8Array {
  const out = new Uint8ClampedArray(width * (y1 - y0) * 3); // stores clamp to 0..255, as Pillow's clip8
  const { k, size, bounds } = c;
  let o = 0;
  for (let y = y0; y < y1; y++) {
    const row = y * srcWidth * 3;
    for (let xx = x0; xx < x0 + width; xx++) {
      const first = bounds[xx * 2]!;
      const n = bounds[xx * 2 + 1]!;
      const kb = xx * size;
      let s0 = HALF;
      let s1 = HALF;
      let s2 = HALF;
      let p = row + first * 3;
      for (let i = 0; i < n; i++, p += 3) {
        const w = k[kb + i]!;
        s0 += src[p]! * w;
        s1 += src[p + 1]! * w;
        s2 += src[p + 2]! * w;
      }
      out[o++] = s0 >> PRECISION_BITS;
      out[o++] = s1 >> PRECISION_BITS;
      out[o++] = s2 >> PRECISION_BITS;
    }
  }
  return new Uint8Array(out.buffer);
}

/**
 * Vertical pass: output rows [y0, y0 + height) of a resize to `outHeight`, reading `src` (width × rows, RGB)
 * whose first row is source row `rowOffset`. Whole rows are accumulated at once (sequential memory access);
 * the sums fit in 32 bits (|sum| < 255 × 1.3 × 2²² + 2²¹), as in Pillow.
 */
function vertical(src: Uint8Array, width: number, rowOffset: number, c: Coefficients, y0: number, height: number): Uint8Array {
  const stride = width * 3;
  const out = new Uint8ClampedArray(stride * height);
  const acc = new Int32Array(stride);
  const { k, size, bounds } = c;
  for (let yy = y0; yy < y0 + height; yy++) {
    const first = bounds[yy * 2]! - rowOffset;
    const n = bounds[yy * 2 + 1]!;
    acc.fill(HALF);
    for (let i = 0; i < n; i++) {
      const w = k[yy * size + i]!;
      let p = (first + i) * stride;
      for (let x = 0; x < stride; x++, p++) acc[x] = acc[x]! + src[p]! * w;
    }
    const o = (yy - y0) * stride;
    for (let x = 0; x < stride; x++) out[o + x] = acc[x]! >> PRECISION_BITS;
  }
  return new Uint8Array(out.buffer);
}

/** Pillow's nearest-neighbour resize (ImagingScaleAffine): positions accumulate in double, as there. */
function nearest(src: Uint8Array, width: number, height: number, outWidth: number, outHeight: number, win: Window): Uint8Array {
  const out = new Uint8Array(win.width * win.height * 3);
  const positions = (inSize: number, outSize: number, from: number, count: number) => {
    const step = inSize / outSize;
    const at = new Int32Array(count).fill(-1);
    let v = step * 0.5;
    for (let i = 0; i < from + count; i++, v += step) {
      const p = v < 0 ? -1 : Math.trunc(v);
      if (i >= from) at[i - from] = p < inSize ? p : -1;
    }
    return at;
  };
  const xs = positions(width, outWidth, win.left, win.width);
  const ys = positions(height, outHeight, win.top, win.height);
  for (let y = 0; y < win.height; y++) {
    const sy = ys[y]!;
    if (sy < 0) continue; // Pillow fills with 0
    for (let x = 0; x < win.width; x++) {
      const sx = xs[x]!;
      if (sx < 0) continue;
      const s = (sy * width + sx) * 3;
      const o = (y * win.width + x) * 3;
      out[o] = src[s]!;
      out[o + 1] = src[s + 1]!;
      out[o + 2] = src[s + 2]!;
    }
  }
  return out;
}

/**
 * Resizes interleaved 8-bit RGB `src` (width × height) to outWidth × outHeight exactly as Pillow's
 * `Image.resize((outWidth, outHeight), resample)` does, and returns the `window` of the result (all of it by
 * default) as interleaved RGB.
 */
export function resizeRgb(
  src: Uint8Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
  filter: ResampleFilter,
  window: Window = { left: 0, top: 0, width: outWidth, height: outHeight },
): Uint8Array {
  if (!(width > 0 && height > 0 && outWidth > 0 && outHeight > 0)) throw new Error('resize: empty image');
  if (src.length < width * height * 3) throw new Error(`resize: expected ${width * height * 3} RGB bytes, got ${src.length}`);
  const win = window;
  if (win.left < 0 || win.top < 0 || win.width <= 0 || win.height <= 0 || win.left + win.width > outWidth || win.top + win.height > outHeight) {
    throw new Error('resize: the window is outside the output');
  }
  if (filter === 'nearest') {
    if (width === outWidth && height === outHeight) return crop(src, width, win);
    return nearest(src, width, height, outWidth, outHeight, win);
  }
  const f = FILTERS[filter];
  const needH = outWidth !== width;
  const needV = outHeight !== height;
  const vc = needV ? coefficients(height, outHeight, f) : null;
  // Source rows the window's output rows read.
  let r0 = win.top;
  let r1 = win.top + win.height;
  if (vc) {
    r0 = vc.bounds[win.top * 2]!;
    const last = win.top + win.height - 1;
    r1 = vc.bounds[last * 2]! + vc.bounds[last * 2 + 1]!;
  }
  let rows: Uint8Array;
  let rowsWidth: number;
  if (needH) {
    rows = horizontal(src, width, r0, r1, coefficients(width, outWidth, f), win.left, win.width);
    rowsWidth = win.width;
  } else {
    rows = src.subarray(r0 * width * 3, r1 * width * 3);
    rowsWidth = width;
  }
  const out = vc ? vertical(rows, rowsWidth, r0, vc, win.top, win.height) : rows;
  // Without a horizontal pass the rows are still full source width: cut the window's columns out.
  return needH ? out : crop(out, width, { left: win.left, top: 0, width: win.width, height: win.height });
}

/** Copies a window out of an interleaved RGB image `width` pixels wide. */
function crop(src: Uint8Array, width: number, win: Window): Uint8Array {
  if (win.left === 0 && win.width === width) return src.slice(win.top * width * 3, (win.top + win.height) * width * 3);
  const out = new Uint8Array(win.width * win.height * 3);
  for (let y = 0; y < win.height; y++) {
    const s = ((win.top + y) * width + win.left) * 3;
    out.set(src.subarray(s, s + win.width * 3), y * win.width * 3);
  }
  return out;
}
