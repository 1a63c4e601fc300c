import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convexHull, minAreaRect, offsetConvex, orderBox, perimeter, polygonArea, roundAway, type Point } from '../../../src/main/engine/ingest/ocr-geometry.js';

const area = (r: { corners: readonly Point[] }) => Math.abs(polygonArea(r.corners));
const rounded = (ps: readonly Point[]) => ps.map((p) => [Math.round(p.x * 1e6) / 1e6, Math.round(p.y * 1e6) / 1e6]);

/** Every edge direction of the hull tried against every point: the slow, obvious minimum. */
function bruteMinArea(hull: readonly Point[]): number {
  let best = Infinity;
  for (let i = 0; i < hull.length; i++) {
    const p = hull[i]!;
    const q = hull[(i + 1) % hull.length]!;
    const len = Math.hypot(q.x - p.x, q.y - p.y);
    const [ux, uy] = [(q.x - p.x) / len, (q.y - p.y) / len];
    let [minU, maxU, minV, maxV] = [Infinity, -Infinity, Infinity, -Infinity];
    for (const r of hull) {
      const u = (r.x - p.x) * ux + (r.y - p.y) * uy;
      const v = -(r.x - p.x) * uy + (r.y - p.y) * ux;
      [minU, maxU, minV, maxV] = [Math.min(minU, u), Math.max(maxU, u), Math.min(minV, v), Math.max(maxV, v)];
    }
    best = Math.min(best, (maxU - minU) * (maxV - minV));
  }
  return best;
}

describe('convex hull', () => {
  it('keeps the corners of a filled grid and drops everything on its edges and inside', () => {
    const grid: Point[] = [];
    for (let y = 0; y <= 4; y++) for (let x = 0; x <= 6; x++) grid.push({ x, y });
    expect(new Set(convexHull(grid).map((p) => `${p.x},${p.y}`))).toEqual(new Set(['0,0', '6,0', '6,4', '0,4']));
  });

  it('handles repeated and collinear points', () => {
    expect(convexHull([{ x: 1, y: 1 }, { x: 1, y: 1 }])).toEqual([{ x: 1, y: 1 }]);
    expect(convexHull([{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 2, y: 0 }])).toHaveLength(2);
  });
});

describe('minimum-area rectangle', () => {
  it('is the rectangle itself for the pixels of an upright one', () => {
    const pts: Point[] = [];
    for (let y = 40; y <= 59; y++) for (let x = 50; x <= 249; x++) pts.push({ x, y });
    const r = minAreaRect(convexHull(pts));
    expect(rounded(orderBox(r.corners))).toEqual([[50, 40], [249, 40], [249, 59], [50, 59]]);
    expect(r.shortSide).toBeCloseTo(19, 9);
  });

  it('finds a turned rectangle', () => {
    const [c, s] = [Math.cos(0.5), Math.sin(0.5)];
    const corners = [[0, 0], [100, 0], [100, 20], [0, 20]].map(([x, y]) => ({ x: 300 + x! * c - y! * s, y: 200 + x! * s + y! * c }));
    const inside = [{ x: 300 + 50 * c - 10 * s, y: 200 + 50 * s + 10 * c }];
    const r = minAreaRect(convexHull([...corners, ...inside]));
    expect(area(r)).toBeCloseTo(2000, 6);
    expect(r.shortSide).toBeCloseTo(20, 6);
  });

  it('is flat for fewer than three distinct points', () => {
    expect(minAreaRect([{ x: 3, y: 4 }]).shortSide).toBe(0);
    expect(minAreaRect([{ x: 3, y: 4 }, { x: 9, y: 4 }]).shortSide).toBe(0);
  });

  it('matches trying every edge, and holds every point (rotating calipers, property)', () => {
    const point = fc.record({ x: fc.integer({ min: -60, max: 60 }), y: fc.integer({ min: -60, max: 60 }) });
    fc.assert(
      fc.property(fc.array(point, { minLength: 3, maxLength: 40 }), (pts) => {
        const hull = convexHull(pts);
        if (hull.length < 3) return;
        const r = minAreaRect(hull);
        expect(area(r)).toBeCloseTo(bruteMinArea(hull), 6);
        const [a, b, , d] = r.corners;
        const [ux, uy, vx, vy] = [b.x - a.x, b.y - a.y, d.x - a.x, d.y - a.y];
        for (const p of pts) {
          const u = ((p.x - a.x) * ux + (p.y - a.y) * uy) / (ux * ux + uy * uy || 1);
          const v = ((p.x - a.x) * vx + (p.y - a.y) * vy) / (vx * vx + vy * vy || 1);
          expect(u).toBeGreaterThanOrEqual(-1e-9);
          expect(u).toBeLessThanOrEqual(1 + 1e-9);
          expect(v).toBeGreaterThanOrEqual(-1e-9);
          expect(v).toBeLessThanOrEqual(1 + 1e-9);
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe('box order', () => {
  it('is upper left, upper right, lower right, lower left whatever order the corners come in', () => {
    const box = [{ x: 10, y: 5 }, { x: 90, y: 5 }, { x: 90, y: 25 }, { x: 10, y: 25 }];
    for (const perm of [[0, 1, 2, 3], [2, 0, 3, 1], [3, 2, 1, 0], [1, 3, 0, 2]]) {
      expect(orderBox(perm.map((i) => box[i]!))).toEqual(box);
    }
    // A box leaning down to the right: still the left side's upper corner first.
    const lean = [{ x: 196, y: 391 }, { x: 674, y: 293 }, { x: 688, y: 360 }, { x: 210, y: 458 }];
    expect(orderBox([lean[2]!, lean[0]!, lean[3]!, lean[1]!])).toEqual(lean);
  });

  it('signs the area positive in that order', () => {
    expect(polygonArea([{ x: 0, y: 0 }, { x: 4, y: 0 }, { x: 4, y: 2 }, { x: 0, y: 2 }])).toBe(8);
    expect(perimeter([{ x: 0, y: 0 }, { x: 4, y: 0 }, { x: 4, y: 2 }, { x: 0, y: 2 }])).toBe(12);
  });
});

describe('unclip (round-cornered offset)', () => {
  it('grows a box by the distance on every side, on whole pixels', () => {
    const box = [{ x: 50, y: 40 }, { x: 249, y: 40 }, { x: 249, y: 59 }, { x: 50, y: 59 }];
    const d = (Math.abs(polygonArea(box)) * 1.5) / perimeter(box); // 13.0...
    const grown = offsetConvex(box, d);
    expect(grown.every((p) => Number.isInteger(p.x) && Number.isInteger(p.y))).toBe(true);
    const r = minAreaRect(convexHull(grown));
    expect(rounded(orderBox(r.corners))).toEqual([[37, 27], [262, 27], [262, 72], [37, 72]]);
    // The corners are round: no point farther than d (and half a pixel of rounding) from the box.
    for (const p of grown) {
      const dx = Math.max(50 - p.x, 0, p.x - 249);
      const dy = Math.max(40 - p.y, 0, p.y - 59);
      expect(Math.hypot(dx, dy)).toBeLessThanOrEqual(d + 0.75);
    }
  });

  it('gives the same outline whichever way round the box is given', () => {
    const box = [{ x: 0.5, y: 0.25 }, { x: 30.5, y: 0.25 }, { x: 30.5, y: 8.25 }, { x: 0.5, y: 8.25 }];
    const key = (ps: Point[]) => new Set(ps.map((p) => `${p.x},${p.y}`));
    expect(key(offsetConvex([...box].reverse(), 3))).toEqual(key(offsetConvex(box, 3)));
  });

  it('rounds halves away from zero', () => {
    expect([roundAway(2.5), roundAway(-2.5), roundAway(-2.4), roundAway(0.49)]).toEqual([3, -3, -2, 0]);
  });
});
