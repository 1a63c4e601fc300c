// Plane geometry for reading text in photos: convex hulls, minimum-area rectangles and the outward offset
// ("unclip") of a text box. [Note: ocr-pipeline] Pure functions over plain numbers, in image coordinates
// (x to the right, y down, a pixel's centre at whole numbers).

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** A box's four corners: upper left, upper right, lower right, lower left (as `orderBox` decides them). */
export type Quad = readonly [Point, Point, Point, Point];

/** A rectangle at any angle: its corners in order around it, and its shorter side. */
export interface Rect {
  readonly corners: Quad;
  readonly shortSide: number;
}

const cross = (o: Point, a: Point, b: Point) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);

/**
 * The convex hull of points sorted by (y, x) — the order a raster pass meets them in — in linear time (Andrew's
 * monotone chain, run along y). Collinear and repeated points are dropped; the hull goes round in one direction.
 */
export function convexHullSorted(points: readonly Point[]): Point[] {
  if (points.length < 3) return dedupe(points);
  const chain = (from: number, to: number, step: number): Point[] => {
    const out: Point[] = [];
    for (let i = from; i !== to; i += step) {
      const p = points[i]!;
      while (out.length >= 2 && cross(out[out.length - 2]!, out[out.length - 1]!, p) <= 0) out.pop();
      out.push(p);
    }
    return out;
  };
  const lower = chain(0, points.length, 1);
  const upper = chain(points.length - 1, -1, -1);
  lower.pop();
  upper.pop();
  return lower.concat(upper);
}

/** The convex hull of points in any order. */
export function convexHull(points: readonly Point[]): Point[] {
  return convexHullSorted([...points].sort((a, b) => a.y - b.y || a.x - b.x));
}

function dedupe(points: readonly Point[]): Point[] {
  const out: Point[] = [];
  for (const p of points) if (!out.some((q) => q.x === p.x && q.y === p.y)) out.push(p);
  return out;
}

/**
 * The rectangle of least area holding a convex polygon, by rotating calipers: one side of that rectangle lies on an
 * edge of the hull, and as the edge goes round, the points farthest along it, across it and behind it only move
 * forward, so every edge is tried in linear time in all. A hull of fewer than three points gives a flat rectangle
 * (short side 0). Of equal areas, the first edge's wins.
 */
export function minAreaRect(hull: readonly Point[]): Rect {
  const n = hull.length;
  if (n === 0) return { corners: [zero, zero, zero, zero], shortSide: 0 };
  if (n < 3) {
    const a = hull[0]!;
    const b = hull[n - 1]!;
    return { corners: [a, b, b, a], shortSide: 0 };
  }
  const at = (k: number) => hull[k % n]!;
  // The sign that makes "across the edge" point into the polygon, whichever way round it goes.
  const turn = polygonArea(hull) > 0 ? 1 : -1;
  let best = Infinity;
  let result: Rect = { corners: [zero, zero, zero, zero], shortSide: 0 };
  // Indices (taken mod n) of the points farthest ahead along the edge, farthest across it and farthest behind.
  let ahead = 0;
  let far = 0;
  let behind = 0;
  for (let i = 0; i < n; i++) {
    const p = hull[i]!;
    const q = at(i + 1);
    const len = Math.hypot(q.x - p.x, q.y - p.y);
    const ux = (q.x - p.x) / len;
    const uy = (q.y - p.y) / len;
    const vx = -uy * turn;
    const vy = ux * turn;
    const along = (k: number) => (at(k).x - p.x) * ux + (at(k).y - p.y) * uy;
    const across = (k: number) => (at(k).x - p.x) * vx + (at(k).y - p.y) * vy;
    if (i === 0) {
      for (let k = 1; k < n; k++) {
        if (along(k) > along(ahead)) ahead = k;
        if (across(k) > across(far)) far = k;
        if (along(k) < along(behind)) behind = k;
      }
    } else {
      // Each moves forward only, and never a whole turn past the edge.
      while (ahead < i + n && along(ahead + 1) >= along(ahead)) ahead++;
      while (far < i + n && across(far + 1) >= across(far)) far++;
      while (behind < i + n && along(behind + 1) <= along(behind)) behind++;
    }
    const minU = along(behind);
    const maxU = along(ahead);
    const maxV = across(far);
    const area = (maxU - minU) * maxV;
    if (area < best) {
      best = area;
      const corner = (u: number, v: number): Point => ({ x: p.x + ux * u + vx * v, y: p.y + uy * u + vy * v });
      result = { corners: [corner(minU, 0), corner(maxU, 0), corner(maxU, maxV), corner(minU, maxV)], shortSide: Math.min(maxU - minU, maxV) };
    }
  }
  return result;
}

const zero: Point = { x: 0, y: 0 };

/**
 * A rectangle's corners as the DB post-processing orders them: the two leftmost (by x, a stable sort) are the
 * left side, the upper of them first (the second when their y is equal); likewise the right side. Gives
 * [upper left, upper right, lower right, lower left] for any rectangle not standing on a corner.
 */
export function orderBox(corners: readonly Point[]): Quad {
  const p = [...corners].sort((a, b) => a.x - b.x);
  const [a, b, c, d] = [p[0]!, p[1]!, p[2]!, p[3]!];
  const [upperLeft, lowerLeft] = b.y > a.y ? [a, b] : [b, a];
  const [upperRight, lowerRight] = d.y > c.y ? [c, d] : [d, c];
  return [upperLeft, upperRight, lowerRight, lowerLeft];
}

/** Signed area (shoelace): positive when the polygon runs clockwise on screen (y down), e.g. `orderBox`'s order. */
export function polygonArea(polygon: readonly Point[]): number {
  let sum = 0;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    sum += polygon[j]!.x * polygon[i]!.y - polygon[i]!.x * polygon[j]!.y;
  }
  return sum / 2;
}

export function perimeter(polygon: readonly Point[]): number {
  let sum = 0;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) sum += Math.hypot(polygon[i]!.x - polygon[j]!.x, polygon[i]!.y - polygon[j]!.y);
  return sum;
}

/** Rounds half away from zero, as the integer polygon offsetting that DB post-processing is defined with. */
export function roundAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/**
 * The outline of a convex polygon grown outward by `distance` with round corners, on the integer grid: each edge
 * moved out along its normal, and at each corner an arc from one edge's normal to the next, in steps no farther
 * than 0.25 px from the true circle. [Note: ocr-pipeline] DB's "unclip" grows a detected box by
 * area × ratio / perimeter this way; its minimum-area rectangle is the text box. The points are what a general
 * polygon-offset library (Clipper, round joins, default arc tolerance) gives for a convex polygon.
 */
export function offsetConvex(polygon: readonly Point[], distance: number): Point[] {
  // Corners are visited clockwise on screen, so "outward" is the left-hand normal of each edge turned by +90°.
  const poly = polygonArea(polygon) >= 0 ? [...polygon] : [...polygon].reverse();
  const n = poly.length;
  const normals = poly.map((p, i) => {
    const q = poly[(i + 1) % n]!;
    const len = Math.hypot(q.x - p.x, q.y - p.y);
    return len === 0 ? zero : { x: (q.y - p.y) / len, y: -(q.x - p.x) / len };
  });
  const tolerance = distance < 1 ? distance * 0.25 : 0.25;
  const stepsPerTurn = Math.min(Math.PI / Math.acos(1 - tolerance / distance), distance * Math.PI);
  const stepSin = Math.sin((2 * Math.PI) / stepsPerTurn);
  const stepCos = Math.cos((2 * Math.PI) / stepsPerTurn);
  const out: Point[] = [];
  const push = (p: Point, nx: number, ny: number) => out.push({ x: roundAway(p.x + nx * distance), y: roundAway(p.y + ny * distance) });
  for (let j = 0, k = n - 1; j < n; k = j++) {
    const p = poly[j]!;
    const nk = normals[k]!;
    const nj = normals[j]!;
    const sin = nk.x * nj.y - nj.x * nk.y;
    const cos = nk.x * nj.x + nk.y * nj.y;
    if (Math.abs(sin * distance) < 1 && cos > 0) {
      push(p, nk.x, nk.y); // almost straight on: one point serves both edges
      continue;
    }
    if (sin * distance < 0) {
      // A reflex corner (not met for convex input): both edge ends and the corner itself.
      push(p, nk.x, nk.y);
      out.push({ x: roundAway(p.x), y: roundAway(p.y) });
      push(p, nj.x, nj.y);
      continue;
    }
    const angle = Math.atan2(Math.max(-1, Math.min(1, sin)), cos);
    const steps = Math.max(roundAway((stepsPerTurn / (2 * Math.PI)) * Math.abs(angle)), 1);
    let x = nk.x;
    let y = nk.y;
    for (let s = 0; s < steps; s++) {
      push(p, x, y);
      const x0 = x;
      x = x * stepCos - stepSin * y;
      y = x0 * stepSin + y * stepCos;
    }
    push(p, nj.x, nj.y);
  }
  return out;
}
