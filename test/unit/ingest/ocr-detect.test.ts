import { describe, expect, it } from 'vitest';
import { contourRegions, detectionSize, planarBgr, textBoxes } from '../../../src/main/engine/ingest/ocr-detect.js';
import { convexHull, minAreaRect } from '../../../src/main/engine/ingest/ocr-geometry.js';

/** A probability map from rows of '#' (text, 0.9) and '.' (background, 0.01). */
function map(rows: string[]): { prob: Float32Array; width: number; height: number } {
  const width = rows[0]!.length;
  const prob = new Float32Array(width * rows.length);
  rows.forEach((r, y) => [...r].forEach((c, x) => (prob[y * width + x] = c === '#' ? 0.9 : 0.01)));
  return { prob, width, height: rows.length };
}

const hullKey = (points: { x: number; y: number }[]) => convexHull(points).map((p) => `${p.x},${p.y}`).sort();

describe('detector input', () => {
  it('rounds sides up to multiples of 32', () => {
    expect(detectionSize(900, 600)).toEqual({ width: 928, height: 608 });
    expect(detectionSize(960, 720)).toEqual({ width: 960, height: 736 });
    expect(detectionSize(10, 3)).toEqual({ width: 32, height: 32 });
  });

  it('is planar blue, green, red over 255, from RGB or RGBA', () => {
    const rgba = Uint8Array.from([255, 0, 51, 255, 0, 102, 0, 255]);
    expect(planarBgr(rgba, 2, 1, 4)).toEqual(Float32Array.of(0.2, 0, 0, 0.4, 1, 0));
    const rgb = Uint8Array.from([255, 0, 51, 0, 102, 0]);
    expect(planarBgr(rgb, 2, 1, 3)).toEqual(Float32Array.of(0.2, 0, 0, 0.4, 1, 0));
  });

  it('takes a region of the image when given one', () => {
    // 3 × 2 RGB pixels whose red is 10 × (their index + 1).
    const rgb = Uint8Array.from([10, 0, 0, 20, 0, 0, 30, 0, 0, 40, 0, 0, 50, 0, 0, 60, 0, 0]);
    const out = planarBgr(rgb, 3, 2, 3, { x: 1, y: 0, width: 2, height: 2 });
    expect([...out.subarray(8)].map((v) => Math.round(v * 255))).toEqual([20, 30, 50, 60]);
  });
});

describe('contours of the probability map', () => {
  it('finds each text component once, in raster order, joining diagonal neighbours', () => {
    const { prob, width, height } = map([
      '..........',
      '.###...#..',
      '.###....#.',
      '.......#..',
      '##........',
    ]);
    const regions = contourRegions(prob, width, height);
    expect(regions.map((r) => hullKey(r.points))).toEqual([
      ['1,1', '1,2', '3,1', '3,2'].sort(),
      ['7,1', '7,3', '8,2'].sort(),
      ['0,4', '1,4'].sort(),
    ]);
  });

  it('lists a hole as a contour of its own, after the outline it lies in, and not background open to the edge', () => {
    const { prob, width, height } = map([
      '#######..',
      '#.....#..',
      '#.....#..',
      '#######..',
      '.........',
    ]);
    const regions = contourRegions(prob, width, height);
    expect(regions).toHaveLength(2);
    // The hole's border: the text pixels around it, whose hull is the inner edge of the ring.
    expect(hullKey(regions[1]!.points)).toEqual(['1,0', '5,0', '6,1', '6,2', '5,3', '1,3', '0,2', '0,1'].sort());
    expect(minAreaRect(convexHull(regions[1]!.points)).shortSide).toBeCloseTo(3, 9);
  });

  it('keeps two holes apart that touch only at a corner (background is 4-connected)', () => {
    const { prob, width, height } = map([
      '#####',
      '#.###',
      '##.##',
      '#####',
    ]);
    expect(contourRegions(prob, width, height)).toHaveLength(3);
  });

  it('is empty for an empty map', () => {
    const { prob, width, height } = map(['....', '....']);
    expect(contourRegions(prob, width, height)).toEqual([]);
  });
});

describe('text boxes', () => {
  it('grows a detected line by area × 1.5 / perimeter on each side', () => {
    const width = 320;
    const height = 96;
    const prob = new Float32Array(width * height);
    for (let y = 40; y <= 59; y++) for (let x = 50; x <= 249; x++) prob[y * width + x] = 0.8;
    expect(textBoxes(prob, width, height)).toEqual([
      [{ x: 37, y: 27 }, { x: 262, y: 27 }, { x: 262, y: 72 }, { x: 37, y: 72 }],
    ]);
  });

  it('keeps boxes inside the map', () => {
    const width = 64;
    const height = 32;
    const prob = new Float32Array(width * height);
    for (let y = 0; y <= 9; y++) for (let x = 0; x <= 40; x++) prob[y * width + x] = 0.8;
    const [box] = textBoxes(prob, width, height);
    expect(box!.every((p) => p.x >= 0 && p.x <= width && p.y >= 0 && p.y <= height)).toBe(true);
    expect(box![0]).toEqual({ x: 0, y: 0 });
  });

  it('drops specks', () => {
    const width = 32;
    const height = 32;
    const prob = new Float32Array(width * height);
    for (let y = 10; y <= 11; y++) for (let x = 10; x <= 11; x++) prob[y * width + x] = 0.8;
    expect(textBoxes(prob, width, height)).toEqual([]);
  });
});
