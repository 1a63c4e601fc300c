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

/** The likeliest class at each step of the recogniser's output, and its probability: what greedy decoding reads. */
export interface BestPath {
  readonly classes: Int32Array;
  readonly probs: Float32Array;
}

/** The likeliest class (the first of equals) and its probability at each of `steps` steps of `classes` probabilities. */
export function bestPath(probs: Float32Array, steps: number, classes: number): BestPath {
  const out = { classes: new Int32Array(steps), probs: new Float32Array(steps) };
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
    out.classes[t] = best;
    out.probs[t] = p;
  }
  return out;
}

/**
 * Greedy CTC decoding of a best path: repeats merged, blanks (class 0) dropped, class i read as dictionary entry
 * i - 1. Confidence is the mean probability of the characters kept (0 for none).
 */
export function decodePath(path: BestPath, dictionary: readonly string[]): OcrLine {
  let text = '';
  let sum = 0;
  let kept = 0;
  let previous = -1;
  for (let t = 0; t < path.classes.length; t++) {
    const best = path.classes[t]!;
    if (best !== 0 && best !== previous) {
      text += dictionary[best - 1] ?? '';
      sum += path.probs[t]!;
      kept++;
    }
    previous = best;
  }
  return { text, confidence: kept ? sum / kept : 0 };
}

/** One stretch of a line cut into overlapping pieces: the piece's [start, start + size), and [from, to), the part of it kept. */
export interface Span {
  readonly start: number;
  readonly size: number;
  readonly from: number;
  readonly to: number;
}

/**
 * A length cut into as few overlapping stretches as keep each at most `max` and consecutive ones overlapping by at
 * least `overlap`, all as long as each other, starts and sizes multiples of `step` (`length` and `max` are too).
 * Each stretch keeps the part of it nearer its own middle than its neighbours' (the overlaps split half-way), so
 * every place is kept from one stretch, at least overlap / 2 from that stretch's cut edges. One stretch when the
 * length fits. [Note: ocr-memory]
 */
export function overlappingSpans(length: number, max: number, overlap: number, step: number): Span[] {
  if (length <= max) return [{ start: 0, size: length, from: 0, to: length }];
  const up = (v: number) => Math.ceil(v / step) * step;
  for (let n = 2; ; n++) {
    const size = Math.min(max, up((length + (n - 1) * overlap) / n));
    const starts = Array.from({ length: n }, (_, i) => Math.round((i * (length - size)) / (n - 1) / step) * step);
    if (!starts.every((s, i) => i === 0 || starts[i - 1]! + size - s >= overlap)) continue;
    return starts.map((start, i) => ({
      start,
      size,
      from: i === 0 ? 0 : Math.floor((start + starts[i - 1]! + size) / 2),
      to: i === n - 1 ? length : Math.floor((starts[i + 1]! + start + size) / 2),
    }));
  }
}

/** The recogniser reads one step of its output for every this many pixels of a line's width. */
export const LINE_STEP = 8;

/**
 * Lines wider than this at 48 px high are read in pieces, overlapping by LINE_OVERLAP px. [Note: ocr-memory] The
 * recogniser's memory grows with a line's width (measured: +22 MB at 1,280 px, +49 at 2,560, +74 at 3,538, +193 at
 * 9,216 — a 960 px rule 5 px high), and its attention spans the whole line, so pieces read their characters a
 * little differently: at this width 2 characters of 6,453 on the build machine's photos changed, at 2,000 px 15, at
 * 1,280 px 83.
 */
export const LINE_MAX_WIDTH = 2560;
export const LINE_OVERLAP = 320;

/**
 * The best paths of overlapping pieces of one line (each with its first step's place in the line, in steps, in
 * order) as one path. Between two pieces the path changes over inside their overlap, away from both pieces' cut
 * edges, at the middle of the longest run of steps blank in both (nearest the overlap's middle among equals): a
 * character read by both, a step or two apart, then comes from one piece only, and none is cut. When no step is
 * blank in both, at the overlap's middle. [Note: ocr-memory]
 */
export function joinPaths(pieces: readonly { readonly start: number; readonly path: BestPath }[]): BestPath {
  const first = pieces[0];
  if (!first) return { classes: new Int32Array(0), probs: new Float32Array(0) };
  const last = pieces[pieces.length - 1]!;
  const steps = last.start + last.path.classes.length;
  const out = { classes: new Int32Array(steps), probs: new Float32Array(steps) };
  let from = 0;
  for (let i = 0; i < pieces.length; i++) {
    const { start, path } = pieces[i]!;
    const next = pieces[i + 1];
    let to = steps;
    if (next) {
      // The overlap [next.start, end of this piece), less a quarter of it at each side.
      const end = start + path.classes.length;
      const margin = Math.floor((end - next.start) / 4);
      const lo = Math.max(next.start + margin, from);
      const hi = end - margin;
      const middle = (next.start + end) / 2;
      to = Math.floor(middle);
      let bestRun = 0;
      for (let t = lo; t < hi; ) {
        if (path.classes[t - start] !== 0 || next.path.classes[t - next.start] !== 0) {
          t++;
          continue;
        }
        let e = t;
        while (e < hi && path.classes[e - start] === 0 && next.path.classes[e - next.start] === 0) e++;
        const cut = Math.floor((t + e) / 2);
        if (e - t > bestRun || (e - t === bestRun && Math.abs(cut - middle) < Math.abs(to - middle))) {
          bestRun = e - t;
          to = cut;
        }
        t = e;
      }
    }
    out.classes.set(path.classes.subarray(from - start, to - start), from);
    out.probs.set(path.probs.subarray(from - start, to - start), from);
    from = to;
  }
  return out;
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
