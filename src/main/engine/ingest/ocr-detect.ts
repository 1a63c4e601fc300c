// Text detection for OCR, before and after the model: the detector's input, and the text boxes found in its
// probability map (DB post-processing). [Note: ocr-pipeline] Pure functions over typed arrays; the model itself is
// run by ocr-pipeline.ts.
import { convexHull, convexHullSorted, minAreaRect, offsetConvex, orderBox, perimeter, polygonArea, type Point, type Quad } from './ocr-geometry.js';

/** The detector takes sides that are multiples of 32 (its feature pyramid halves the image five times). */
export function detectionSize(width: number, height: number): { width: number; height: number } {
  const up = (v: number) => Math.max(32, Math.ceil(v / 32) * 32);
  return { width: up(width), height: up(height) };
}

/**
 * An interleaved 8-bit image (RGB or RGBA), or the `region` of it, as the models' input: planar, channels in the
 * order blue, green, red, each value / 255 — what the PP-OCR ONNX weights were exported to take from OpenCV's BGR
 * images. One Float32Array of 3 × width × height, nothing else. [Note: ocr-memory]
 */
export function planarBgr(pixels: Uint8Array, width: number, height: number, channels: number, region?: Region2d): Float32Array {
  const { x: left, y: top, width: w, height: h } = region ?? { x: 0, y: 0, width, height };
  const n = w * h;
  const out = new Float32Array(3 * n);
  for (let y = 0, p = 0; y < h; y++) {
    for (let x = 0, i = ((top + y) * width + left) * channels; x < w; x++, p++, i += channels) {
      out[p] = pixels[i + 2]! / 255;
      out[n + p] = pixels[i + 1]! / 255;
      out[2 * n + p] = pixels[i]! / 255;
    }
  }
  return out;
}

/** A rectangle of an image, in pixels. */
export interface Region2d {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Where text may be: the probability map above this. Low, as the reference implementation Trove matches has it. */
export const DETECTION_THRESHOLD = 0.03;
/** DB's unclip ratio: a box grows by area × ratio / perimeter on every side. */
export const UNCLIP_RATIO = 1.5;

/** One contour's worth of pixels: the points whose convex hull is the contour's, in the order contours are found. */
export interface Region {
  readonly points: Point[];
  /** Whether `points` are in (y, x) order already. */
  readonly sorted: boolean;
}

/** A growable list of runs: row, first and last column, and a union-find parent (an earlier run, or itself). */
class Runs {
  y = new Int32Array(1024);
  start = new Int32Array(1024);
  end = new Int32Array(1024);
  parent = new Int32Array(1024);
  length = 0;

  add(y: number, start: number, end: number): number {
    if (this.length === this.y.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.y = grow(this.y);
      this.start = grow(this.start);
      this.end = grow(this.end);
      this.parent = grow(this.parent);
    }
    const i = this.length++;
    this.y[i] = y;
    this.start[i] = start;
    this.end[i] = end;
    this.parent[i] = i;
    return i;
  }

  root(i: number): number {
    let r = i;
    while (this.parent[r] !== r) r = this.parent[r]!;
    while (this.parent[i] !== r) {
      const next = this.parent[i]!;
      this.parent[i] = r;
      i = next;
    }
    return r;
  }

  /** Joins two runs' sets under the earlier root, so a set's root is its first run in raster order. */
  union(a: number, b: number): void {
    const ra = this.root(a);
    const rb = this.root(b);
    if (ra < rb) this.parent[rb] = ra;
    else if (rb < ra) this.parent[ra] = rb;
  }
}

/**
 * The contours of a thresholded map, as OpenCV's findContours lists them with RETR_LIST (every outer border and
 * every hole border), in the order a raster scan first meets them, each given as points with the same convex hull.
 * Linear in the map's size: one pass splits every row into runs above and below the threshold and joins each run
 * to the overlapping runs of the row before (text: 8-connected, so runs that touch diagonally join; background:
 * 4-connected). A text component's hull is its runs' end points'. A hole (background that does not reach the
 * edge) is bounded by the text pixels beside it, whose hull is that of each hole run's ends widened by one pixel
 * left and right and moved one row up and down. [Note: ocr-pipeline]
 */
export function contourRegions(prob: Float32Array, width: number, height: number, threshold = DETECTION_THRESHOLD): Region[] {
  const text = new Runs();
  const background = new Runs();
  // The runs of the row above: [from, to) in each list, and how far along it the current run has got.
  let textAbove = 0;
  let textAboveEnd = 0;
  let backAbove = 0;
  let backAboveEnd = 0;
  for (let y = 0; y < height; y++) {
    const textFrom = text.length;
    const backFrom = background.length;
    const row = y * width;
    for (let x = 0; x < width; ) {
      const on = prob[row + x]! > threshold;
      let e = x;
      while (e + 1 < width && prob[row + e + 1]! > threshold === on) e++;
      if (on) {
        const r = text.add(y, x, e);
        // 8-connected: a run above touches this one if it reaches from x - 1 to e + 1. Runs are in x order in both
        // rows, so one pointer walks the row above once.
        while (textAbove < textAboveEnd && text.end[textAbove]! < x - 1) textAbove++;
        for (let k = textAbove; k < textAboveEnd && text.start[k]! <= e + 1; k++) text.union(k, r);
      } else {
        const r = background.add(y, x, e);
        while (backAbove < backAboveEnd && background.end[backAbove]! < x) backAbove++;
        for (let k = backAbove; k < backAboveEnd && background.start[k]! <= e; k++) background.union(k, r);
      }
      x = e + 1;
    }
    textAbove = textFrom;
    textAboveEnd = text.length;
    backAbove = backFrom;
    backAboveEnd = background.length;
  }

  const found: { key: number; region: Region }[] = [];
  // Text components: each run's ends, in raster order, so the points arrive sorted by (y, x).
  const components = new Map<number, Point[]>();
  for (let i = 0; i < text.length; i++) {
    const r = text.root(i);
    let points = components.get(r);
    if (!points) {
      points = [];
      components.set(r, points);
      found.push({ key: text.y[r]! * width + text.start[r]!, region: { points, sorted: true } });
    }
    const y = text.y[i]!;
    points.push({ x: text.start[i]!, y });
    if (text.end[i] !== text.start[i]) points.push({ x: text.end[i]!, y });
  }
  // Holes: background sets that never touch the edge of the map (outside it is background too).
  const open = new Set<number>();
  for (let i = 0; i < background.length; i++) {
    if (background.y[i] === 0 || background.y[i] === height - 1 || background.start[i] === 0 || background.end[i] === width - 1) open.add(background.root(i));
  }
  const holes = new Map<number, Point[]>();
  for (let i = 0; i < background.length; i++) {
    const r = background.root(i);
    if (open.has(r)) continue;
    let points = holes.get(r);
    if (!points) {
      points = [];
      holes.set(r, points);
      // Found at the text pixel just left of the hole's first pixel.
      found.push({ key: background.y[r]! * width + background.start[r]! - 1, region: { points, sorted: false } });
    }
    const y = background.y[i]!;
    const s = background.start[i]!;
    const e = background.end[i]!;
    points.push({ x: s - 1, y }, { x: e + 1, y }, { x: s, y: y - 1 }, { x: e, y: y - 1 }, { x: s, y: y + 1 }, { x: e, y: y + 1 });
  }
  return found.sort((a, b) => a.key - b.key).map((f) => f.region);
}

/**
 * The text boxes in a probability map, in the order their contours were found: each contour's minimum-area
 * rectangle (dropped when its short side is under 3 px), grown by DB's unclip, its rectangle again (dropped under
 * 5 px), its corners rounded into the map, and dropped when a side is 3 px or less. [Note: ocr-pipeline]
 */
export function textBoxes(prob: Float32Array, width: number, height: number, threshold = DETECTION_THRESHOLD): Quad[] {
  const boxes: Quad[] = [];
  for (const region of contourRegions(prob, width, height, threshold)) {
    const rect = minAreaRect(region.sorted ? convexHullSorted(region.points) : convexHull(region.points));
    if (rect.shortSide < 3) continue;
    const box = orderBox(rect.corners);
    const distance = (Math.abs(polygonArea(box)) * UNCLIP_RATIO) / perimeter(box);
    const grown = minAreaRect(convexHull(offsetConvex(box, distance)));
    if (grown.shortSide < 5) continue;
    const clip = (v: number, max: number) => Math.max(0, Math.min(Math.round(v), max));
    const corners = orderBox(grown.corners);
    const at = (p: Point): Point => ({ x: clip(p.x, width), y: clip(p.y, height) });
    const quad: Quad = [at(corners[0]), at(corners[1]), at(corners[2]), at(corners[3])];
    if (!wideEnough(corners, quad)) continue;
    boxes.push(quad);
  }
  return boxes;
}

/**
 * Whether both sides of a rounded box are longer than 3 px, measured from the corner nearest the origin (least
 * x + y before rounding) to the two corners beside it — how the reference implementation measures them.
 */
function wideEnough(before: Quad, after: Quad): boolean {
  let first = 0;
  for (let i = 1; i < 4; i++) if (before[i]!.x + before[i]!.y < before[first]!.x + before[first]!.y) first = i;
  const o = after[first]!;
  const side = (i: number) => Math.trunc(Math.hypot(after[i % 4]!.x - o.x, after[i % 4]!.y - o.y));
  return side(first + 1) > 3 && side(first + 3) > 3;
}
