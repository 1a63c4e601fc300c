// Text recognition for OCR, before and after the model: each text box cut out of the photo upright, the
// recogniser's output decoded, and the pieces of one printed line joined. [Note: ocr-pipeline] Pure functions
// over typed arrays; the model itself is run by ocr-pipeline.ts.
import type { Point, Quad } from './ocr-geometry.js';

/** A line of text read from a photo, with the recogniser's mean confidence (0–1) in its characters. */
export type OcrLine = { readonly text: string; readonly confidence: number };

/** An interleaved 8-bit RGBA image. */
export interface Rgba {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** The line images the recogniser takes are this tall; their width follows the box's aspect. */
export const LINE_HEIGHT = 48;

/** A crop at least this many times taller than wide is text set vertically, turned a quarter to lie along. */
const TALL = 1.5;

/**
 * The projective map from the rectangle [0, w] × [0, h] onto a quadrilateral (its corners in order: the rectangle's
 * (0, 0), (w, 0), (w, h), (0, h)), as a function of a point of the rectangle.
 */
export function rectToQuad(w: number, h: number, q: Quad): (x: number, y: number) => Point {
  const [p0, p1, p2, p3] = q;
  const sx = p0.x - p1.x + p2.x - p3.x;
  const sy = p0.y - p1.y + p2.y - p3.y;
  let g = 0;
  let k = 0;
  if (sx !== 0 || sy !== 0) {
    const dx1 = p1.x - p2.x;
    const dx2 = p3.x - p2.x;
    const dy1 = p1.y - p2.y;
    const dy2 = p3.y - p2.y;
    const den = dx1 * dy2 - dx2 * dy1;
    g = (sx * dy2 - dx2 * sy) / den;
    k = (dx1 * sy - sx * dy1) / den;
  }
  const a = p1.x - p0.x + g * p1.x;
  const b = p3.x - p0.x + k * p3.x;
  const d = p1.y - p0.y + g * p1.y;
  const e = p3.y - p0.y + k * p3.y;
  return (x, y) => {
    const u = x / w;
    const v = y / h;
    const z = g * u + k * v + 1;
    return { x: (a * u + b * v + p0.x) / z, y: (d * u + e * v + p0.y) / z };
  };
}

/** Keys' cubic convolution weights (a = -0.75, as OpenCV's bicubic) for the four taps around offset t in [0, 1). */
function cubicWeights(t: number, out: Float64Array): void {
  const A = -0.75;
  const x0 = t + 1;
  const x1 = t;
  const x2 = 1 - t;
  out[0] = ((A * x0 - 5 * A) * x0 + 8 * A) * x0 - 4 * A;
  out[1] = ((A + 2) * x1 - (A + 3)) * x1 * x1 + 1;
  out[2] = ((A + 2) * x2 - (A + 3)) * x2 * x2 + 1;
  out[3] = 1 - out[0]! - out[1]! - out[2]!;
}

/**
 * A text box cut out of an image and made upright: the quadrilateral `box` (corners as `orderBox` gives them)
 * mapped onto a w × h rectangle, w and h its longer opposite sides (whole pixels), sampled bicubically with the
 * image's edge pixels repeated beyond it, positions in 1/32 px. A crop 1.5 times taller than wide is turned a
 * quarter anticlockwise. Only the crop is allocated: a few tens of kilobytes for a line. [Note: ocr-pipeline]
 */
export function cropBox(image: Rgba, box: Quad): Rgba {
  const dist = (a: Point, b: Point) => Math.hypot(a.x - b.x, a.y - b.y);
  const [p0, p1, p2, p3] = box;
  const w = Math.trunc(Math.max(dist(p0, p1), dist(p2, p3)));
  const h = Math.trunc(Math.max(dist(p0, p3), dist(p1, p2)));
  const map = rectToQuad(w, h, box);
  const out = new Uint8Array(w * h * 4);
  const wx = new Float64Array(4);
  const wy = new Float64Array(4);
  const lastX = image.width - 1;
  const lastY = image.height - 1;
  const src = image.data;
  const acc = [0, 0, 0];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const at = map(x, y);
      const fx = Math.round(at.x * 32);
      const fy = Math.round(at.y * 32);
      const ix = Math.floor(fx / 32);
      const iy = Math.floor(fy / 32);
      cubicWeights((fx - ix * 32) / 32, wx);
      cubicWeights((fy - iy * 32) / 32, wy);
      acc[0] = acc[1] = acc[2] = 0;
      for (let j = 0; j < 4; j++) {
        const row = Math.min(Math.max(iy - 1 + j, 0), lastY) * image.width;
        for (let i = 0; i < 4; i++) {
          const weight = wy[j]! * wx[i]!;
          const o = (row + Math.min(Math.max(ix - 1 + i, 0), lastX)) * 4;
          acc[0] += weight * src[o]!;
          acc[1] += weight * src[o + 1]!;
          acc[2] += weight * src[o + 2]!;
        }
      }
      const o = (y * w + x) * 4;
      for (let c = 0; c < 3; c++) out[o + c] = Math.min(255, Math.max(0, Math.round(acc[c]!)));
      out[o + 3] = 255;
    }
  }
  return h / w >= TALL ? turnAnticlockwise({ data: out, width: w, height: h }) : { data: out, width: w, height: h };
}

/**
 * A quarter turn anticlockwise about (w/2, w/2), as the reference implementation turns tall crops: output row r is
 * input column w - r, the edge column repeated for r = 0 (so the first column is never used and the top row
 * appears twice). Kept so that what is read matches it.
 */
function turnAnticlockwise(image: Rgba): Rgba {
  const { width: w, height: h, data } = image;
  const out = new Uint8Array(w * h * 4);
  for (let r = 0; r < w; r++) {
    const x = Math.min(w - r, w - 1);
    for (let c = 0; c < h; c++) {
      const from = (c * w + x) * 4;
      const to = (r * h + c) * 4;
      out[to] = data[from]!;
      out[to + 1] = data[from + 1]!;
      out[to + 2] = data[from + 2]!;
      out[to + 3] = data[from + 3]!;
    }
  }
  return { data: out, width: h, height: w };
}

/** The recogniser's dictionary: one character a line, then a space; class 0 is CTC's blank, class i is entry i - 1. */
export function parseDictionary(text: string): string[] {
  return [...text.split('\n'), ' '];
}

/**
 * Greedy CTC decoding of the recogniser's output (`steps` × `classes` probabilities): the likeliest class at each
 * step, repeats merged, blanks dropped. Confidence is the mean probability of the characters kept (0 for none).
 */
export function ctcDecode(probs: Float32Array, steps: number, classes: number, dictionary: readonly string[]): OcrLine {
  let text = '';
  let sum = 0;
  let kept = 0;
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    const row = t * classes;
    let best = 0;
    let p = probs[row]!;
    for (let c = 1; c < classes; c++) {
      if (probs[row + c]! > p) {
        p = probs[row + c]!;
        best = c;
      }
    }
    if (best !== 0 && best !== previous) {
      text += dictionary[best - 1] ?? '';
      sum += p;
      kept++;
    }
    previous = best;
  }
  return { text, confidence: kept ? sum / kept : 0 };
}

/** Lines read with less confidence than this are left out before the pieces of a line are joined. */
export const MIN_PIECE_CONFIDENCE = 0.5;

/**
 * The pieces read from each box joined into printed lines: pieces under 0.5 confidence dropped; a piece joins the
 * first line whose first piece's middle (half-way between its top-left and bottom-right corners' y) is within half
 * the pieces' mean height of its own; pieces left to right within a line (by top-left corner), lines top to bottom
 * (by their leftmost piece), text joined by spaces, confidence the mean of the pieces'. `pieces` come in the order
 * their boxes were found, which decides ties.
 */
export function joinLines(pieces: readonly (OcrLine & { readonly box: Quad })[]): OcrLine[] {
  const kept = pieces.filter((p) => p.confidence >= MIN_PIECE_CONFIDENCE);
  if (kept.length === 0) return [];
  const height = kept.reduce((s, p) => s + (p.box[2].y - p.box[0].y), 0) / kept.length;
  const middle = (p: (typeof kept)[number]) => (p.box[0].y + p.box[2].y) / 2;
  const groups: (typeof kept)[] = [];
  for (const piece of kept) {
    const group = groups.find((g) => Math.abs(middle(g[0]!) - middle(piece)) < height / 2);
    if (group) group.push(piece);
    else groups.push([piece]);
  }
  for (const g of groups) g.sort((a, b) => a.box[0].x - b.box[0].x);
  groups.sort((a, b) => a[0]!.box[0].y - b[0]!.box[0].y);
  return groups.map((g) => ({ text: g.map((p) => p.text).join(' '), confidence: g.reduce((s, p) => s + p.confidence, 0) / g.length }));
}
